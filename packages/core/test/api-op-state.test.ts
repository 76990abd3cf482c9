import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { isKassaError } from '../src/errors.js';
import { hashHex } from '../src/hash.js';
import { calcOutSumm } from '../src/robokassa/api/calc.js';
import { getCurrencies, getPaymentMethods } from '../src/robokassa/api/currencies.js';
import type { ApiCallOptions } from '../src/robokassa/api/http.js';
import { OPERATION_STATE_CODES, opStateExt } from '../src/robokassa/api/op-state.js';
import { type FakeNamespace, type FakeRobokassa, failure, startFakeRobokassa } from './support/fake-robokassa.js';

const fast: ApiCallOptions = { retry: { baseDelayMs: 1 }, timeoutMs: 5_000 };

let fake: FakeRobokassa;
beforeAll(async () => {
  fake = await startFakeRobokassa();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.namespace = 'real';
  fake.opStateExtPassword = 'operation';
});
afterEach(() => {
  expect(fake.problems).toEqual([]);
});

describe('opStateExt request', () => {
  test('GET with MerchantLogin, InvoiceID and Signature = hash(login:InvoiceID:Password2)', async () => {
    fake.operations.set(101, { stateCode: 100, opKey: 'KEY-101' });
    await opStateExt(fake.config, { invId: 101 }, fast);
    const request = fake.requests.findLast((r) => r.endpoint === 'OpStateExt');
    expect(request?.method).toBe('GET');
    expect(request?.path).toBe('/Merchant/WebService/Service.asmx/OpStateExt');
    expect(request?.query).toBe(`MerchantLogin=login&InvoiceID=101&Signature=${hashHex('md5', 'login:101:p2')}`);
  });

  test('a test invoice is signed with the test Password #2', async () => {
    fake.operations.set(102, { stateCode: 100, isTest: true });
    const state = await opStateExt(fake.config, { invId: 102, isTest: true }, fast);
    expect(state.found).toBe(true);
    const request = fake.requests.findLast((r) => r.endpoint === 'OpStateExt');
    expect(request?.query).toContain(`Signature=${hashHex('md5', 'login:102:tp2')}`);
  });

  describe('test invoices: the test Password #2 first, the production one after result code 1', () => {
    const signatures = (invId: number, since: number) =>
      fake.requests
        .slice(since)
        .filter((r) => r.endpoint === 'OpStateExt')
        .map((r) => new URLSearchParams(r.query).get('Signature'))
        .map((sig) =>
          sig === hashHex('md5', `login:${invId}:tp2`)
            ? 'test'
            : sig === hashHex('md5', `login:${invId}:p2`)
              ? 'production'
              : sig,
        );

    test('Robokassa accepting only the production Password #2: one refused request, then the production one', async () => {
      fake.opStateExtPassword = 'production';
      fake.operations.set(110, { stateCode: 100, isTest: true, opKey: 'KEY-110' });
      const since = fake.requests.length;
      const state = await opStateExt(fake.config, { invId: 110, isTest: true }, fast);
      expect(state).toMatchObject({ found: true, status: 'paid', info: { opKey: 'KEY-110' } });
      expect(signatures(110, since)).toEqual(['test', 'production']);
    });

    test('the fallback also reaches "not found" (result code 3) and other result codes', async () => {
      fake.opStateExtPassword = 'production';
      let since = fake.requests.length;
      expect(await opStateExt(fake.config, { invId: 111_404, isTest: true }, fast)).toEqual({
        found: false,
        invId: 111_404,
      });
      expect(signatures(111_404, since)).toEqual(['test', 'production']);
      fake.operations.set(112, { stateCode: 100, isTest: true, duplicate: true });
      since = fake.requests.length;
      const error = await failure(opStateExt(fake.config, { invId: 112, isTest: true }, fast));
      expect(error.details).toMatchObject({ resultCode: 4 });
      expect(signatures(112, since)).toEqual(['test', 'production']);
    });

    test('Robokassa accepting only the test Password #2: a single request', async () => {
      fake.opStateExtPassword = 'test';
      fake.operations.set(113, { stateCode: 20, isTest: true });
      const since = fake.requests.length;
      expect(await opStateExt(fake.config, { invId: 113, isTest: true }, fast)).toMatchObject({ status: 'held' });
      expect(signatures(113, since)).toEqual(['test']);
    });

    test('a real invoice never falls back to the test Password #2', async () => {
      fake.opStateExtPassword = 'test';
      fake.operations.set(114, { stateCode: 100 });
      const since = fake.requests.length;
      const error = await failure(opStateExt(fake.config, { invId: 114, isTest: false }, fast));
      expect(error.details).toMatchObject({ resultCode: 1 });
      expect(error.details).not.toHaveProperty('passwordPairs');
      expect(signatures(114, since)).toEqual(['production']);
    });

    test('both pairs refused: GATEWAY_RESULT_CODE 1 naming both pairs, no password in it', async () => {
      fake.operations.set(115, { stateCode: 100, isTest: true });
      const config = fake.configWith({ password2: 'wrong-password-2', testPassword2: 'wrong-test-password-2' });
      const since = fake.requests.length;
      const error = await failure(opStateExt(config, { invId: 115, isTest: true }, fast));
      expect(error.code).toBe('GATEWAY_RESULT_CODE');
      expect(error.details).toMatchObject({ resultCode: 1, passwordPairs: ['test', 'production'] });
      expect(fake.requests.slice(since).filter((r) => r.endpoint === 'OpStateExt')).toHaveLength(2);
      const text = `${error.message} ${JSON.stringify(error.toJSON())}`;
      expect(text).not.toContain('wrong-password-2');
      expect(text).not.toContain('wrong-test-password-2');
    });
  });

  test('rejects an InvId outside 1..2^31-1 before any request', async () => {
    const before = fake.hits('OpStateExt');
    const error = await failure(opStateExt(fake.config, { invId: 0 }, fast));
    expect(error.code).toBe('API_INPUT_INVALID');
    expect(fake.hits('OpStateExt')).toBe(before);
  });
});

