import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, test } from 'vitest';
import { isKassaError, type KassaError, type KassaErrorCode } from '../src/errors.js';
import { HASH_ALGORITHMS } from '../src/hash.js';
import { moneyFromMinor } from '../src/money.js';
import { createRobokassaConfig } from '../src/robokassa/config.js';
import {
  buildPaymentRequest,
  formatExpirationDate,
  hostFor,
  type PaymentParams,
  type PaymentRequest,
  paymentSignature,
  paymentSignatureBase,
} from '../src/robokassa/payment.js';

const PASSWORD1 = 'Pass-One_secret';
const TEST_PASSWORD1 = 'Test-One_secret';
const config = createRobokassaConfig({
  login: 'demo-shop',
  password1: PASSWORD1,
  password2: 'Pass-Two_secret',
  testPassword1: TEST_PASSWORD1,
  testPassword2: 'Test-Two_secret',
});
const base: PaymentParams = { outSum: '1500.00', invId: 42, description: 'Заказ 42' };

function caught(fn: () => unknown): KassaError {
  try {
    fn();
  } catch (error) {
    if (isKassaError(error)) return error;
    throw error;
  }
  throw new Error('expected a KassaError');
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
const field = (r: PaymentRequest, name: string) => r.form.fields.filter((f) => f.name === name).map((f) => f.value);
/** The signed base with the real password, from the printed one. */
const realBase = (r: PaymentRequest, password = PASSWORD1) => r.signatureBase.replace('***', password);

describe('buildPaymentRequest: the basic request', () => {
  const r = buildPaymentRequest(config, base);

  test('signs login:OutSum:InvId:Password#1 and sends the fields in a fixed order', () => {
    expect(r.signatureBase).toBe('demo-shop:1500.00:42:***');
    expect(r.signature).toBe(md5(`demo-shop:1500.00:42:${PASSWORD1}`));
    expect(r.signature).toMatch(/^[0-9a-f]{32}$/);
    expect(r.form.fields).toEqual([
      { name: 'MerchantLogin', value: 'demo-shop' },
      { name: 'OutSum', value: '1500.00' },
      { name: 'InvId', value: '42' },
      { name: 'Description', value: 'Заказ 42' },
      { name: 'SignatureValue', value: r.signature },
      { name: 'Encoding', value: 'utf-8' },
    ]);
    expect(r.isTest).toBe(false);
  });

  test('the GET URL carries the same fields, form-encoded', () => {
    expect(r.url).toBe(
      `https://auth.robokassa.ru/Merchant/Index.aspx?MerchantLogin=demo-shop&OutSum=1500.00&InvId=42&Description=%D0%97%D0%B0%D0%BA%D0%B0%D0%B7+42&SignatureValue=${r.signature}&Encoding=utf-8`,
    );
    expect([...new URL(r.url).searchParams]).toEqual(r.form.fields.map((f) => [f.name, f.value]));
    expect(r.form).toMatchObject({ action: 'https://auth.robokassa.ru/Merchant/Index.aspx', method: 'POST' });
  });

  test('the password never shows: base, JSON, inspect', () => {
    const printed = [r.signatureBase, JSON.stringify(r), inspect(r, { depth: 6 }), r.url];
    for (const p of printed) expect(p).not.toContain(PASSWORD1);
    expect(JSON.parse(JSON.stringify(r)).signatureBase).toBe('demo-shop:1500.00:42:***');
  });

  test('a password that also appears elsewhere is masked there too', () => {
    const leaky = buildPaymentRequest(config, { ...base, shp: { note: PASSWORD1 } });
    expect(leaky.signatureBase).toBe('demo-shop:1500.00:42:***:Shp_note=***');
    const star = createRobokassaConfig({ login: 'demo-shop', password1: 'a*b', password2: 'x' });
    expect(buildPaymentRequest(star, base).signatureBase).toBe('demo-shop:1500.00:42:***');
  });

  test('KZ shops go to robokassa.kz; baseUrl overrides go everywhere', () => {
    const kz = createRobokassaConfig({ login: 'kz', password1: 'p', password2: 'q', country: 'KZ' });
    expect(buildPaymentRequest(kz, { ...base, outSum: '100' }).url).toMatch(
      /^https:\/\/auth\.robokassa\.kz\/Merchant\/Index\.aspx\?/,
    );
    const local = createRobokassaConfig({ login: 'l', password1: 'p', password2: 'q', baseUrl: 'http://127.0.0.1:9' });
    expect(buildPaymentRequest(local, base).form.action).toBe('http://127.0.0.1:9/Merchant/Index.aspx');
    expect(hostFor('RU')).toBe('https://auth.robokassa.ru');
    expect(hostFor('KZ')).toBe('https://auth.robokassa.kz');
  });

  test('every hash algorithm, lower-case hex of the same base', () => {
    for (const algorithm of HASH_ALGORITHMS) {
      const c = createRobokassaConfig({ login: 'demo-shop', password1: PASSWORD1, password2: 'x', algorithm });
      const req = buildPaymentRequest(c, base);
      expect(req.signature).toBe(createHash(algorithm).update(realBase(req), 'utf8').digest('hex'));
    }
  });
});

describe('OutSum', () => {
  test('a decimal string is signed and sent exactly as given', () => {
    for (const outSum of ['5', '10', '100.00', '100.5', '0.01', '99999999.99', '007']) {
      const r = buildPaymentRequest(config, { ...base, outSum });
      expect(field(r, 'OutSum')).toEqual([outSum]);
      expect(r.signatureBase).toBe(`demo-shop:${outSum}:42:***`);
    }
  });

  test('Money is written with two decimals', () => {
    expect(field(buildPaymentRequest(config, { ...base, outSum: moneyFromMinor(150000n) }), 'OutSum')).toEqual([
      '1500.00',
    ]);
    expect(field(buildPaymentRequest(config, { ...base, outSum: moneyFromMinor(5n) }), 'OutSum')).toEqual(['0.05']);
  });

  test.each([
    ['0', 'MONEY_ZERO'],
    ['0.00', 'MONEY_ZERO'],
    ['-5', 'MONEY_NEGATIVE'],
    ['1.005', 'MONEY_TOO_PRECISE'],
    ['1,50', 'MONEY_INVALID_FORMAT'],
    ['', 'MONEY_INVALID_FORMAT'],
    ['5.', 'MONEY_INVALID_FORMAT'],
    ['1e3', 'MONEY_INVALID_FORMAT'],
    ['100000000.00', 'MONEY_TOO_LARGE'],
    [15.5, 'MONEY_NOT_A_STRING'],
    [undefined, 'MONEY_NOT_A_STRING'],
  ] as const)('%j → %s', (outSum, code) => {
    const error = caught(() => buildPaymentRequest(config, { ...base, outSum: outSum as string }));
    expect(error.code).toBe(code);
    expect(error.details.issues).toEqual([expect.objectContaining({ path: 'outSum', code })]);
  });

  test('Money outside the limits or in an unknown currency', () => {
    expect(caught(() => buildPaymentRequest(config, { ...base, outSum: { currency: 'RUB', minor: 0n } })).code).toBe(
      'MONEY_ZERO',
    );
    expect(
      caught(() => buildPaymentRequest(config, { ...base, outSum: { currency: 'GBP', minor: 1n } as never })).code,
    ).toBe('MONEY_UNKNOWN_CURRENCY');
  });

  test('MONEY_CURRENCY_MISMATCH when Money disagrees with outSumCurrency or the shop currency', () => {
    const usd = moneyFromMinor(1000n, 'USD');
    expect(caught(() => buildPaymentRequest(config, { ...base, outSum: usd })).code).toBe('MONEY_CURRENCY_MISMATCH');
    expect(caught(() => buildPaymentRequest(config, { ...base, outSum: usd, outSumCurrency: 'EUR' })).code).toBe(
      'MONEY_CURRENCY_MISMATCH',
    );
    const ok = buildPaymentRequest(config, { ...base, outSum: usd, outSumCurrency: 'USD' });
    expect(ok.signatureBase).toBe('demo-shop:10.00:42:USD:***');
  });
});

describe('InvId', () => {
  test.each([
    [1, '1'],
    [2147483647, '2147483647'],
    ['42', '42'],
    ['0042', '42'],
    [42n, '42'],
  ] as const)('%s is sent as %s', (invId, sent) => {
    const r = buildPaymentRequest(config, { ...base, invId });
    expect(field(r, 'InvId')).toEqual([sent]);
    expect(r.signatureBase).toBe(`demo-shop:1500.00:${sent}:***`);
  });

  test.each([0, -1, 2147483648, 1.5, Number.NaN, '', '0', 'abc', '1e3', ' 1', 0n, null, undefined])(
    'INVOICE_ID_OUT_OF_RANGE for %s: the shop allocates a real number',
    (invId) => {
      const error = caught(() => buildPaymentRequest(config, { ...base, invId: invId as number }));
      expect(error.code).toBe('INVOICE_ID_OUT_OF_RANGE');
      expect(error.message).toContain('1 to 2147483647');
    },
  );
});

describe('other validated parameters', () => {
  test('DESCRIPTION_TOO_LONG over 100 characters; 100 is fine', () => {
    expect(field(buildPaymentRequest(config, { ...base, description: 'я'.repeat(100) }), 'Description')).toHaveLength(
      1,
    );
    const error = caught(() => buildPaymentRequest(config, { ...base, description: 'я'.repeat(101) }));
    expect(error.code).toBe('DESCRIPTION_TOO_LONG');
    expect(error.message).toContain('101');
  });

  test.each(['', '   ', 'bad \uD800', 5])('PAYMENT_INVALID for description %j', (description) => {
    expect(caught(() => buildPaymentRequest(config, { ...base, description: description as string })).code).toBe(
      'PAYMENT_INVALID',
    );
  });

  test('EMAIL_INVALID', () => {
    for (const email of ['not-an-email', 'a@b', 'a b@example.com', `${'a'.repeat(250)}@example.com`]) {
      expect(caught(() => buildPaymentRequest(config, { ...base, email })).code).toBe('EMAIL_INVALID');
    }
    const r = buildPaymentRequest(config, { ...base, email: 'buyer+1@example.com' });
    expect(field(r, 'Email')).toEqual(['buyer+1@example.com']);
    expect(r.url).toContain('&Email=buyer%2B1%40example.com');
    expect(r.signatureBase).toBe('demo-shop:1500.00:42:***');
  });

  test('SHP_NAME_INVALID, SHP_DUPLICATE and SHP_TOO_LONG come through unchanged', () => {
    expect(caught(() => buildPaymentRequest(config, { ...base, shp: { OrderId: '1' } })).code).toBe('SHP_NAME_INVALID');
    expect(caught(() => buildPaymentRequest(config, { ...base, shp: { a: '1', Shp_a: '2' } })).code).toBe(
      'SHP_DUPLICATE',
    );
    expect(caught(() => buildPaymentRequest(config, { ...base, shp: { a: 'x'.repeat(3000) } })).code).toBe(
      'SHP_TOO_LONG',
    );
    expect(caught(() => buildPaymentRequest(config, { ...base, shp: { a: 1 } as never })).code).toBe('PAYMENT_INVALID');
  });

  test.each([
    ['incCurrLabel', 'Bank Card'],
    ['paymentMethods', []],
    ['paymentMethods', ['BankCard', 'S B P']],
    ['culture', 'de'],
    ['outSumCurrency', 'RUB'],
    ['userIp', '300.1.1.1'],
    ['userIp', 'localhost'],
    ['isTest', 'yes'],
    ['recurring', 1],
    ['stepByStep', 'true'],
    ['resultUrl2', 'ftp://example.com/x'],
    ['resultUrl2', '/relative'],
    ['resultUrl2', 'https://example.com/a b'],
    ['successUrl2', { url: 'https://example.com/ok', method: 'get' }],
    ['failUrl2', { url: 'https://example.com/fail' }],
    ['token', 'not a token'],
    ['expirationDate', '2030-01-01T10:00:00'],
    ['expirationDate', '2030-02-30T10:00:00+03:00'],
    ['expirationDate', new Date(Number.NaN)],
    ['expirationDate', 1893456000000],
    ['receipt', 'not a receipt'],
    ['unknownParam', 1],
  ] as const)('PAYMENT_INVALID for %s = %j', (key, value) => {
    const params = { ...base, [key]: value } as PaymentParams;
    const error = caught(() => buildPaymentRequest(config, params));
    expect(error.code).toBe(key === 'receipt' ? 'RECEIPT_INVALID' : 'PAYMENT_INVALID');
  });

  test('several problems of different kinds: one PAYMENT_INVALID listing each with its own code', () => {
    const error = caught(() =>
      buildPaymentRequest(config, {
        outSum: '0',
        invId: 0,
        description: 'я'.repeat(101),
        email: 'nope',
        culture: 'de' as never,
      }),
    );
    expect(error.code).toBe('PAYMENT_INVALID');
    const issues = error.details.issues as Array<{ path: string; code: KassaErrorCode }>;
    expect(Object.fromEntries(issues.map((i) => [i.path, i.code]))).toEqual({
      outSum: 'MONEY_ZERO',
      invId: 'INVOICE_ID_OUT_OF_RANGE',
      description: 'DESCRIPTION_TOO_LONG',
      email: 'EMAIL_INVALID',
      culture: 'PAYMENT_INVALID',
    });
  });

  test('not an object at all', () => {
    expect(caught(() => buildPaymentRequest(config, null as never)).code).toBe('PAYMENT_INVALID');
    expect(caught(() => buildPaymentRequest(config, 'x' as never)).code).toBe('PAYMENT_INVALID');
  });
});

describe('modifiers', () => {
  test('OutSumCurrency and UserIp are signed right after InvId', () => {
    const r = buildPaymentRequest(config, { ...base, outSumCurrency: 'KZT', userIp: '2001:db8::1' });
    expect(r.signatureBase).toBe('demo-shop:1500.00:42:KZT:2001:db8::1:***');
    expect(field(r, 'OutSumCurrency')).toEqual(['KZT']);
    expect(field(r, 'UserIp')).toEqual(['2001:db8::1']);
    expect(r.url).toContain('&UserIp=2001%3Adb8%3A%3A1');
  });

  test('StepByStep is signed as the literal true; Recurring is sent but not signed', () => {
    const hold = buildPaymentRequest(config, { ...base, stepByStep: true });
    expect(hold.signatureBase).toBe('demo-shop:1500.00:42:true:***');
    expect(field(hold, 'StepByStep')).toEqual(['true']);
    const parent = buildPaymentRequest(config, { ...base, recurring: true });
    expect(parent.signatureBase).toBe('demo-shop:1500.00:42:***');
    expect(field(parent, 'Recurring')).toEqual(['true']);
    const off = buildPaymentRequest(config, { ...base, stepByStep: false, recurring: false });
    expect(off.signatureBase).toBe('demo-shop:1500.00:42:***');
    expect(field(off, 'StepByStep')).toEqual([]);
    expect(field(off, 'Recurring')).toEqual([]);
  });

  test('ResultUrl2, SuccessUrl2 and FailUrl2 are signed unencoded (since June 2025) and sent form-encoded', () => {
    const r = buildPaymentRequest(config, {
      ...base,
      resultUrl2: 'https://shop.example/rk/result2?x=1&y=2',
      successUrl2: { url: 'https://shop.example/ok', method: 'GET' },
      failUrl2: { url: 'https://shop.example/fail', method: 'POST' },
    });
    expect(r.signatureBase).toBe(
      'demo-shop:1500.00:42:https://shop.example/rk/result2?x=1&y=2:https://shop.example/ok:GET:https://shop.example/fail:POST:***',
    );
    expect(field(r, 'ResultUrl2')).toEqual(['https://shop.example/rk/result2?x=1&y=2']);
    expect(r.url).toContain('&ResultUrl2=https%3A%2F%2Fshop.example%2Frk%2Fresult2%3Fx%3D1%26y%3D2');
    expect(field(r, 'SuccessUrl2Method')).toEqual(['GET']);
    expect(field(r, 'FailUrl2Method')).toEqual(['POST']);
    expect(new URL(r.url).searchParams.get('ResultUrl2')).toBe('https://shop.example/rk/result2?x=1&y=2');
  });

  test('one of SuccessUrl2 / FailUrl2 alone adds its own two parts', () => {
    const r = buildPaymentRequest(config, { ...base, failUrl2: { url: 'https://shop.example/fail', method: 'GET' } });
    expect(r.signatureBase).toBe('demo-shop:1500.00:42:https://shop.example/fail:GET:***');
  });

  test('Token (card on file) is signed last before the password and goes to CoFPayment', () => {
    const token = 'E1253728-48A9-488D-A045-9954C442AF5C-qNavrXC6Y4';
    const r = buildPaymentRequest(config, { ...base, resultUrl2: 'https://shop.example/r2', token });
    expect(r.signatureBase).toBe(`demo-shop:1500.00:42:https://shop.example/r2:${token}:***`);
    expect(r.form.action).toBe('https://auth.robokassa.ru/Merchant/Payment/CoFPayment');
    expect(r.url.startsWith('https://auth.robokassa.ru/Merchant/Payment/CoFPayment?')).toBe(true);
  });

  test('the full order of §1.2 with every modifier and Shp', () => {
    const r = buildPaymentRequest(config, {
      outSum: '10.00',
      invId: 7,
      description: 'x',
      outSumCurrency: 'USD',
      userIp: '127.0.0.1',
      receipt: { items: [{ name: 'A', quantity: 1, sum: '10', tax: 'none' }] },
      stepByStep: true,
      resultUrl2: 'https://s.example/r2',
      successUrl2: { url: 'https://s.example/ok', method: 'GET' },
      failUrl2: { url: 'https://s.example/no', method: 'POST' },
      token: 'TOKEN-1',
      shp: { b: '2', a: '1 1' },
    });
    const receipt =
      '%7B%22items%22%3A%5B%7B%22name%22%3A%22A%22%2C%22quantity%22%3A1%2C%22sum%22%3A10%2C%22tax%22%3A%22none%22%7D%5D%7D';
    expect(r.signatureBase).toBe(
      `demo-shop:10.00:7:USD:127.0.0.1:${receipt}:true:https://s.example/r2:https://s.example/ok:GET:https://s.example/no:POST:TOKEN-1:***:Shp_a=1+1:Shp_b=2`,
    );
    expect(r.signature).toBe(md5(realBase(r)));
    expect(r.form.fields.map((f) => f.name)).toEqual([
      'MerchantLogin',
      'OutSum',
      'InvId',
      'Description',
      'SignatureValue',
      'OutSumCurrency',
      'UserIp',
      'Encoding',
      'Receipt',
      'StepByStep',
      'ResultUrl2',
      'SuccessUrl2',
      'SuccessUrl2Method',
      'FailUrl2',
      'FailUrl2Method',
      'Token',
      'Shp_a',
      'Shp_b',
    ]);
  });

  test('unsigned extras: IncCurrLabel, PaymentMethods (repeated), Culture, Email, ExpirationDate', () => {
    const r = buildPaymentRequest(config, {
      ...base,
      incCurrLabel: 'BankCardPSR',
      paymentMethods: ['BankCard', 'SBP'],
      culture: 'en',
      expirationDate: '2030-01-01T10:20:30+03:00',
    });
    expect(r.signatureBase).toBe('demo-shop:1500.00:42:***');
    expect(field(r, 'IncCurrLabel')).toEqual(['BankCardPSR']);
    expect(field(r, 'PaymentMethods')).toEqual(['BankCard', 'SBP']);
    expect(r.url).toContain('&PaymentMethods=BankCard&PaymentMethods=SBP');
    expect(field(r, 'Culture')).toEqual(['en']);
    expect(field(r, 'ExpirationDate')).toEqual(['2030-01-01T10:20:30.0000000+03:00']);
    expect(r.url).toContain('&ExpirationDate=2030-01-01T10%3A20%3A30.0000000%2B03%3A00');
  });

  test('Culture defaults to the config; the param wins', () => {
    const en = createRobokassaConfig({ login: 'demo-shop', password1: 'p', password2: 'q', culture: 'en' });
    expect(field(buildPaymentRequest(en, base), 'Culture')).toEqual(['en']);
    expect(field(buildPaymentRequest(en, { ...base, culture: 'ru' }), 'Culture')).toEqual(['ru']);
    expect(field(buildPaymentRequest(config, base), 'Culture')).toEqual([]);
  });
});

describe('test mode', () => {
  test('IsTest=1 (unsigned) and the test Password #1', () => {
    const r = buildPaymentRequest(config, { ...base, isTest: true });
    expect(r.isTest).toBe(true);
    expect(field(r, 'IsTest')).toEqual(['1']);
    expect(r.signature).toBe(md5(`demo-shop:1500.00:42:${TEST_PASSWORD1}`));
    expect(r.signatureBase).toBe('demo-shop:1500.00:42:***');
    expect(JSON.stringify(r)).not.toContain(TEST_PASSWORD1);
  });

  test('defaults to config.testMode; isTest:false overrides it', () => {
    const testMode = createRobokassaConfig({
      login: 'demo-shop',
      password1: PASSWORD1,
      password2: 'x',
      testMode: true,
      testPassword1: TEST_PASSWORD1,
      testPassword2: 'y',
    });
    expect(buildPaymentRequest(testMode, base).isTest).toBe(true);
    const live = buildPaymentRequest(testMode, { ...base, isTest: false });
    expect(live.isTest).toBe(false);
    expect(field(live, 'IsTest')).toEqual([]);
    expect(live.signature).toBe(md5(`demo-shop:1500.00:42:${PASSWORD1}`));
  });

  test('TEST_PASSWORDS_MISSING without the test pair', () => {
    const prod = createRobokassaConfig({ login: 'demo-shop', password1: 'p', password2: 'q' });
    expect(caught(() => buildPaymentRequest(prod, { ...base, isTest: true })).code).toBe('TEST_PASSWORDS_MISSING');
  });
});

describe('formatExpirationDate', () => {
  test.each([
    [new Date(Date.UTC(2030, 0, 1, 7, 20, 30, 5)), '2030-01-01T07:20:30.0050000+00:00'],
    ['2030-01-01T10:20:30+03:00', '2030-01-01T10:20:30.0000000+03:00'],
    ['2030-01-01T10:20:30.6973153+03:00', '2030-01-01T10:20:30.6973153+03:00'],
    ['2030-01-01T10:20:30.5Z', '2030-01-01T10:20:30.5000000+00:00'],
    ['2029-01-16T12:00-05:30', '2029-01-16T12:00:00.0000000-05:30'],
    ['2028-02-29T23:59:59+14:00', '2028-02-29T23:59:59.0000000+14:00'],
  ] as const)('%s → %s', (input, expected) => {
    expect(formatExpirationDate(input)).toBe(expected);
  });

  test.each([
    '2030-01-01',
    '2030-01-01T10:20:30',
    '2030-13-01T10:20:30Z',
    '2029-02-29T10:00:00Z',
    '2030-01-01T24:00:00Z',
    '2030-01-01T10:60:00Z',
    '2030-01-01T10:20:30+15:00',
    '2030-01-01T10:20:30.12345678Z',
    '0000-01-01T00:00:00Z',
  ])('PAYMENT_INVALID for %s', (value) => {
    expect(caught(() => formatExpirationDate(value)).code).toBe('PAYMENT_INVALID');
  });
});

describe('paymentSignatureBase / paymentSignature', () => {
  test('keeps the empty InvId slot, leaves absent modifiers out', () => {
    expect(paymentSignatureBase({ login: 'l', outSum: '10.00', invId: '', password: 'p' })).toBe('l:10.00::p');
    expect(
      paymentSignatureBase({
        login: 'l',
        outSum: '10.00',
        invId: 1,
        outSumCurrency: '',
        userIp: undefined,
        receipt: '',
        stepByStep: false,
        token: '',
        password: 'p',
      }),
    ).toBe('l:10.00:1:p');
  });

  test('takes a Secret and sorts received Shp entries by name ignoring case', () => {
    const parts = {
      login: 'l',
      outSum: '1',
      invId: 2,
      password: config.password1,
      shp: [
        { name: 'Shp_z', value: '1' },
        { name: 'shp_A', value: '2' },
      ],
    };
    expect(paymentSignatureBase(parts)).toBe(`l:1:2:${PASSWORD1}:shp_A=2:Shp_z=1`);
    expect(paymentSignature(parts, 'sha256')).toBe(
      createHash('sha256').update(`l:1:2:${PASSWORD1}:shp_A=2:Shp_z=1`).digest('hex'),
    );
  });

  test('agrees with buildPaymentRequest', () => {
    const r = buildPaymentRequest(config, { ...base, userIp: '10.0.0.1', shp: { order: 'abc 1' } });
    const parts = {
      login: 'demo-shop',
      outSum: '1500.00',
      invId: 42,
      userIp: '10.0.0.1',
      password: PASSWORD1,
      shp: [{ name: 'Shp_order', value: 'abc+1' }],
    };
    expect(paymentSignatureBase(parts)).toBe(realBase(r));
    expect(paymentSignature(parts, 'md5')).toBe(r.signature);
  });
});
