import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  type AssistCallOptions,
  type AssistConfig,
  cancelAssistPayment,
  chargeAssistHold,
  chargeAssistRecurring,
  createAssistConfig,
  explainAssistError,
  getOrderResult,
  getOrderState,
  pickAssistOrder,
} from '../../src/assist/index.js';
import { isKassaError, type KassaError } from '../../src/errors.js';
import { registerSecret } from '../support/capture-output.js';
import { type FakeAssist, startFakeAssist } from './support/fake-assist.js';

const fast: AssistCallOptions = { retry: { baseDelayMs: 1 }, timeoutMs: 2_000 };
const rub = (minor: bigint) => ({ currency: 'RUB' as const, minor });

let fake: FakeAssist;
let config: AssistConfig;

async function rejection(promise: Promise<unknown>): Promise<KassaError> {
  try {
    await promise;
  } catch (error) {
    if (isKassaError(error)) return error;
    throw error;
  }
  throw new Error('expected a KassaError');
}

beforeAll(async () => {
  fake = await startFakeAssist();
  registerSecret(fake.salt);
  registerSecret(fake.password);
  config = createAssistConfig({
    merchantId: fake.merchantId,
    secretWord: fake.salt,
    login: fake.login,
    password: fake.password,
    baseUrl: fake.url,
  });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.bills.clear();
  fake.faults = [];
  fake.nextError = undefined;
  fake.nextResponseCode = undefined;
  fake.bills.set('5775486650107611', {
    billNumber: '5775486650107611',
    orderNumber: '100',
    amount: '4.00',
    currency: 'RUB',
    state: 'Approved',
    ops: 1,
    recurring: true,
  });
  fake.bills.set('5775486650107622', {
    billNumber: '5775486650107622',
    orderNumber: 'hold-1',
    amount: '150.00',
    currency: 'RUB',
    state: 'Delayed',
    ops: 1,
  });
});
afterEach(() => {
  expect(fake.problems).toEqual([]);
});

describe('getOrderState', () => {
  test('POSTs credentials, Format=3 and the window; verifies every checkvalue', async () => {
    const from = new Date(Date.UTC(2026, 0, 2, 3, 4));
    const r = await getOrderState(config, { orderNumber: '100', from }, fast);
    expect(r.orders).toHaveLength(1);
    expect(r.best).toMatchObject({
      billNumber: '5775486650107611',
      orderState: 'Approved',
      event: 'paid',
      amount: rub(400n),
      checkvalueVerified: true,
    });
    const sent = fake.requests.at(-1)!;
    expect(sent.path).toBe('/orderstate/orderstate.cfm');
    expect(sent.params).toMatchObject({
      Merchant_ID: fake.merchantId,
      Format: '3',
      Ordernumber: '100',
      StartYear: '2026',
      StartMonth: '1',
      StartDay: '2',
      StartHour: '3',
      StartMin: '4',
    });
  });

  test('several bills: the best final state decides', async () => {
    fake.bills.set('5775486650107633', {
      billNumber: '5775486650107633',
      orderNumber: '100',
      amount: '4.00',
      currency: 'RUB',
      state: 'Declined',
      ops: 1,
    });
    const r = await getOrderState(config, { orderNumber: '100' }, fast);
    expect(r.orders.map((o) => o.orderState)).toEqual(['Approved', 'Declined']);
    expect(r.best?.orderState).toBe('Approved');
    expect(pickAssistOrder([{ orderState: 'Timeout' }, { orderState: 'In Process' }])?.orderState).toBe('Timeout');
  });

  test('10/201 (no payments in the window) is an empty answer, not an error', async () => {
    const r = await getOrderState(config, { orderNumber: 'nope' }, fast);
    expect(r).toEqual({ orderNumber: 'nope', orders: [] });
  });

  test('a wrong checkvalue is ASSIST_CHECKVALUE_MISMATCH', async () => {
    fake.faults.push('wrong-checkvalue');
    const e = await rejection(getOrderState(config, { orderNumber: '100' }, fast));
    expect(e.code).toBe('ASSIST_CHECKVALUE_MISMATCH');
  });

  test('reads are retried on 5xx and timeouts', async () => {
    fake.faults.push('http500', 'timeout');
    const r = await getOrderState(config, { orderNumber: '100' }, { ...fast, timeoutMs: 300 });
    expect(r.best?.orderState).toBe('Approved');
    expect(fake.requests.filter((q) => q.path === '/orderstate/orderstate.cfm').length).toBeGreaterThanOrEqual(3);
  });

  test('persistent timeouts → GATEWAY_TIMEOUT after the retries', async () => {
    fake.faults.push('timeout', 'timeout');
    const e = await rejection(
      getOrderState(config, { orderNumber: '100' }, { timeoutMs: 200, retry: { attempts: 2, baseDelayMs: 1 } }),
    );
    expect(e.code).toBe('GATEWAY_TIMEOUT');
    expect(e.details).toMatchObject({ endpoint: 'orderstate', attempts: 2, outcomeKnown: true });
  });

  test.each([
    ['malformed', 'not well-formed XML'],
    ['no-root', 'expected a <result> root element'],
    ['entity', 'declares an XML entity'],
  ] as const)('%s XML → GATEWAY_BAD_RESPONSE', async (fault, problem) => {
    fake.faults.push(fault);
    const e = await rejection(getOrderState(config, { orderNumber: '100' }, fast));
    expect(e.code).toBe('GATEWAY_BAD_RESPONSE');
    expect(String(e.details.problem)).toContain(problem);
  });

  test('wrong credentials → ASSIST_GATEWAY_ERROR 7/141 with both explanations; the password never in the error', async () => {
    const wrong = createAssistConfig({
      merchantId: fake.merchantId,
      secretWord: fake.salt,
      login: fake.login,
      password: registerSecret('wrong-ws-Pass#1'),
      baseUrl: fake.url,
    });
    const e = await rejection(getOrderState(wrong, { orderNumber: '100' }, fast));
    expect(e.code).toBe('ASSIST_GATEWAY_ERROR');
    expect(e.details).toMatchObject({ firstCode: 7, secondCode: 141 });
    expect(e.details.explanation).toEqual({
      en: '7/141: authentication error — wrong web-service login or password',
      ru: '7/141: ошибка аутентификации — неверный логин или пароль веб-сервиса',
    });
    expect(JSON.stringify(e)).not.toContain('wrong-ws-Pass#1');
    expect(JSON.stringify(e)).not.toContain(fake.salt);
  });

  test('no credentials → ASSIST_CREDENTIALS_MISSING, nothing sent', async () => {
    const before = fake.requests.length;
    const bare = createAssistConfig({ merchantId: fake.merchantId, secretWord: fake.salt, baseUrl: fake.url });
    expect((await rejection(getOrderState(bare, { orderNumber: '100' }, fast))).code).toBe(
      'ASSIST_CREDENTIALS_MISSING',
    );
    expect(fake.requests.length).toBe(before);
  });

  test('bad input → API_INPUT_INVALID', async () => {
    expect((await rejection(getOrderState(config, { orderNumber: '' }, fast))).code).toBe('API_INPUT_INVALID');
  });
});

