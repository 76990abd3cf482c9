import { createHash } from 'node:crypto';
import { Robokassa } from '@dev-aces/robokassa';
import { describe, expect, test } from 'vitest';
import { isKassaError } from '../src/errors.js';
import { type HashAlgorithm, hashHex } from '../src/hash.js';
import { createRobokassaConfig } from '../src/robokassa/config.js';
import { buildFormBody } from '../src/robokassa/encoding.js';
import { buildPaymentRequest, type PaymentRequest, paymentSignatureBase } from '../src/robokassa/payment.js';
import { loadVectors, type Vector } from './support/vectors.js';

/**
 * The public vectors (test/vectors/robokassa.json) that describe a payment request, reproduced through the public
 * API. Where a vector's inputs cannot be expressed by `buildPaymentRequest` on purpose (an empty InvId, a raw `@` in
 * a Shp value, raw Receipt JSON), the base is pinned with `paymentSignatureBase` and the deliberate difference of
 * the builder is asserted, with the rule it follows (docs/payment.md, docs/receipt.md).
 */

const vectors = loadVectors();
function vector(prefix: string, algorithm?: string): Vector {
  const found = vectors.find((v) => v.expected.startsWith(prefix) && (!algorithm || v.inputs.algorithm === algorithm));
  if (!found) throw new Error(`vector ${prefix} is missing from ${vectors.length} vectors`);
  return found;
}

const fieldMap = (r: PaymentRequest) => new Map(r.form.fields.map((f) => [f.name, f.value]));
/** Our name for a field the vector spells with a synonym (protocol §1.1: InvoiceID = InvId). */
const OUR_NAME: Record<string, string> = { InvoiceID: 'InvId' };

/** Every field of the vector's form body has the same value in our form (after the browser's one decoding). */
function expectFormBodyValues(request: PaymentRequest, expectedBody: string): void {
  const ours = fieldMap(request);
  for (const [name, value] of new URLSearchParams(expectedBody)) {
    expect(ours.get(OUR_NAME[name] ?? name), name).toBe(name === 'SignatureValue' ? value.toLowerCase() : value);
  }
}

