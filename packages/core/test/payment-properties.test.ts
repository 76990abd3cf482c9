import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { HASH_ALGORITHMS, type HashAlgorithm } from '../src/hash.js';
import { formatMoney, type Money } from '../src/money.js';
import { createRobokassaConfig, type RobokassaConfig } from '../src/robokassa/config.js';
import { buildFormBody, parseFormBody } from '../src/robokassa/encoding.js';
import { buildPaymentRequest, type PaymentParams, type PaymentRequest } from '../src/robokassa/payment.js';
import { RECEIPT_TAXES, type ReceiptItemInput } from '../src/robokassa/receipt.js';
import { decodeShpValues, receivedShp } from '../src/robokassa/shp.js';

/** No lone surrogates (ES2024 `isWellFormed`, not in this project's lib yet). */
const wellFormed = (s: string) => (s as string & { isWellFormed(): boolean }).isWellFormed();

const LIVE = 'live-Pass#1';
const TEST = 'test-Pass#1';

function configFor(algorithm: HashAlgorithm): RobokassaConfig {
  return createRobokassaConfig({
    login: 'prop-shop',
    password1: LIVE,
    password2: 'live-Pass#2',
    testPassword1: TEST,
    testPassword2: 'test-Pass#2',
    algorithm,
  });
}

/**
 * What the sandbox (and Robokassa) does with a request: take the fields as received (one level of form decoding),
 * look names up ignoring case, build the base of protocol §1.2 from them and compare hashes. Written here from the
 * protocol notes, independently of the code under test.
 */
function verifyAsReceived(
  received: ReadonlyArray<readonly [string, string]>,
  algorithm: HashAlgorithm,
): { ok: boolean; base: string } {
  const get = (name: string) => received.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  const parts: string[] = [get('MerchantLogin') ?? '', get('OutSum') ?? '', get('InvId') ?? get('InvoiceID') ?? ''];
  for (const name of ['OutSumCurrency', 'UserIp', 'Receipt']) {
    const value = get(name);
    if (value) parts.push(value);
  }
  if (get('StepByStep') === 'true') parts.push('true');
  for (const name of ['ResultUrl2', 'SuccessUrl2', 'SuccessUrl2Method', 'FailUrl2', 'FailUrl2Method', 'Token']) {
    const value = get(name);
    if (value) parts.push(value);
  }
  parts.push(get('IsTest') === '1' ? TEST : LIVE);
  const shp = received
    .filter(([k]) => k.toLowerCase().startsWith('shp_'))
    .sort(([a], [b]) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
  for (const [k, v] of shp) parts.push(`${k}=${v}`);
  const base = parts.join(':');
  const signature = createHash(algorithm).update(base, 'utf8').digest('hex');
  return { ok: signature === (get('SignatureValue') ?? '').toLowerCase(), base };
}

/** The three ways a request reaches Robokassa, each decoded once as a server does. */
function receivedVersions(r: PaymentRequest): Record<string, Array<readonly [string, string]>> {
  const pairs = r.form.fields.map((f) => [f.name, f.value] as const);
  // A browser submitting the form: the WHATWG form serializer, independent of our encoder.
  const browserBody = new URLSearchParams(pairs.map(([k, v]) => [k, v])).toString();
  return {
    'POST form (browser)': [...new URLSearchParams(browserBody)],
    'POST form (our encoder)': parseFormBody(buildFormBody(pairs)),
    'GET URL': [...new URL(r.url).searchParams],
  };
}

const realBase = (r: PaymentRequest) => r.signatureBase.replace('***', r.isTest ? TEST : LIVE);

// ---------------------------------------------------------------------------------------------------------------
// Generators

const tricky = fc.constantFrom(
  ' ',
  '@',
  ':',
  '&',
  '=',
  '+',
  '%',
  '%2B',
  '%%41',
  '#',
  '?',
  '/',
  '\\',
  '"',
  "'",
  '~',
  '*',
  '\n',
  'Я',
  'ё',
  'Вася',
  '€',
  '😀',
  '👍🏽',
  '👨‍👩‍👧',
  'Ω',
);
const anyChar = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 });
const shpValue = fc
  .string({ unit: fc.oneof(tricky, anyChar, fc.constantFrom('a', 'Z', '0', '-', '_', '.')), maxLength: 20 })
  .filter(wellFormed);
const shpName = fc.stringMatching(/^[a-z0-9_]{1,10}$/);
const shpInput = fc.dictionary(shpName, shpValue, { maxKeys: 5 });

const description = fc
  .string({ unit: fc.oneof(tricky, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), minLength: 1 })
  .filter((s) => s.length <= 100 && /\S/.test(s) && wellFormed(s));

const itemArb = fc.record({
  name: fc
    .string({ unit: fc.oneof(tricky, fc.constantFrom('Чай', 'tea', ' ', '"', '50%')), minLength: 1, maxLength: 10 })
    .filter((s) => /\S/.test(s) && s.length <= 128),
  quantity: fc.constantFrom<number | string>(1, 2, 0.5, '1.250', 99999.999),
  minor: fc.bigInt({ min: 0n, max: 1_000_000n }),
  asMoney: fc.boolean(),
  tax: fc.constantFrom(...RECEIPT_TAXES.RU),
  payment_method: fc.option(fc.constantFrom('full_payment' as const, 'advance' as const), { nil: undefined }),
});

const redirect = fc.record({
  url: fc.constantFrom('https://shop.example/ok', 'http://127.0.0.1:9000/a?b=1&c=д', 'https://x.example/%7E/p'),
  method: fc.constantFrom('GET' as const, 'POST' as const),
});