describe('getOrderResult', () => {
  test('order with its operations, by billnumber', async () => {
    const r = await getOrderResult(config, { billNumber: '5775486650107611', language: 'EN' }, fast);
    expect(r.best).toMatchObject({
      orderNumber: '100',
      orderState: 'Approved',
      testMode: true,
      checkvalueVerified: true,
    });
    expect(r.best?.operations).toEqual([
      expect.objectContaining({ billNumber: '5775486650107611.1', operationType: 100, amount: rub(400n) }),
    ]);
    expect(r.best?.fields.firstname).toBe('Иван');
    expect(fake.requests.at(-1)?.params).toMatchObject({ Billnumber: '5775486650107611', Language: 'EN' });
  });

  test('needs an order or a bill number', async () => {
    expect((await rejection(getOrderResult(config, {}, fast))).code).toBe('API_INPUT_INVALID');
  });
});

describe('chargeAssistHold', () => {
  test('full charge → Approved, operation 200', async () => {
    const r = await chargeAssistHold(config, { billNumber: '5775486650107622' }, fast);
    expect(r).toMatchObject({ orderState: 'Approved', event: 'paid', responseCode: 'AS000', operationType: 200 });
    expect(r.billNumber).toBe('5775486650107622.2');
    expect(fake.requests.at(-1)?.params).not.toHaveProperty('Amount');
  });

  test('partial charge sends Amount and Currency together → PartialDelayed', async () => {
    const r = await chargeAssistHold(config, { billNumber: '5775486650107622', amount: rub(10000n) }, fast);
    expect(r.orderState).toBe('PartialDelayed');
    expect(r.amount).toEqual(rub(10000n));
    expect(fake.requests.at(-1)?.params).toMatchObject({ Amount: '100.00', Currency: 'RUB' });
  });

  test('padded values (as in the real charge reply) are trimmed', async () => {
    fake.faults.push('padded');
    const r = await chargeAssistHold(config, { billNumber: '5775486650107622' }, fast);
    expect(r.responseCode).toBe('AS000');
    expect(r.fields.message).toBe('Завершено успешно.');
  });

  test('a declined charge with codes 0/0 → ASSIST_OPERATION_REJECTED', async () => {
    fake.nextResponseCode = 'AS100';
    const e = await rejection(chargeAssistHold(config, { billNumber: '5775486650107622' }, fast));
    expect(e.code).toBe('ASSIST_OPERATION_REJECTED');
    expect(e.details).toMatchObject({ responseCode: 'AS100', explanation: { en: 'declined' } });
  });

  test('charging a non-held bill → ASSIST_GATEWAY_ERROR 15/302', async () => {
    fake.bills.get('5775486650107622')!.state = 'Declined';
    const e = await rejection(chargeAssistHold(config, { billNumber: '5775486650107622' }, fast));
    expect(e.details).toMatchObject({ firstCode: 15, secondCode: 302 });
  });

  test('writes are never retried: one 500 is final', async () => {
    fake.faults.push('http500');
    const before = fake.requests.length;
    const e = await rejection(chargeAssistHold(config, { billNumber: '5775486650107622' }, fast));
    expect(e.code).toBe('GATEWAY_HTTP_ERROR');
    expect(e.details).toMatchObject({ status: 500, outcomeKnown: false });
    expect(fake.requests.length).toBe(before + 1);
  });

  test('a write that times out says the outcome is unknown', async () => {
    fake.faults.push('timeout');
    const e = await rejection(chargeAssistHold(config, { billNumber: '5775486650107622' }, { timeoutMs: 200 }));
    expect(e.code).toBe('GATEWAY_TIMEOUT');
    expect(e.details.outcomeKnown).toBe(false);
  });
});

