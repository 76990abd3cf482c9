import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { isKassaError } from '../src/errors.js';
import { compactJson, JsonNumber, moneyToJsonNumber, parseJsonKeepingNumbers } from '../src/robokassa/api/json.js';
import { invoiceApiKey, signJwt, verifyJwt } from '../src/robokassa/api/jwt.js';
import { createRefund, getRefundState } from '../src/robokassa/api/refund.js';
import { createRobokassaConfig } from '../src/robokassa/config.js';
import { createReceipt, toRefundInvoiceItems } from '../src/robokassa/receipt.js';
import { type FakeRobokassa, failure, startFakeRobokassa } from './support/fake-robokassa.js';
import { loadVectors } from './support/vectors.js';

const rub = (minor: bigint) => ({ currency: 'RUB' as const, minor });
const fast = { retry: { baseDelayMs: 1 } };

describe('JWT', () => {
  const vector = loadVectors().find((v) => v.expected.endsWith('FKHP-6TuMui4tsnqUvjumw'));

  test('reproduces the official SDK Invoice API token (HMAC-MD5, key login:p1)', () => {
    if (!vector) throw new Error('vector FKHP-6TuMui4tsnqUvjumw missing');
    expect(JSON.parse(vector.inputs.header_json ?? '')).toEqual({ alg: 'MD5', typ: 'JWT' });
    const token = signJwt({ alg: 'MD5', payload: vector.inputs.payload_json ?? '', key: vector.inputs.hmac_key ?? '' });
    expect(token).toBe(vector.expected);
  });

  test('invoiceApiKey is MerchantLogin:Password1 and prints as ***', () => {
    if (!vector) throw new Error('vector missing');
    const config = createRobokassaConfig({ login: 'login', password1: 'p1', password2: 'p2' });
    const key = invoiceApiKey(config);
    expect(String(key)).toBe('***');
    expect(signJwt({ alg: 'MD5', payload: vector.inputs.payload_json ?? '', key })).toBe(vector.expected);
  });

  test('no padding, three base64url parts, and verifyJwt accepts its own HS256/384/512 tokens only with the key', () => {
    for (const alg of ['HS256', 'HS384', 'HS512'] as const) {
      const token = signJwt({ alg, payload: '{"a":1}', key: 'k' });
      expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      expect(verifyJwt(token, { key: 'k', algorithms: [alg] })).toEqual({
        header: { alg, typ: 'JWT' },
        payload: '{"a":1}',
      });
      const wrongKey = (() => {
        try {
          verifyJwt(token, { key: 'other', algorithms: [alg] });
        } catch (error) {
          return error;
        }
      })();
      expect(isKassaError(wrongKey, 'JWS_INVALID')).toBe(true);
    }
    const md5 = signJwt({ alg: 'MD5', payload: '{}', key: 'k' });
    expect(() => verifyJwt(md5, { key: 'k', algorithms: ['HS256'] })).toThrow(/algorithm not allowed/);
  });
});

describe('JSON amounts without floats', () => {
  test('Money → shortest JSON number text', () => {
    expect(moneyToJsonNumber(rub(150n)).text).toBe('1.5');
    expect(moneyToJsonNumber(rub(100n)).text).toBe('1');
    expect(moneyToJsonNumber(rub(999999999999n)).text).toBe('9999999999.99');
    expect(moneyToJsonNumber(rub(5n)).text).toBe('0.05');
    expect(compactJson({ a: new JsonNumber('123456789012345678.91'), b: undefined, c: ['x', null, true] })).toBe(
      '{"a":123456789012345678.91,"c":["x",null,true]}',
    );
  });

  test('numbers in replies keep their source text', () => {
    expect(parseJsonKeepingNumbers('{"amount":1.000000,"n":[12345678901234567890.12]}')).toEqual({
      amount: '1.000000',
      n: ['12345678901234567890.12'],
    });
  });
});