const paramsArb = fc
  .record(
    {
      invId: fc.oneof(fc.integer({ min: 1, max: 2_147_483_647 }), fc.integer({ min: 1, max: 99999 }).map(String)),
      description,
      items: fc.option(fc.array(itemArb, { minLength: 1, maxLength: 4 }), { nil: undefined }),
      minor: fc.bigInt({ min: 1n, max: 9_999_999_999n }),
      outSumAsMoney: fc.boolean(),
      sno: fc.option(fc.constantFrom('osn' as const, 'usn_income' as const), { nil: undefined }),
      outSumCurrency: fc.option(fc.constantFrom('USD' as const, 'EUR' as const, 'KZT' as const), { nil: undefined }),
      userIp: fc.option(fc.constantFrom('127.0.0.1', '2001:db8::1', '::ffff:10.0.0.1'), { nil: undefined }),
      isTest: fc.option(fc.boolean(), { nil: undefined }),
      stepByStep: fc.option(fc.boolean(), { nil: undefined }),
      recurring: fc.option(fc.boolean(), { nil: undefined }),
      resultUrl2: fc.option(fc.constantFrom('https://shop.example/r2', 'https://shop.example/r2?x=1&y=a:b'), {
        nil: undefined,
      }),
      successUrl2: fc.option(redirect, { nil: undefined }),
      failUrl2: fc.option(redirect, { nil: undefined }),
      token: fc.option(fc.constantFrom('E1253728-48A9-488D-A045-9954C442AF5C-qNavrXC6Y4'), { nil: undefined }),
      email: fc.option(fc.constantFrom('buyer@example.com', 'a.b+c@x.example'), { nil: undefined }),
      culture: fc.option(fc.constantFrom('ru' as const, 'en' as const), { nil: undefined }),
      paymentMethods: fc.option(fc.constantFrom(['BankCard'], ['BankCard', 'SBP']), { nil: undefined }),
      expirationDate: fc.option(fc.constantFrom('2030-01-01T10:20:30+03:00', new Date(Date.UTC(2031, 5, 1))), {
        nil: undefined,
      }),
      shp: fc.option(shpInput, { nil: undefined }),
    },
    { requiredKeys: ['invId', 'description', 'minor', 'outSumAsMoney'] },
  )
  .map((g): PaymentParams => {
    const currency = g.outSumCurrency ?? 'RUB';
    let outSumMoney: Money = { currency, minor: g.minor };
    let receipt: PaymentParams['receipt'];
    if (g.items) {
      const items: ReceiptItemInput[] = g.items.map((it) => {
        const sum: Money = { currency, minor: it.minor };
        return {
          name: it.name,
          quantity: it.quantity,
          sum: it.asMoney ? sum : formatMoney(sum),
          tax: it.tax,
          ...(it.payment_method && { payment_method: it.payment_method }),
        };
      });
      const total = g.items.reduce((acc, it) => acc + it.minor, 0n);
      outSumMoney = { currency, minor: total === 0n ? 1n : total };
      if (total === 0n) items.push({ name: 'rounding', quantity: 1, sum: '0.01', tax: 'none' });
      receipt = { items, ...(g.sno && { sno: g.sno }) };
    }
    const { items: _i, minor: _m, outSumAsMoney, sno: _s, ...rest } = g;
    return {
      ...rest,
      outSum: outSumAsMoney ? outSumMoney : formatMoney(outSumMoney),
      ...(receipt && { receipt }),
    } as PaymentParams;
  });

// ---------------------------------------------------------------------------------------------------------------

describe('what Robokassa receives is what we signed', () => {
  test('Shp values of any content: every transport delivers exactly the signed values, and they decode back', () => {
    const config = configFor('md5');
    fc.assert(
      fc.property(shpInput, (shp) => {
        const r = buildPaymentRequest(config, { outSum: '10.00', invId: 1, description: 'd', shp });
        const signedShp = r.signatureBase.split(':***')[1] ?? '';
        for (const [how, received] of Object.entries(receivedVersions(r))) {
          const verdict = verifyAsReceived(received, 'md5');
          expect(verdict.base, how).toBe(realBase(r));
          expect(verdict.ok, how).toBe(true);
          const got = receivedShp(received);
          expect(got.map((e) => `:${e.name}=${e.value}`).join(''), how).toBe(signedShp);
          expect(decodeShpValues(got), how).toEqual(shp);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('any valid payment: the independent verifier accepts every transport, for every algorithm', () => {
    fc.assert(
      fc.property(paramsArb, fc.constantFrom(...HASH_ALGORITHMS), (params, algorithm) => {
        const r = buildPaymentRequest(configFor(algorithm), params);
        for (const [how, received] of Object.entries(receivedVersions(r))) {
          const verdict = verifyAsReceived(received, algorithm);
          expect(verdict.base, how).toBe(realBase(r));
          expect(verdict.ok, how).toBe(true);
        }
        expect(r.signatureBase).not.toContain(LIVE);
        expect(r.signatureBase).not.toContain(TEST);
      }),
      { numRuns: 300 },
    );
  });

  test('a tampered field fails the independent verifier', () => {
    const config = configFor('sha256');
    fc.assert(
      fc.property(paramsArb, fc.nat(), (params, pick) => {
        const r = buildPaymentRequest(config, params);
        const received = [...new URL(r.url).searchParams].map(([k, v]) => [k, v] as [string, string]);
        const signed = received.filter(([k]) =>
          /^(OutSum|InvId|OutSumCurrency|UserIp|Receipt|ResultUrl2|SuccessUrl2|FailUrl2|Token|Shp_.*)$/.test(k),
        );
        const target = signed[pick % signed.length] as [string, string];
        target[1] = `${target[1]}0`;
        expect(verifyAsReceived(received, 'sha256').ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