describe('cancelAssistPayment', () => {
  test('void of a hold → Canceled', async () => {
    const r = await cancelAssistPayment(config, { billNumber: '5775486650107622', reason: 'shop' }, fast);
    expect(r).toMatchObject({ orderState: 'Canceled', event: 'cancelled', operationType: 300 });
    expect(fake.requests.at(-1)).toMatchObject({ path: '/cancel/cancel.cfm', params: { CancelReason: '1' } });
  });

  test('partial refund → PartialCanceled, then the rest → Canceled; wscancel when configured', async () => {
    const r = await cancelAssistPayment(
      config,
      { billNumber: '5775486650107611', amount: rub(100n), externalRefundId: 'refund-0001' },
      fast,
    );
    expect(r.orderState).toBe('PartialCanceled');
    expect(r.event).toBe('paid');
    expect(fake.requests.at(-1)?.params).toMatchObject({
      Amount: '1.00',
      Currency: 'RUB',
      Externalrefundid: 'refund-0001',
    });
    const ws = createAssistConfig({
      merchantId: fake.merchantId,
      secretWord: fake.salt,
      login: fake.login,
      password: fake.password,
      baseUrl: fake.url,
      cancelEndpoint: 'wscancel',
    });
    const rest = await cancelAssistPayment(ws, { billNumber: '5775486650107611' }, fast);
    expect(rest.orderState).toBe('Canceled');
    expect(fake.requests.at(-1)?.path).toBe('/cancel/wscancel.cfm');
  });

  test('refund above the amount → ASSIST_GATEWAY_ERROR 5/108', async () => {
    const e = await rejection(cancelAssistPayment(config, { billNumber: '5775486650107611', amount: rub(500n) }, fast));
    expect(e.details).toMatchObject({ firstCode: 5, secondCode: 108 });
    expect(String(e.details.explanation && (e.details.explanation as { en: string }).en)).toContain('AMOUNT');
  });

  test('input is validated before sending', async () => {
    const e = await rejection(
      cancelAssistPayment(config, { billNumber: 'x', amount: { currency: 'RUB', minor: 0n } } as never, fast),
    );
    expect(e.code).toBe('API_INPUT_INVALID');
    expect((e.details.issues as Array<{ key: string }>).map((i) => i.key).sort()).toEqual(['amount', 'billNumber']);
  });
});

describe('chargeAssistRecurring', () => {
  test('a new order on the initial bill → Approved', async () => {
    const r = await chargeAssistRecurring(
      config,
      { billNumber: '5775486650107611', orderNumber: '100-r1', amount: rub(400n), comment: 'месяц 2' },
      fast,
    );
    expect(r).toMatchObject({ orderNumber: '100-r1', orderState: 'Approved', event: 'paid' });
    expect(fake.requests.at(-1)).toMatchObject({
      path: '/recurrent/rp.cfm',
      params: { BillNumber: '5775486650107611', OrderNumber: '100-r1', Amount: '4.00', Currency: 'RUB' },
    });
  });

  test('a declined recurring charge → ASSIST_OPERATION_REJECTED; a bill without recurring → 15/320', async () => {
    fake.nextResponseCode = 'AS102';
    const declined = await rejection(
      chargeAssistRecurring(config, { billNumber: '5775486650107611', orderNumber: 'r2', amount: rub(400n) }, fast),
    );
    expect(declined.code).toBe('ASSIST_OPERATION_REJECTED');
    expect(declined.details.explanation).toEqual({ en: 'insufficient funds', ru: 'недостаточно средств' });
    const e = await rejection(
      chargeAssistRecurring(config, { billNumber: '5775486650107622', orderNumber: 'r3', amount: rub(400n) }, fast),
    );
    expect(e.details).toMatchObject({ firstCode: 15, secondCode: 320 });
  });
});

describe('explainAssistError', () => {
  test('known, combined and unknown codes', () => {
    expect(explainAssistError(4, 108)).toMatchObject({
      en: '4/108: parameter format error — parameter AMOUNT',
      ru: '4/108: ошибка формата параметра — параметр AMOUNT',
      known: true,
      transient: false,
    });
    expect(explainAssistError(10, 201).en).toBe('10/201: object missing — no payments in this period');
    expect(explainAssistError(2, 0)).toMatchObject({ en: '2/0: internal error', transient: true });
    expect(explainAssistError(99, 999)).toMatchObject({ known: false });
  });
});