describe('official sdk-php vectors', () => {
  test('46e153d0…: Shp "abc 1" is urlencoded once before signing; the wire carries abc%2B1', () => {
    const v = vector('46e153d0');
    const config = createRobokassaConfig({ login: 'login', password1: 'p1', password2: 'p2' });
    const r = buildPaymentRequest(config, {
      outSum: v.inputs.OutSum as string,
      invId: v.inputs.InvoiceID as string,
      description: 'test',
      shp: { order: v.inputs['Shp_order(raw)'] as string },
    });
    expect(r.signature).toBe(v.expected);
    expect(r.signatureBase.replace('***', 'p1')).toBe(v.inputs.signature_base);
    expect(hashHex('md5', v.inputs.signature_base as string)).toBe(v.expected);
    expectFormBodyValues(r, v.inputs.expected_form_body as string);
    // The exact wire bytes of the Shp field, as the browser posts our form and as our GET URL carries it.
    const body = buildFormBody(r.form.fields.map((f) => [f.name, f.value] as const));
    expect(body).toContain('&Shp_order=abc%2B1');
    expect(r.url).toContain('&Shp_order=abc%2B1');
    expect(r.url).toContain('OutSum=5&');
  });

  test('ea9bd729…: Recurring=true is sent but not signed', () => {
    const v = vector('ea9bd729');
    const config = createRobokassaConfig({ login: 'login', password1: 'p1', password2: 'p2' });
    const r = buildPaymentRequest(config, {
      outSum: '5',
      invId: 154,
      description: 'Subscription parent payment',
      recurring: true,
    });
    expect(r.signature).toBe(v.expected);
    expect(r.signatureBase).toBe('login:5:154:***');
    expectFormBodyValues(r, v.inputs.expected_form_body as string);
  });

  test('1be6746b…: the SDK receipt, urlencoded once in the signature, double-encoded on the wire', () => {
    // The vector is a child recurring charge (/Merchant/Recurring, the API client's job); its signature base is the
    // payment formula login:OutSum:InvId:Receipt:Password1:Shp, so a payment with the same values signs the same.
    const v = vector('1be6746b');
    const config = createRobokassaConfig({ login: 'login', password1: 'p1', password2: 'p2' });
    const r = buildPaymentRequest(config, {
      outSum: '100.00',
      invId: 200002,
      description: 'Recurring payment',
      receipt: {
        items: [
          {
            name: 'Subscription',
            quantity: 1,
            sum: '100',
            payment_method: 'full_payment',
            payment_object: 'service',
            tax: 'none',
          },
        ],
      },
      shp: { order: 'abc 1' },
    });
    expect(r.signature).toBe(v.expected);
    expect(r.signatureBase.replace('***', 'p1')).toBe(v.inputs.signature_base);
    const expected = new URLSearchParams(v.inputs.expected_form_body as string);
    expect(fieldMap(r).get('Receipt')).toBe(expected.get('Receipt'));
    expect(fieldMap(r).get('Receipt')).toBe(v.inputs.receipt_in_signature);
    // PreviousInvoiceID belongs to /Merchant/Recurring, not to a payment; every other field matches.
    for (const [name, value] of expected) {
      if (name === 'PreviousInvoiceID') continue;
      expect(fieldMap(r).get(OUR_NAME[name] ?? name), name).toBe(value);
    }
    const wireReceipt = (v.inputs.expected_form_body as string).match(/&Receipt=([^&]+)/)?.[1];
    expect(r.url).toContain(`&Receipt=${wireReceipt}&`);
  });

  test.each(
    vectors.filter((v) => v.inputs.signature_base === 'login:10:20:p1').map((v) => [v.inputs.algorithm, v.expected]),
  )('algorithm table login:10:20:p1 with %s', (algorithm, expected) => {
    const config = createRobokassaConfig({
      login: 'login',
      password1: 'p1',
      password2: 'p2',
      algorithm: algorithm as HashAlgorithm,
    });
    const r = buildPaymentRequest(config, { outSum: '10', invId: 20, description: 'algorithms' });
    expect(r.signatureBase).toBe('login:10:20:***');
    expect(r.signature).toBe(expected);
  });

  test('73105e50…: the hold-confirm base login:100.00:400001:p1 is the plain payment base', () => {
    const v = vector('73105e50');
    const config = createRobokassaConfig({ login: 'login', password1: 'p1', password2: 'p2' });
    expect(buildPaymentRequest(config, { outSum: '100.00', invId: 400001, description: 'hold' }).signature).toBe(
      v.expected,
    );
  });

  test('all six algorithms are present in the table', () => {
    const algorithms = vectors
      .filter((v) => v.inputs.signature_base === 'login:10:20:p1')
      .map((v) => v.inputs.algorithm);
    expect(algorithms.sort()).toEqual(['md5', 'ripemd160', 'sha1', 'sha256', 'sha384', 'sha512']);
  });
});

