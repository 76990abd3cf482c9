import { describe, expect, test } from 'vitest';
import { buildAssistPayment, createAssistConfig } from '../../src/assist/index.js';
import { isKassaError, type KassaError } from '../../src/errors.js';
import { Secret } from '../../src/secret.js';
import { registerSecret } from '../support/capture-output.js';

const SALT = registerSecret('cfg-Salt#Сова-1');
const WS_PASSWORD = registerSecret('cfg-ws-Pass#9');

function caught(fn: () => unknown): KassaError {
  try {
    fn();
  } catch (error) {
    if (isKassaError(error)) return error;
    throw error;
  }
  throw new Error('expected a KassaError');
}

describe('createAssistConfig', () => {
  test('defaults: semicolon mode, RU live host, RUB, requests signed', () => {
    const c = createAssistConfig({ merchantId: 111111, secretWord: SALT });
    expect(c).toMatchObject({
      merchantId: '111111',
      checkvalueMode: 'semicolon',
      signRequests: true,
      region: 'RU',
      baseUrl: 'https://payments.paysecure.ru',
      currency: 'RUB',
      testMode: false,
      cancelEndpoint: 'cancel',
      recurringPeriodField: 'RecurringPeriod',
      orderCommentMaxLength: 4000,
      verifyResponseCheckvalue: true,
      sendTestModeParam: false,
    });
    expect(c.secretWord).toBeInstanceOf(Secret);
    expect(String(c.secretWord)).toBe('***');
    expect(JSON.stringify(c)).not.toContain(SALT);
  });

  test('test hosts and Belarus', () => {
    expect(createAssistConfig({ merchantId: '1', secretWord: SALT, testMode: true }).baseUrl).toBe(
      'https://payments.demo.paysecure.ru',
    );
    const by = createAssistConfig({ merchantId: '1', secretWord: SALT, region: 'BY' });
    expect(by.baseUrl).toBe('https://payments.paysec.by');
    expect(by.currency).toBe('BYN');
    expect(createAssistConfig({ merchantId: '1', secretWord: SALT, region: 'BY', testMode: true }).baseUrl).toBe(
      'https://test.paysec.by',
    );
    expect(
      createAssistConfig({ merchantId: '1', secretWord: SALT, baseUrl: 'https://payments148.paysecure.ru/' }).baseUrl,
    ).toBe('https://payments148.paysecure.ru');
  });

  test('every bad key is named, no value is shown', () => {
    const error = caught(() =>
      createAssistConfig({
        merchantId: 'abc',
        secretWord: '',
        checkvalueMode: 'comma',
        login: 'user',
        baseUrl: 'ftp://x',
        extra: WS_PASSWORD,
      }),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    const keys = (error.details.issues as Array<{ key: string }>).map((i) => i.key).sort();
    expect(keys).toEqual(expect.arrayContaining(['merchantId', 'secretWord', 'checkvalueMode', 'baseUrl']));
    expect(error.message).toContain('extra');
    expect(JSON.stringify(error)).not.toContain(WS_PASSWORD);
    expect(error.message).not.toContain('abc');
  });

  test('login without password is refused', () => {
    const error = caught(() => createAssistConfig({ merchantId: '1', secretWord: SALT, login: 'wsuser01' }));
    expect(error.details.issues).toEqual([expect.objectContaining({ key: 'password' })]);
  });
});

const config = createAssistConfig({ merchantId: '111111', secretWord: SALT });
const rub = (minor: bigint) => ({ currency: 'RUB' as const, minor });

describe('buildAssistPayment', () => {
  test('minimal request: fields in order, amount with two decimals, Checkvalue last', () => {
    const r = buildAssistPayment(config, { orderNumber: '100', amount: rub(10000n) });
    expect(r.form.fields).toEqual([
      ['Merchant_ID', '111111'],
      ['OrderNumber', '100'],
      ['OrderAmount', '100.00'],
      ['OrderCurrency', 'RUB'],
      ['Checkvalue', r.checkvalue],
    ]);
    expect(r.checkvalueBase).toBe('111111;100;100.00;RUB');
    expect(r.form.action).toBe('https://payments.paysecure.ru/pay/order.cfm');
    expect(r.form.method).toBe('POST');
    expect(r.url).toBe(
      `https://payments.paysecure.ru/pay/order.cfm?Merchant_ID=111111&OrderNumber=100&OrderAmount=100.00&OrderCurrency=RUB&Checkvalue=${r.checkvalue}`,
    );
    expect(r.checkvalue).toMatch(/^[0-9A-F]{32}$/);
  });

  test('every documented parameter, hold, return URLs, method preselection, Cyrillic in the URL', () => {
    const r = buildAssistPayment(config, {
      orderNumber: 'Заказ №7',
      amount: rub(123456n),
      comment: 'Оплата & доставка',
      hold: true,
      language: 'EN',
      lastname: 'Иванов',
      firstname: 'Иван',
      middlename: 'Иванович',
      email: 'buyer@example.com',
      address: 'ул. Ленина, 1',
      homePhone: '+7 495 000-00-00',
      mobilePhone: '+79990000000',
      country: 'RUS',
      city: 'Москва',
      zip: '101000',
      returnUrlOk: 'https://shop.example/ok',
      returnUrlNo: 'https://shop.example/no',
      onlyMethod: 'sbp',
      mobileDevice: 1,
      clientIp: '192.0.2.10',
      customerNumber: 'cust42',
      disable3DS: true,
      orderMaxPoints: 0,
    });
    const map = new Map(r.form.fields);
    expect(map.get('Delay')).toBe('1');
    expect(map.get('OrderAmount')).toBe('1234.56');
    expect(map.get('URL_RETURN_OK')).toBe('https://shop.example/ok');
    expect(map.get('URL_RETURN_NO')).toBe('https://shop.example/no');
    expect(map.get('FastPayPayment')).toBe('1');
    expect(map.get('CardPayment')).toBe('0');
    expect(map.get('Language')).toBe('EN');
    expect(map.has('OrderMaxPoints')).toBe(false);
    // Optional checkvalue parts only when non-zero, in the SDK's order.
    expect(r.checkvalueBase).toBe('111111;Заказ №7;1234.56;RUB;cust42;1');
    const query = new URL(r.url).searchParams;
    expect(query.get('OrderNumber')).toBe('Заказ №7');
    expect(query.get('OrderComment')).toBe('Оплата & доставка');
    expect([...query]).toEqual(r.form.fields);
  });

  test('methods allow/deny only the given flags', () => {
    const r = buildAssistPayment(config, { orderNumber: '1', amount: rub(100n), methods: { card: true, qiwi: false } });
    expect(r.form.fields.filter(([n]) => n.endsWith('Payment'))).toEqual([
      ['CardPayment', '1'],
      ['QIWIPayment', '0'],
    ]);
  });

  test('concat mode, unsigned requests, TestMode hint, BYN', () => {
    const legacy = createAssistConfig({
      merchantId: '111111',
      secretWord: SALT,
      checkvalueMode: 'concat',
      region: 'BY',
      testMode: true,
      sendTestModeParam: true,
    });
    const r = buildAssistPayment(legacy, { orderNumber: '100', amount: { currency: 'BYN', minor: 400n } });
    expect(r.checkvalueBase).toBe('1111111004.00BYN');
    expect(new Map(r.form.fields).get('TestMode')).toBe('1');
    expect(r.form.action).toBe('https://test.paysec.by/pay/order.cfm');
    const unsigned = createAssistConfig({ merchantId: '111111', secretWord: SALT, signRequests: false });
    const u = buildAssistPayment(unsigned, { orderNumber: '100', amount: rub(1n) });
    expect(u.checkvalue).toBeUndefined();
    expect(u.form.fields.some(([n]) => n === 'Checkvalue')).toBe(false);
  });

  test('recurring setup with the configured period field', () => {
    const c = createAssistConfig({ merchantId: '111111', secretWord: SALT, recurringPeriodField: 'RecurringCount' });
    const r = buildAssistPayment(c, {
      orderNumber: 'sub-1',
      amount: rub(50000n),
      recurring: {
        minAmount: rub(100n),
        maxAmount: rub(100000n),
        periodDays: 30,
        maxDate: new Date(Date.UTC(2027, 0, 31)),
      },
    });
    const map = new Map(r.form.fields);
    expect(map.get('RecurringIndicator')).toBe('1');
    expect(map.get('RecurringMinAmount')).toBe('1.00');
    expect(map.get('RecurringMaxAmount')).toBe('1000.00');
    expect(map.get('RecurringCount')).toBe('30');
    expect(map.get('RecurringMaxDate')).toBe('31.01.2027');
  });

  test('receipt: ChequeItems JSON with decimal amounts, totals checked', () => {
    const r = buildAssistPayment(config, {
      orderNumber: '9',
      amount: rub(25050n),
      receipt: {
        taxationSystem: 0,
        items: [
          { name: 'Чай "Зелёный"', price: rub(10000n), quantity: '2', amount: rub(20000n), tax: 'vat20' },
          { name: 'Доставка', price: rub(5050n), quantity: '1', amount: rub(5050n), tax: 'novat', fpmode: 4 },
        ],
      },
    });
    const items = new Map(r.form.fields).get('ChequeItems')!;
    expect(items).toBe(
      '[{"name":"Чай \\"Зелёный\\"","price":100.00,"quantity":2,"amount":200.00,"tax":"vat20"},' +
        '{"name":"Доставка","price":50.50,"quantity":1,"amount":50.50,"tax":"novat","fpmode":4}]',
    );
    expect(JSON.parse(items)).toHaveLength(2);
    const bad = caught(() =>
      buildAssistPayment(config, {
        orderNumber: '9',
        amount: rub(100n),
        receipt: { items: [{ name: 'x', price: rub(99n), quantity: '1', amount: rub(99n), tax: 'vat20' }] },
      }),
    );
    expect(bad.code).toBe('RECEIPT_TOTAL_MISMATCH');
  });

  test.each([
    [{ orderNumber: '' }, 'PAYMENT_INVALID', 'orderNumber'],
    [{ orderNumber: 'x'.repeat(129) }, 'PAYMENT_INVALID', 'orderNumber'],
    [{ email: 'not-an-email' }, 'EMAIL_INVALID', 'email'],
    [{ email: `${'a'.repeat(120)}@example.com` }, 'EMAIL_INVALID', 'email'],
    [{ lastname: 'x'.repeat(71) }, 'PAYMENT_INVALID', 'lastname'],
    [{ country: 'RU' }, 'PAYMENT_INVALID', 'country'],
    [{ workPhone: '1'.repeat(21) }, 'PAYMENT_INVALID', 'workPhone'],
    [{ returnUrlOk: 'javascript:alert(1)' }, 'PAYMENT_INVALID', 'returnUrlOk'],
    [{ clientIp: '999.1.1.1' }, 'PAYMENT_INVALID', 'clientIp'],
    [{ amount: rub(0n) }, 'MONEY_ZERO', 'amount'],
    [{ amount: rub(10n ** 15n) }, 'MONEY_TOO_LARGE', 'amount'],
    [{ amount: { currency: 'GBP', minor: 1n } }, 'PAYMENT_INVALID', 'amount'],
    [{ amount: 100 }, 'PAYMENT_INVALID', 'amount'],
    [{ comment: 'a\u0000b' }, 'PAYMENT_INVALID', 'comment'],
    [{ extraFields: { orderamount: '1' } }, 'PAYMENT_INVALID', 'extraFields.orderamount'],
    [{ bogus: 1 }, 'PAYMENT_INVALID', '(root)'],
  ] as const)('case %# → %s', (patch, code, path) => {
    const error = caught(() =>
      buildAssistPayment(config, { orderNumber: '1', amount: rub(100n), ...(patch as object) } as never),
    );
    expect(error.code).toBe(code);
    expect((error.details.issues as Array<{ path: string }>)[0]?.path).toBe(path);
  });

  test('recurring with CustomerNumber, and several problems at once → PAYMENT_INVALID listing each', () => {
    const error = caught(() =>
      buildAssistPayment(config, {
        orderNumber: '1',
        amount: rub(100n),
        customerNumber: 'c1',
        email: 'bad',
        recurring: { minAmount: rub(1n), maxAmount: rub(2n), periodDays: 1, maxDate: '01.01.2030' },
      }),
    );
    expect(error.code).toBe('PAYMENT_INVALID');
    expect((error.details.issues as Array<{ code: string }>).map((i) => i.code).sort()).toEqual([
      'EMAIL_INVALID',
      'PAYMENT_INVALID',
    ]);
  });

  test('orderCommentMaxLength 256 for older servers', () => {
    const old = createAssistConfig({ merchantId: '1', secretWord: SALT, orderCommentMaxLength: 256 });
    expect(
      caught(() => buildAssistPayment(old, { orderNumber: '1', amount: rub(1n), comment: 'x'.repeat(257) })).code,
    ).toBe('PAYMENT_INVALID');
    expect(() =>
      buildAssistPayment(config, { orderNumber: '1', amount: rub(1n), comment: 'x'.repeat(257) }),
    ).not.toThrow();
  });

  test('ListParameters for extra fields', () => {
    const r = buildAssistPayment(config, {
      orderNumber: '1',
      amount: rub(1n),
      extraFields: { Field1: 'a', Field2: 'б' },
    });
    const names = r.form.fields.map(([n]) => n);
    expect(names.slice(-4)).toEqual(['ListParameters', 'Field1', 'Field2', 'Checkvalue']);
    expect(new Map(r.form.fields).get('ListParameters')).toBe('Field1,Field2');
  });
});
