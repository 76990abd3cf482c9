import { describe, expect, it } from 'vitest';
import { formatMoscowDate, parseExpirationDate } from '../src/dates.js';
import { hexEquals } from '../src/hash.js';
import { displayAmount, formatAmount, parseAmount, parseJsonAmount, percentOf } from '../src/money.js';
import { ParamBag } from '../src/params.js';
import { receiptJson } from '../src/receipt.js';
import { callbackSignature, paymentSignatureMatches, shpSuffix } from '../src/signature.js';
import { hash, loadVectors, testSandbox } from './helpers.js';

describe('money', () => {
  it('reads amounts the way OutSum is written, never through floats', () => {
    expect(parseAmount('5')).toBe(500);
    expect(parseAmount('100.0')).toBe(10000);
    expect(parseAmount('100.000000')).toBe(10000);
    expect(parseAmount('0.10')).toBe(10);
    expect(parseAmount('99999999.99')).toBe(9999999999);
    for (const bad of ['', '1,5', '.5', '5.', '+5', '-5', '1e2', ' 5', '10.005', 'abc'])
      expect(parseAmount(bad), bad).toBeUndefined();
    expect(parseJsonAmount(0.1)).toBe(10);
    expect(parseJsonAmount('4.00')).toBe(400);
    expect(parseJsonAmount(-1)).toBeUndefined();
  });

  it('writes 2 or 6 decimals, groups for people, rounds a commission half up', () => {
    expect(formatAmount(150000)).toBe('1500.00');
    expect(formatAmount(5, 6)).toBe('0.050000');
    expect(displayAmount(150000, 'RUB')).toBe('1\u00a0500.00\u00a0₽');
    expect(percentOf(10000, 3.9)).toBe(390);
    expect(percentOf(333, 2.5)).toBe(8); // 8.325 → 8
    expect(percentOf(1, 50)).toBe(1); // 0.5 → 1
  });
});

describe('dates', () => {
  it('writes Moscow time with seven fractional digits', () => {
    expect(formatMoscowDate(new Date('2019-11-13T07:21:22.050Z'))).toBe('2019-11-13T10:21:22.0500000+03:00');
  });

  it('reads ExpirationDate in its documented forms and refuses impossible dates', () => {
    expect(parseExpirationDate('2010-02-11T16:07:11.6973153+03:00')?.toISOString()).toBe('2010-02-11T13:07:11.697Z');
    expect(parseExpirationDate('2029-01-16T12:00')?.toISOString()).toBe('2029-01-16T09:00:00.000Z');
    expect(parseExpirationDate('2029-01-16T12:00:00Z')?.toISOString()).toBe('2029-01-16T12:00:00.000Z');
    for (const bad of ['2029-02-30T12:00', '2029-01-16', '2029-01-16T25:00', 'soon'])
      expect(parseExpirationDate(bad), bad).toBeUndefined();
  });
});

describe('signatures', () => {
  it('sorts Shp_ like .NET OrdinalIgnoreCase (upper-case folding) and accepts the plain ordinal order too', () => {
    const shp: Array<[string, string]> = [
      ['shp_label', 'x'],
      ['Shp_merchant_id', '1'],
      ['Shp_a_b', '2'],
      ['Shp_ab', '3'],
    ];
    expect(shpSuffix(shp)).toBe('Shp_ab=3:Shp_a_b=2:shp_label=x:Shp_merchant_id=1');
    const fields = { login: 'l', outSum: '1', invId: '2', shp };
    const ordinal = 'l:1:2:p:Shp_a_b=2:Shp_ab=3:Shp_merchant_id=1:shp_label=x';
    expect(paymentSignatureMatches('md5', fields, 'p', hash('md5', ordinal))).toBe(true);
    expect(paymentSignatureMatches('md5', fields, 'p', hash('md5', 'l:1:2:p'))).toBe(false);
  });

  it('signs callbacks like the public ResultURL vectors (OutSum:InvId:Password2[:Shp…])', () => {
    const vectors = loadVectors().filter((v) => /^\d+:\d*:password#2/.test(v.inputs.signature_base ?? ''));
    expect(vectors.length).toBeGreaterThanOrEqual(4);
    for (const v of vectors) {
      const [outSum = '', invId = '', password = '', ...shp] = (v.inputs.signature_base ?? '').split(':');
      const pairs = shp.map((s): [string, string] => [s.split('=')[0] ?? '', s.split('=')[1] ?? '']);
      const algorithm = v.inputs.algorithm === 'sha256' ? 'sha256' : 'md5';
      expect(callbackSignature(algorithm, outSum, invId, password, pairs)).toBe(v.expected.toUpperCase());
    }
  });

  it('compares hex case-insensitively and refuses other lengths', () => {
    expect(hexEquals('abcdef', 'ABCDEF')).toBe(true);
    expect(hexEquals('abcdef', 'abcde')).toBe(false);
    expect(hexEquals('abcdef', '')).toBe(false);
  });
});

describe('parameters', () => {
  it('matches names case-insensitively, query first, and reads Shp_ in any spelling', () => {
    const bag = new ParamBag([
      ['invoiceID', '5'],
      ['InvId', '6'],
      ['SHP_x', '1'],
      ['shp_X', '2'],
      ['Shp_y', 'a'],
      ['PaymentMethods', 'A'],
      ['paymentmethods', 'B'],
    ]);
    expect(bag.get('InvId', 'InvoiceID')).toBe('6');
    expect(bag.get('InvoiceID')).toBe('5');
    expect(bag.shp()).toEqual([
      ['SHP_x', '1'],
      ['Shp_y', 'a'],
    ]);
    expect(bag.all('PaymentMethods')).toEqual(['A', 'B']);
  });

  it('decodes a Receipt once only when it starts with %7B', () => {
    expect(receiptJson('%7B%22a%22%3A%22b+c%22%7D')).toBe('{"a":"b c"}');
    expect(receiptJson('%7b%7d')).toBe('{}');
    expect(receiptJson('{"a":"%7B"}')).toBe('{"a":"%7B"}');
    expect(receiptJson('%7B%E0%A4%A')).toBeUndefined();
  });
});

describe('SMS API', () => {
  it('accepts the public SMS vectors and refuses a changed message', async () => {
    const vectors = loadVectors().filter((v) => /SMS/.test(v.description));
    expect(vectors).toHaveLength(2);
    for (const v of vectors) {
      const [login = '', phone = '', message = '', password = ''] = (v.inputs.signature_base ?? '').split(':');
      const sandbox = await testSandbox({ merchants: [{ login, password1: password, password2: 'x' }] });
      const send = async (text: string) =>
        (
          await fetch(
            `${sandbox.url}/SMS/?${new URLSearchParams({ login, phone, message: text, signature: v.expected })}`,
          )
        ).json();
      expect(await send(`${message}!`)).toMatchObject({ result: false, errorCode: 1 });
      expect(await send(message)).toEqual({ result: true, errorCode: 0, errorMessage: '', count: 1 });
      expect(sandbox.admin.sms()).toMatchObject([{ merchant: login, phone, message }]);
    }
  });
});