describe('igor-netFantom/robokassa-api vectors', () => {
  test('8ca1d1c1…: IsTest=1 is sent but not signed; test Password #1; the same fields as the library URL', () => {
    const v = vector('8ca1d1c1');
    const config = createRobokassaConfig({
      login: 'robo-demo',
      password1: 'live-password',
      password2: 'live-password-2',
      testPassword1: 'password_1',
      testPassword2: 'password_2',
    });
    const r = buildPaymentRequest(config, {
      outSum: '100.00',
      invId: 1,
      description: 'description',
      culture: 'ru',
      isTest: true,
    });
    expect(r.signature).toBe(v.expected);
    const libraryUrl = `https://auth.robokassa.ru/Merchant/Index.aspx?MerchantLogin=robo-demo&OutSum=100.00&Description=description&SignatureValue=${v.expected}&InvId=1&Culture=ru&Encoding=utf-8&IsTest=1`;
    const theirs = [...new URL(libraryUrl).searchParams].sort();
    expect([...new URL(r.url).searchParams].sort()).toEqual(theirs);
  });

  test('9113fcc7…: empty InvId + USD + UserIp — pinned with paymentSignatureBase, refused by the builder', () => {
    const v = vector('9113fcc7');
    const base = paymentSignatureBase({
      login: 'robo-demo',
      outSum: '10.00',
      invId: '',
      outSumCurrency: 'USD',
      userIp: '127.0.0.1',
      password: 'password#1',
    });
    expect(base).toBe(v.inputs.signature_base);
    expect(hashHex('md5', base)).toBe(v.expected);
    // The builder never sends an empty InvId: the shop must own the number (docs/payment.md).
    const config = createRobokassaConfig({ login: 'robo-demo', password1: 'password#1', password2: 'x' });
    const params = { outSum: '10.00', description: 'd', outSumCurrency: 'USD', userIp: '127.0.0.1' } as const;
    let error: unknown;
    try {
      buildPaymentRequest(config, { ...params, invId: '' });
    } catch (e) {
      error = e;
    }
    expect(isKassaError(error, 'INVOICE_ID_OUT_OF_RANGE')).toBe(true);
    // With a real InvId the same modifiers sit in the same places.
    const r = buildPaymentRequest(config, { ...params, invId: 1 });
    expect(r.signatureBase).toBe('robo-demo:10.00:1:USD:127.0.0.1:***');
    expect(r.signature).toBe(hashHex('md5', 'robo-demo:10.00:1:USD:127.0.0.1:password#1'));
  });

  test('b9802782…: raw "@" in lower-case shp_ params — pinned; the builder encodes the value once instead', () => {
    const v = vector('b9802782');
    const received = [
      { name: 'shp_email', value: 'user@example.com' },
      { name: 'shp_user_id', value: '1' },
    ];
    const base = paymentSignatureBase({
      login: 'robo-demo',
      outSum: '10.00',
      invId: 1,
      password: 'password#1',
      shp: received,
    });
    expect(base).toBe(v.inputs.signature_base);
    expect(hashHex('md5', base)).toBe(v.expected);

    // Our rule (official SDK, vector 46e153d0): one spelling Shp_, each value urlencoded once before signing.
    const config = createRobokassaConfig({ login: 'robo-demo', password1: 'password#1', password2: 'x' });
    const params = { outSum: '10.00', invId: 1, description: 'd', shp: { email: 'user@example.com', user_id: '1' } };
    const r = buildPaymentRequest(config, params);
    expect(r.signatureBase).toBe('robo-demo:10.00:1:***:Shp_email=user%40example.com:Shp_user_id=1');
    expect(r.signature).not.toBe(v.expected);
    expect(fieldMap(r).get('Shp_email')).toBe('user%40example.com');
    // ExpirationDate is sent but never signed (the vector's own point).
    const withExpiry = buildPaymentRequest(config, { ...params, expirationDate: '2030-01-01T10:20:30.0000000+03:00' });
    expect(withExpiry.signature).toBe(r.signature);
    expect(fieldMap(withExpiry).get('ExpirationDate')).toBe('2030-01-01T10:20:30.0000000+03:00');
  });

  test.each(['85a14f26', '7c6a9509'])(
    '%s…: raw Receipt JSON in the base is a library convention — pinned, and deliberately not what we sign',
    (prefix) => {
      const v = vector(prefix);
      const receiptJson = v.inputs.receipt_json as string;
      const base = paymentSignatureBase({
        login: 'robo-demo',
        outSum: '100.00',
        invId: 999,
        receipt: receiptJson,
        password: 'password#1',
      });
      expect(base).toBe(v.inputs.signature_base);
      expect(hashHex('md5', base)).toBe(v.expected);

      // The same cart through the builder (with an OutSum that matches its lines, which the library did not check):
      // the Receipt goes into the base urlencoded once (DOC-fisc; docs/receipt.md), never as raw JSON.
      const parsed = JSON.parse(receiptJson) as {
        sno: string;
        items: Array<{ name: string; quantity: number; sum: string; tax: string; [k: string]: unknown }>;
      };
      const config = createRobokassaConfig({ login: 'robo-demo', password1: 'password#1', password2: 'x' });
      const r = buildPaymentRequest(config, {
        outSum: '550.00',
        invId: 999,
        description: 'd',
        receipt: { sno: parsed.sno, items: parsed.items },
      });
      expect(r.signatureBase).not.toContain('{');
      expect(r.signatureBase).toMatch(/^robo-demo:550\.00:999:%7B%22sno%22%3A%22osn%22%2C%22items%22%3A%5B/);
      expect(r.signature).not.toBe(v.expected);
      expect(decodeURIComponent((fieldMap(r).get('Receipt') as string).replaceAll('+', ' '))).toContain(
        parsed.items[0]?.name,
      );
    },
  );
});