describe('opStateExt reply', () => {
  test.each(Object.entries(OPERATION_STATE_CODES).map(([code, status]) => [Number(code), status] as const))(
    'State.Code %i → %s',
    async (code, status) => {
      const invId = 1000 + code;
      fake.operations.set(invId, { stateCode: code, opKey: `K${code}` });
      const state = await opStateExt(fake.config, { invId }, fast);
      expect(state).toMatchObject({ found: true, invId, status, stateCode: code });
    },
  );

  test.each(['real', 'docs', 'none'] as FakeNamespace[])('parses the full reply with the %s namespace', async (ns) => {
    fake.namespace = ns;
    fake.operations.set(200, {
      stateCode: 100,
      incSum: '1500.500000',
      outSum: '1450.000000',
      incCurrLabel: 'QCardR',
      incAccount: '123456******0987',
      paymentMethod: { code: 'BankCard', description: 'Банковской картой & Co' },
      opKey: '00000000-0000-0000-0000-000000000000-0000000000',
      bankCardRrn: '123456789012',
      userFields: [
        ['shp_order', '25'],
        ['shp_note', ''],
      ],
    });
    const state = await opStateExt(fake.config, { invId: 200 }, fast);
    if (!state.found) throw new Error('expected found');
    expect(state.status).toBe('paid');
    expect(state.info?.incSum).toEqual({ currency: 'RUB', minor: 150050n });
    expect(state.info?.outSum).toEqual({ currency: 'RUB', minor: 145000n });
    expect(state.info?.raw).toEqual({ incSum: '1500.500000', outSum: '1450.000000' });
    expect(state.info).toMatchObject({
      incCurrLabel: 'QCardR',
      incAccount: '123456******0987',
      paymentMethod: { code: 'BankCard', description: 'Банковской картой & Co' },
      outCurrLabel: 'BNR',
      opKey: '00000000-0000-0000-0000-000000000000-0000000000',
      bankCardRrn: '123456789012',
    });
    expect(state.userFields).toEqual([
      { name: 'shp_order', value: '25' },
      { name: 'shp_note', value: '' },
    ]);
    expect(state.raw.requestDate).toBe('2019-11-13T10:21:22.0500029+03:00');
    expect(state.requestDate?.toISOString()).toBe('2019-11-13T07:21:22.050Z');
    expect(state.stateDate?.toISOString()).toBe('2018-02-22T12:56:54.683Z');
  });

  test('a reply without <Info> and without user fields', async () => {
    fake.operations.set(201, { stateCode: 5, noInfo: true });
    const state = await opStateExt(fake.config, { invId: 201 }, fast);
    expect(state).toMatchObject({ found: true, status: 'initiated', info: undefined, userFields: [] });
  });

  test('sums in KZT for a Kazakh shop', async () => {
    fake.operations.set(202, { stateCode: 100, incSum: '5000.000000' });
    const state = await opStateExt(fake.configWith({ country: 'KZ', baseUrl: fake.url }), { invId: 202 }, fast);
    expect(state.found && state.info?.incSum).toEqual({ currency: 'KZT', minor: 500000n });
  });

  test('a sub-kopeck sum stays raw instead of being rounded', async () => {
    fake.operations.set(203, { stateCode: 100, incSum: '1.234567', outSum: '1.000000' });
    const state = await opStateExt(fake.config, { invId: 203 }, fast);
    if (!state.found) throw new Error('expected found');
    expect(state.info?.incSum).toBeUndefined();
    expect(state.info?.raw.incSum).toBe('1.234567');
    expect(state.info?.outSum).toEqual({ currency: 'RUB', minor: 100n });
  });

  test('result code 3 (not found) is an answer, not an error', async () => {
    expect(await opStateExt(fake.config, { invId: 404404 }, fast)).toEqual({ found: false, invId: 404404 });
  });

  test('result code 1 (bad signature) → GATEWAY_RESULT_CODE without the password', async () => {
    fake.operations.set(204, { stateCode: 100 });
    const config = fake.configWith({ password2: 'wrong-password-2' });
    const error = await failure(opStateExt(config, { invId: 204 }, fast));
    expect(error.code).toBe('GATEWAY_RESULT_CODE');
    expect(error.details).toMatchObject({ endpoint: 'OpStateExt', resultCode: 1, description: 'Invalid signature' });
    expect(JSON.stringify(error.toJSON())).not.toContain('wrong-password-2');
    expect(error.message).not.toContain('wrong-password-2');
  });

  test('result code 2 (shop not found) → GATEWAY_RESULT_CODE', async () => {
    const error = await failure(opStateExt(fake.configWith({ login: 'nobody' }), { invId: 205 }, fast));
    expect(error.details).toMatchObject({ resultCode: 2 });
  });

  test('result code 4 (duplicate with a test operation) → GATEWAY_RESULT_CODE', async () => {
    fake.operations.set(206, { stateCode: 100, duplicate: true });
    const error = await failure(opStateExt(fake.config, { invId: 206 }, fast));
    expect(error.details).toMatchObject({ resultCode: 4 });
  });

  test('result code 1000 → GATEWAY_RESULT_CODE', async () => {
    fake.override('OpStateExt', {
      status: 200,
      contentType: 'text/xml',
      body: '<OperationStateResponse><Result><Code>1000</Code><Description>Internal</Description></Result></OperationStateResponse>',
    });
    const error = await failure(opStateExt(fake.config, { invId: 207 }, fast));
    expect(error.code).toBe('GATEWAY_RESULT_CODE');
    expect(error.details).toMatchObject({ resultCode: 1000, description: 'Internal' });
  });

  test('an undocumented State.Code → GATEWAY_BAD_RESPONSE', async () => {
    fake.operations.set(208, { stateCode: 70 });
    const error = await failure(opStateExt(fake.config, { invId: 208 }, fast));
    expect(error.code).toBe('GATEWAY_BAD_RESPONSE');
    expect(error.details).toMatchObject({ stateCode: 70 });
  });

  test.each([
    ['truncated XML', '<OperationStateResponse><Result><Code>0</Code></Result><State>'],
    ['not XML at all', 'Service Unavailable'],
    ['an HTML error page', '<html><body><h1>Error</h1><br></body></html>'],
    ['another root element', '<CurrenciesList><Result><Code>0</Code></Result></CurrenciesList>'],
    [
      'a non-numeric result code',
      '<OperationStateResponse><Result><Code>zero</Code></Result></OperationStateResponse>',
    ],
    [
      'a DTD',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><OperationStateResponse><Result><Code>0</Code></Result></OperationStateResponse>',
    ],
    [
      'result code 0 without <State>',
      '<OperationStateResponse><Result><Code>0</Code></Result></OperationStateResponse>',
    ],
  ])('%s → GATEWAY_BAD_RESPONSE', async (_name, body) => {
    fake.override('OpStateExt', { status: 200, body, contentType: 'text/xml' });
    const error = await failure(opStateExt(fake.config, { invId: 209 }, fast));
    expect(error.code).toBe('GATEWAY_BAD_RESPONSE');
    expect(error.details.endpoint).toBe('OpStateExt');
  });
});

