/**
 * Every kind of payment request @kassa/core builds is accepted by the sandbox, over GET and over a POST form.
 * The two sides share no signing code (the sandbox recomputes from what it received), so a bug in either shows here.
 */
import {
  buildPaymentRequest,
  type Country,
  createRobokassaConfig,
  HASH_ALGORITHMS,
  type HashAlgorithm,
  type PaymentParams,
} from '@kassa/core/robokassa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type PayOutcome, type Sandbox, startSandbox } from '../src/index.js';

/** `accepted`, or what the sandbox refused with (its error code and detail), so a failure shows why. */
const verdict = (o: PayOutcome) => (o.ok ? 'accepted' : 'error' in o ? o.error : o.reason);

let sandbox: Sandbox;

const passwords = {
  password1: 'Пароль#1 secret',
  password2: 'p2:secret',
  testPassword1: 'test-one',
  testPassword2: 'test-two',
};

beforeAll(async () => {
  sandbox = await startSandbox({
    retryBackoffMs: 0,
    merchants: [
      ...HASH_ALGORITHMS.map((algorithm) => ({ login: `shop-${algorithm}`, algorithm, ...passwords })),
      { login: 'shop-kz', country: 'KZ' as const, algorithm: 'sha256' as const, ...passwords },
    ],
  });
});
afterAll(() => sandbox.stop());

function configFor(algorithm: HashAlgorithm, country: Country = 'RU', testMode = false) {
  return createRobokassaConfig({
    login: country === 'KZ' ? 'shop-kz' : `shop-${algorithm}`,
    algorithm,
    country,
    testMode,
    baseUrl: sandbox.url,
    ...passwords,
  });
}

const receipt = {
  sno: 'osn' as const,
  items: [
    {
      name: 'Чайник «Ласточка» 1,7 л',
      quantity: 1,
      sum: '1000.00',
      tax: 'vat22' as const,
      payment_method: 'full_payment' as const,
      payment_object: 'commodity' as const,
    },
    {
      name: 'Доставка & "упаковка"',
      quantity: 1,
      sum: '500.50',
      tax: 'vat20' as const,
      payment_method: 'full_payment' as const,
      payment_object: 'service' as const,
    },
  ],
};
const hardShp = {
  note: 'Привет, мир: a&b=c+d%20 @home',
  email: 'buyer+tag@example.com',
  order: '42',
};

const cases: Array<[string, PaymentParams, { country?: Country; testMode?: boolean }?]> = [
  ['plain', { outSum: '1500.50', invId: 1, description: 'Заказ 1' }],
  ['with a receipt', { outSum: '1500.50', invId: 2, description: 'Заказ 2', receipt }],
  ['with hard Shp_ values', { outSum: '10', invId: 3, description: 'Shp', shp: hardShp }],
  ['a hold (StepByStep)', { outSum: '1500.50', invId: 4, description: 'Hold', stepByStep: true, receipt }],
  ['test mode', { outSum: '99.99', invId: 5, description: 'Test' }, { testMode: true }],
  [
    'every optional parameter',
    {
      outSum: '1500.50',
      invId: 6,
      description: 'All',
      outSumCurrency: 'USD',
      userIp: '203.0.113.7',
      email: 'buyer@example.com',
      culture: 'en',
      incCurrLabel: 'BankCardPSR',
      expirationDate: new Date(Date.now() + 86_400_000),
      resultUrl2: 'https://shop.example/robokassa/result2?x=1&y=2',
      successUrl2: { url: 'https://shop.example/ok?order=6', method: 'POST' },
      failUrl2: { url: 'https://shop.example/fail?order=6', method: 'GET' },
      shp: hardShp,
      receipt,
    },
  ],
  ['a recurring parent', { outSum: '100.00', invId: 7, description: 'Subscription', recurring: true }],
];

describe.each(HASH_ALGORITHMS)('core → sandbox with %s', (algorithm) => {
  test.each(cases)('%s (GET and POST)', async (_name, params, opts) => {
    const invBase = HASH_ALGORITHMS.indexOf(algorithm) * 100;
    const config = configFor(algorithm, opts?.country, opts?.testMode);
    const request = buildPaymentRequest(config, { ...params, invId: invBase + Number(params.invId) });

    const viaGet = await sandbox.admin.pay({ url: request.url, action: 'open' });
    expect(verdict(viaGet)).toBe('accepted');

    const viaPost = await sandbox.admin.pay({
      params: request.form.fields.map((f) => [f.name, f.value] as [string, string]),
      action: 'open',
    });
    expect(verdict(viaPost)).toBe('accepted');
  });
});

test('a Kazakh shop (KZ host, KZ tax rates, KZT) is accepted', async () => {
  const config = configFor('sha256', 'KZ');
  const request = buildPaymentRequest(config, {
    outSum: '5000.00',
    invId: 9001,
    description: 'Тапсырыс',
    receipt: {
      items: [
        {
          name: 'Тауар',
          quantity: 2,
          sum: '5000.00',
          tax: 'vat12',
          payment_method: 'full_payment',
          payment_object: 'commodity',
        },
      ],
    },
  });
  const outcome = await sandbox.admin.pay({ url: request.url, action: 'open' });
  expect(verdict(outcome)).toBe('accepted');
});

test('a one-character change to a signed field is refused with error 29', async () => {
  const config = configFor('md5');
  const request = buildPaymentRequest(config, { outSum: '10.00', invId: 9100, description: 'x', shp: hardShp });
  const tampered = request.url.replace('OutSum=10.00', 'OutSum=10.01');
  const outcome = await sandbox.admin.pay({ url: tampered, action: 'open' });
  expect(verdict(outcome)).toMatchObject({ code: 29 });
});