describe('@dev-aces/robokassa (DEVACES) on the same orders', () => {
  const login = 'my_merchant_login';
  const password1 = 'my_password1';
  const peer = new Robokassa({ merchantLogin: login, password1, password2: 'my_password2' });
  const config = createRobokassaConfig({ login, password1, password2: 'my_password2' });
  const peerSignature = (url: string) => new URL(url).searchParams.get('SignatureValue');

  test('plain values: both sign the same base', () => {
    const url = peer.generatePaymentUrl({
      outSum: '200.00',
      invId: 84,
      description: 'my_description',
      userParameters: { Shp_user_id: '123', Shp_order: '42' },
    });
    const r = buildPaymentRequest(config, {
      outSum: '200.00',
      invId: 84,
      description: 'my_description',
      shp: { user_id: '123', order: '42' },
    });
    expect(r.signatureBase).toBe('my_merchant_login:200.00:84:***:Shp_order=42:Shp_user_id=123');
    expect(r.signature).toBe(peerSignature(url));
  });

  test('OutSumCurrency and UserIp: same places in the base', () => {
    const url = peer.generatePaymentUrl({
      outSum: '100.00',
      invId: 42,
      description: 'd',
      outSumCurrency: 'USD',
      userIp: '192.164.1.1',
      userParameters: { Shp_user_id: '123' },
    });
    const r = buildPaymentRequest(config, {
      outSum: '100.00',
      invId: 42,
      description: 'd',
      outSumCurrency: 'USD',
      userIp: '192.164.1.1',
      shp: { user_id: '123' },
    });
    expect(r.signature).toBe(peerSignature(url));
  });

  test('a receipt: the peer signs raw JSON (dev-aces#6), we sign it urlencoded once', () => {
    const receipt = { items: [{ name: 'test', quantity: 1, sum: 200, tax: 'vat20' as const }] };
    const url = peer.generatePaymentUrl({ outSum: '200.00', invId: 84, description: 'd', receipt });
    const r = buildPaymentRequest(config, {
      outSum: '200.00',
      invId: 84,
      description: 'd',
      receipt: { items: [{ ...receipt.items[0], sum: '200' }] } as never,
    });
    const raw = '{"items":[{"name":"test","quantity":1,"sum":200,"tax":"vat20"}]}';
    expect(peerSignature(url)).toBe(createHash('md5').update(`${login}:200.00:84:${raw}:${password1}`).digest('hex'));
    expect(r.signatureBase).toBe(
      `${login}:200.00:84:%7B%22items%22%3A%5B%7B%22name%22%3A%22test%22%2C%22quantity%22%3A1%2C%22sum%22%3A200%2C%22tax%22%3A%22vat20%22%7D%5D%7D:***`,
    );
    expect(r.signature).not.toBe(peerSignature(url));
  });
});