describe('Refund API against the fake', () => {
  let fake: FakeRobokassa;
  beforeAll(async () => {
    fake = await startFakeRobokassa();
    fake.operations.set(10, { stateCode: 100, opKey: 'OP-10', outSum: '100.000000' });
    fake.operations.set(11, { stateCode: 100, opKey: 'OP-11', outSum: '50.000000' });
    fake.operations.set(12, { stateCode: 100, opKey: 'OP-12', outSum: '5000.000000' });
    fake.operations.set(13, { stateCode: 100, opKey: 'OP-13', outSum: '10.000000' });
  });
  afterAll(async () => {
    await fake.close();
  });
  afterEach(() => {
    expect(fake.problems).toEqual([]);
  });

  test('partial refund: HS256 JWT with Password #3, compact payload, RefundSum as a JSON number', async () => {
    const { requestId } = await createRefund(fake.config, { opKey: 'OP-10', refundSum: rub(150n) }, fast);
    const refund = fake.refunds.get(requestId);
    expect(refund).toMatchObject({
      alg: 'HS256',
      payload: '{"OpKey":"OP-10","RefundSum":1.5}',
      amountMicros: 1_500_000n,
    });
    const request = fake.requests.findLast((r) => r.endpoint === 'Refund/Create');
    expect(request?.contentType).toBe('application/json');
    expect(request?.body.startsWith('"eyJ')).toBe(true);
    expect(request?.body).not.toContain('p3-secret');

    expect(await getRefundState(fake.config, { requestId }, fast)).toEqual({
      requestId,
      amount: rub(150n),
      label: 'finished',
    });
  });

  test('full refund omits RefundSum; HS512 when asked; invoice items are PascalCase with exact amounts', async () => {
    const { requestId } = await createRefund(
      fake.config,
      {
        opKey: 'OP-11',
        algorithm: 'HS512',
        invoiceItems: [
          {
            Name: 'Тестовый товар-1',
            Quantity: 1,
            Cost: rub(5000n),
            Tax: 'vat20',
            PaymentMethod: 'full_payment',
            PaymentObject: 'commodity',
          },
        ],
      },
      fast,
    );
    expect(fake.refunds.get(requestId)).toMatchObject({
      alg: 'HS512',
      amountMicros: 50_000_000n,
      payload:
        '{"OpKey":"OP-11","InvoiceItems":[{"Name":"Тестовый товар-1","Quantity":1,"Cost":50,"Tax":"vat20","PaymentMethod":"full_payment","PaymentObject":"commodity"}]}',
    });
    expect((await getRefundState(fake.config, { requestId }, fast)).amount).toEqual(rub(5000n));
  });

  test('decimal-string Cost and Quantity are written as JSON numbers', async () => {
    const { requestId } = await createRefund(
      fake.config,
      {
        opKey: 'OP-12',
        refundSum: rub(123456n),
        invoiceItems: [{ Name: 'Гречка', Quantity: '2.500', Cost: '493.824', Tax: 'none' }],
      },
      fast,
    );
    expect(fake.refunds.get(requestId)?.payload).toBe(
      '{"OpKey":"OP-12","RefundSum":1234.56,"InvoiceItems":[{"Name":"Гречка","Quantity":2.5,"Cost":493.824,"Tax":"none"}]}',
    );
  });

  test('items from a receipt via toRefundInvoiceItems', async () => {
    const receipt = createReceipt(
      {
        items: [
          {
            name: 'Чай',
            quantity: 2,
            sum: '300',
            tax: 'vat20',
            payment_method: 'full_payment',
            payment_object: 'commodity',
          },
        ],
      },
      { country: 'RU' },
    );
    const { requestId } = await createRefund(
      fake.config,
      { opKey: 'OP-12', refundSum: rub(30000n), invoiceItems: toRefundInvoiceItems(receipt.items) },
      fast,
    );
    expect(fake.refunds.get(requestId)?.payload).toBe(
      '{"OpKey":"OP-12","RefundSum":300,"InvoiceItems":[{"Name":"Чай","Quantity":2,"Cost":150,"Tax":"vat20","PaymentMethod":"full_payment","PaymentObject":"commodity"}]}',
    );
  });

  test('more than is left → REFUND_REJECTED NotEnoughOperationFunds', async () => {
    await createRefund(fake.config, { opKey: 'OP-13', refundSum: rub(600n) }, fast);
    const error = await failure(createRefund(fake.config, { opKey: 'OP-13', refundSum: rub(600n) }, fast));
    expect(error.code).toBe('REFUND_REJECTED');
    expect(error.details).toMatchObject({ message: 'NotEnoughOperationFunds', endpoint: 'Refund/Create' });
    expect(error.message).toContain('NotEnoughOperationFunds');
  });

  test('a wrong Password #3 is caught by the fake (it verifies the JWT)', async () => {
    const config = fake.configWith({ password3: 'not-p3' });
    const error = await failure(createRefund(config, { opKey: 'OP-10', refundSum: rub(1n) }, fast));
    expect(error.code).toBe('GATEWAY_HTTP_ERROR');
    expect(fake.problems).toEqual(['Refund/Create: JWT signature does not verify with Password #3']);
    fake.problems.length = 0;
  });

  test('no Password #3 → PASSWORD3_MISSING before any request', async () => {
    const before = fake.hits('Refund/Create');
    const config = fake.configWith({ password3: undefined });
    expect((await failure(createRefund(config, { opKey: 'OP-10' }, fast))).code).toBe('PASSWORD3_MISSING');
    expect(fake.hits('Refund/Create')).toBe(before);
  });

  test('invalid input (zero sum, empty opKey) → API_INPUT_INVALID', async () => {
    expect((await failure(createRefund(fake.config, { opKey: 'OP-10', refundSum: rub(0n) }, fast))).code).toBe(
      'API_INPUT_INVALID',
    );
    expect((await failure(createRefund(fake.config, { opKey: '' }, fast))).code).toBe('API_INPUT_INVALID');
  });

  test('a rejection in a 4xx JSON body is still REFUND_REJECTED', async () => {
    fake.override('Refund/Create', {
      status: 400,
      contentType: 'application/json',
      body: '{"success":false,"message":"InvalidOpKey","requestId":null}',
    });
    const error = await failure(createRefund(fake.config, { opKey: 'OP-10' }, fast));
    expect(error.code).toBe('REFUND_REJECTED');
    expect(error.details).toMatchObject({ message: 'InvalidOpKey', status: 400 });
  });

  test('unparseable or unexpected replies → GATEWAY_BAD_RESPONSE', async () => {
    fake.override('Refund/Create', { status: 200, body: '<html>ok</html>' });
    expect((await failure(createRefund(fake.config, { opKey: 'OP-10' }, fast))).code).toBe('GATEWAY_BAD_RESPONSE');
    fake.override('Refund/Create', { status: 200, contentType: 'application/json', body: '{"success":true}' });
    expect((await failure(createRefund(fake.config, { opKey: 'OP-10' }, fast))).code).toBe('GATEWAY_BAD_RESPONSE');
    fake.override('Refund/GetState', {
      status: 200,
      contentType: 'application/json',
      body: '{"requestId":"r","amount":1.000000,"label":"lost"}',
    });
    expect((await failure(getRefundState(fake.config, { requestId: 'r' }, fast))).code).toBe('GATEWAY_BAD_RESPONSE');
  });

  test('GetState for an unknown id → REFUND_REJECTED with Robokassa’s message', async () => {
    const error = await failure(getRefundState(fake.config, { requestId: 'no-such-id' }, fast));
    expect(error.code).toBe('REFUND_REJECTED');
    expect(error.details.message).toBe('Id is invalid or request id does not exist');
  });

  test('GetState reads the amount as a decimal, never through a float', async () => {
    fake.override('Refund/GetState', {
      status: 200,
      contentType: 'application/json',
      body: '{"requestId":"r","amount":9999999.990000,"label":"processing"}',
    });
    expect(await getRefundState(fake.config, { requestId: 'r' }, fast)).toEqual({
      requestId: 'r',
      amount: rub(999999999n),
      label: 'processing',
    });
  });
});