describe('GetCurrencies, GetPaymentMethods, CalcOutSumm', () => {
  test.each(['real', 'docs', 'none'] as FakeNamespace[])('GetCurrencies groups with the %s namespace', async (ns) => {
    fake.namespace = ns;
    const groups = await getCurrencies(fake.config, { language: 'ru' }, fast);
    expect(groups.map((g) => g.code)).toEqual(['EMoney', 'BankCard', 'Terminals', 'Mobile']);
    expect(groups[1]).toEqual({
      code: 'BankCard',
      description: 'Банковской картой',
      items: [
        { label: 'BankCardPSR', alias: 'BankCard', name: 'Банковская карта', minValue: undefined, maxValue: undefined },
        { label: 'YandexPayPSR', alias: 'YandexPay', name: 'Яндекс Pay', minValue: undefined, maxValue: '40000' },
      ],
    });
    expect(groups[2]?.items).toEqual([]);
    expect(groups[3]?.items[0]).toMatchObject({ minValue: '10', maxValue: '15000' });
    const request = fake.requests.findLast((r) => r.endpoint === 'GetCurrencies');
    expect(request?.query).toBe('MerchantLogin=login&Language=ru');
  });

  test('GetCurrencies defaults the language to the config culture, then ru', async () => {
    await getCurrencies(fake.configWith({ culture: 'en' }), {}, fast);
    expect(fake.requests.findLast((r) => r.endpoint === 'GetCurrencies')?.query).toBe(
      'MerchantLogin=login&Language=en',
    );
    await getCurrencies(fake.config, undefined, fast);
    expect(fake.requests.findLast((r) => r.endpoint === 'GetCurrencies')?.query).toBe(
      'MerchantLogin=login&Language=ru',
    );
  });

  test('GetCurrencies: an old reply without Alias and one group holding a single currency', async () => {
    fake.override('GetCurrencies', {
      status: 200,
      contentType: 'text/xml',
      body: '<CurrenciesList xmlns="http://merchant.roboxchange.com/WebService/"><Result><Code>0</Code></Result><Groups><Group Code="Bank" Description="Банк"><Items><Currency Label="BankOceanR" Name="Океан" /></Items></Group></Groups></CurrenciesList>',
    });
    expect(await getCurrencies(fake.config, { language: 'ru' }, fast)).toEqual([
      {
        code: 'Bank',
        description: 'Банк',
        items: [{ label: 'BankOceanR', alias: undefined, name: 'Океан', minValue: undefined, maxValue: undefined }],
      },
    ]);
  });

  test('GetCurrencies: a limit that is not a decimal → GATEWAY_BAD_RESPONSE', async () => {
    fake.override('GetCurrencies', {
      status: 200,
      contentType: 'text/xml',
      body: '<CurrenciesList><Result><Code>0</Code></Result><Groups><Group Code="B" Description="b"><Items><Currency Label="X" Name="x" MaxValue="1e5" /></Items></Group></Groups></CurrenciesList>',
    });
    expect((await failure(getCurrencies(fake.config, { language: 'ru' }, fast))).code).toBe('GATEWAY_BAD_RESPONSE');
  });

  test('GetCurrencies for an unknown shop → GATEWAY_RESULT_CODE 2', async () => {
    const error = await failure(getCurrencies(fake.configWith({ login: 'nobody' }), { language: 'ru' }, fast));
    expect(error.details).toMatchObject({ endpoint: 'GetCurrencies', resultCode: 2 });
  });

  test('GetPaymentMethods', async () => {
    expect(await getPaymentMethods(fake.config, { language: 'ru' }, fast)).toEqual([
      { code: 'BankCard', description: 'Банковская карта' },
      { code: 'SBP', description: 'СБП' },
    ]);
    expect(await getPaymentMethods(fake.config, { language: 'en' }, fast)).toEqual([
      { code: 'BankCard', description: 'Bank card' },
    ]);
  });

  test('CalcOutSumm returns Money from the 6-decimal OutSum', async () => {
    const out = await calcOutSumm(
      fake.config,
      { incCurrLabel: 'BankCardPSR', incSum: { currency: 'RUB', minor: 10000n } },
      fast,
    );
    expect(out).toEqual({ currency: 'RUB', minor: 9320n });
    expect(fake.requests.findLast((r) => r.endpoint === 'CalcOutSumm')?.query).toBe(
      'MerchantLogin=login&IncCurrLabel=BankCardPSR&IncSum=100.00',
    );
  });

  test('CalcOutSumm: result code 5 (calculation error) and sub-kopeck replies', async () => {
    const error = await failure(
      calcOutSumm(fake.config, { incCurrLabel: 'Nope', incSum: { currency: 'RUB', minor: 100n } }, fast),
    );
    expect(error.details).toMatchObject({ resultCode: 5 });
    fake.override('CalcOutSumm', {
      status: 200,
      contentType: 'text/xml',
      body: '<CalcSummsResponseData><Result><Code>0</Code></Result><OutSum>93.123456</OutSum></CalcSummsResponseData>',
    });
    const bad = await failure(
      calcOutSumm(fake.config, { incCurrLabel: 'BankCardPSR', incSum: { currency: 'RUB', minor: 10000n } }, fast),
    );
    expect(bad.code).toBe('GATEWAY_BAD_RESPONSE');
    expect(isKassaError(bad, 'GATEWAY_BAD_RESPONSE')).toBe(true);
  });
});
