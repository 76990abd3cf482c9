import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { getCurrencies } from '../src/robokassa/api/currencies.js';
import { attachSecondReceipt, getReceiptStatus } from '../src/robokassa/api/fiscal.js';
import { cancelHold, confirmHold } from '../src/robokassa/api/hold.js';
import { type ApiCallOptions, type FetchLike, sendRequest } from '../src/robokassa/api/http.js';
import { opStateExt } from '../src/robokassa/api/op-state.js';
import { chargeRecurring } from '../src/robokassa/api/recurring.js';
import { createRefund, getRefundState } from '../src/robokassa/api/refund.js';
import { type FakeRobokassa, failure, startFakeRobokassa } from './support/fake-robokassa.js';

const fast: ApiCallOptions = { retry: { attempts: 3, baseDelayMs: 1 }, timeoutMs: 5_000 };
const rub = (minor: bigint) => ({ currency: 'RUB' as const, minor });

let fake: FakeRobokassa;
beforeAll(async () => {
  fake = await startFakeRobokassa();
  fake.operations.set(1, { stateCode: 100, opKey: 'OP-1', outSum: '100.000000' });
  fake.operations.set(2, { stateCode: 20, outSum: '100.000000' });
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  expect(fake.problems).toEqual([]);
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('retries for idempotent reads', () => {
  test('a 500 is retried and the next success is returned', async () => {
    const before = fake.hits('OpStateExt');
    fake.override('OpStateExt', { status: 500, body: 'boom' }, 2);
    const state = await opStateExt(fake.config, { invId: 1 }, fast);
    expect(state.found).toBe(true);
    expect(fake.hits('OpStateExt') - before).toBe(3);
  });

  test('a 503 on every attempt → GATEWAY_HTTP_ERROR with the status, after all attempts', async () => {
    const before = fake.hits('GetCurrencies');
    fake.override('GetCurrencies', { status: 503 }, 3);
    const error = await failure(getCurrencies(fake.config, { language: 'ru' }, fast));
    expect(error.code).toBe('GATEWAY_HTTP_ERROR');
    expect(error.details).toMatchObject({ status: 503, attempts: 3, endpoint: 'GetCurrencies', outcomeKnown: true });
    expect(fake.hits('GetCurrencies') - before).toBe(3);
  });

  test('a 4xx is not retried', async () => {
    const before = fake.hits('OpStateExt');
    fake.override('OpStateExt', { status: 404, body: 'not here' });
    const error = await failure(opStateExt(fake.config, { invId: 1 }, fast));
    expect(error.code).toBe('GATEWAY_HTTP_ERROR');
    expect(error.details.status).toBe(404);
    expect(fake.hits('OpStateExt') - before).toBe(1);
  });

  test('a dropped connection is retried', async () => {
    const before = fake.hits('OpStateExt');
    fake.override('OpStateExt', 'reset');
    expect((await opStateExt(fake.config, { invId: 1 }, fast)).found).toBe(true);
    expect(fake.hits('OpStateExt') - before).toBe(2);
  });

  test('a server that never answers → GATEWAY_TIMEOUT', async () => {
    fake.override('OpStateExt', 'hang');
    const error = await failure(opStateExt(fake.config, { invId: 1 }, { timeoutMs: 200, retry: { attempts: 1 } }));
    expect(error.code).toBe('GATEWAY_TIMEOUT');
    expect(error.details).toMatchObject({ endpoint: 'OpStateExt', timeoutMs: 200, attempts: 1 });
  });

  test('a hung attempt is retried like any transient failure', async () => {
    const before = fake.hits('OpStateExt');
    fake.override('OpStateExt', 'hang');
    const state = await opStateExt(
      fake.config,
      { invId: 1 },
      { timeoutMs: 200, retry: { attempts: 2, baseDelayMs: 1 } },
    );
    expect(state.found).toBe(true);
    expect(fake.hits('OpStateExt') - before).toBe(2);
  });

  test('Refund GetState and RoboFiscal Status are retried too', async () => {
    const { requestId } = await createRefund(fake.config, { opKey: 'OP-1', refundSum: rub(100n) }, fast);
    fake.override('Refund/GetState', { status: 502 });
    expect((await getRefundState(fake.config, { requestId }, fast)).label).toBe('finished');

    await attachSecondReceipt(
      fake.config,
      { id: 70, originId: 1, total: '1.00', items: [{ name: 'x', quantity: 1, sum: '1.00', tax: 'none' }] },
      fast,
    );
    const before = fake.hits('Receipt/Status');
    fake.override('Receipt/Status', { status: 500 });
    expect((await getReceiptStatus(fake.config, { id: 70 }, fast)).status).toBe('registered');
    expect(fake.hits('Receipt/Status') - before).toBe(2);
  });
});

describe('writes are never retried', () => {
  const writes: Array<[string, () => Promise<unknown>]> = [
    ['Refund/Create', () => createRefund(fake.config, { opKey: 'OP-1', refundSum: rub(100n) }, fast)],
    ['Payment/Confirm', () => confirmHold(fake.config, { invId: 2, outSum: rub(10000n) }, fast)],
    ['Payment/Cancel', () => cancelHold(fake.config, { invId: 2 }, fast)],
    [
      'Recurring',
      () => chargeRecurring(fake.config, { invId: 900, previousInvId: 1, outSum: rub(100n), description: 'x' }, fast),
    ],
    [
      'Receipt/Attach',
      () =>
        attachSecondReceipt(
          fake.config,
          { id: 71, originId: 1, total: '1.00', items: [{ name: 'x', quantity: 1, sum: '1.00', tax: 'none' }] },
          fast,
        ),
    ],
  ];

  test.each(writes)('%s: a 500 is reported after one attempt', async (endpoint, call) => {
    const before = fake.hits(endpoint);
    fake.override(endpoint, { status: 500, body: 'oops' });
    const error = await failure(call());
    expect(error.code).toBe('GATEWAY_HTTP_ERROR');
    expect(error.details).toMatchObject({ status: 500, attempts: 1, outcomeKnown: false });
    expect(fake.hits(endpoint) - before).toBe(1);
  });

  test.each(writes)('%s: a dropped connection is reported after one attempt', async (endpoint, call) => {
    const before = fake.hits(endpoint);
    fake.override(endpoint, 'reset');
    expect((await failure(call())).code).toBe('GATEWAY_UNREACHABLE');
    expect(fake.hits(endpoint) - before).toBe(1);
  });

  test('Refund/Create that times out → GATEWAY_TIMEOUT, sent once, outcome unknown', async () => {
    const before = fake.hits('Refund/Create');
    fake.override('Refund/Create', 'hang');
    const error = await failure(
      createRefund(fake.config, { opKey: 'OP-1', refundSum: rub(100n) }, { timeoutMs: 200, retry: { attempts: 5 } }),
    );
    expect(error.code).toBe('GATEWAY_TIMEOUT');
    expect(error.details.outcomeKnown).toBe(false);
    expect(fake.hits('Refund/Create') - before).toBe(1);
  });
});

describe('transport', () => {
  test('nothing listening → GATEWAY_UNREACHABLE naming host and path, never the signed query', async () => {
    const port = await closedPort();
    const config = fake.configWith({ baseUrl: `http://127.0.0.1:${port}` });
    const error = await failure(opStateExt(config, { invId: 1 }, fast));
    expect(error.code).toBe('GATEWAY_UNREACHABLE');
    expect(error.details).toMatchObject({
      host: `http://127.0.0.1:${port}`,
      path: '/Merchant/WebService/Service.asmx/OpStateExt',
      attempts: 3,
      reason: 'ECONNREFUSED',
    });
    expect(JSON.stringify(error.toJSON())).not.toMatch(/Signature|p2/);
  });

  test('an injected fetch is used, with a timeout signal on every call', async () => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const stub: FetchLike = async (url, init) => {
      calls.push({ url, init });
      return new Response('<CurrenciesList><Result><Code>0</Code></Result><Groups /></CurrenciesList>', {
        status: 200,
        headers: { 'content-type': 'text/xml' },
      });
    };
    expect(await getCurrencies(fake.config, { language: 'en' }, { fetch: stub })).toEqual([]);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe(
      `${fake.url}/Merchant/WebService/Service.asmx/GetCurrencies?MerchantLogin=login&Language=en`,
    );
    expect(calls[0]?.init.signal).toBeInstanceOf(AbortSignal);
  });

  test('a redirect is not followed → GATEWAY_HTTP_ERROR with the 3xx status', async () => {
    const before = fake.hits('Payment/Confirm');
    fake.override('Payment/Confirm', { status: 302, body: '' });
    const error = await failure(confirmHold(fake.config, { invId: 2, outSum: rub(100n) }, fast));
    expect(error.code).toBe('GATEWAY_HTTP_ERROR');
    expect(error.details.status).toBe(302);
    expect(fake.hits('Payment/Confirm') - before).toBe(1);
  });

  test('a caller abort is rethrown as is and not retried', async () => {
    const controller = new AbortController();
    const reason = new Error('checkout cancelled');
    let calls = 0;
    const stub: FetchLike = (_url, init) => {
      calls += 1;
      return new Promise((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        controller.abort(reason);
      });
    };
    await expect(opStateExt(fake.config, { invId: 1 }, { fetch: stub, signal: controller.signal })).rejects.toBe(
      reason,
    );
    expect(calls).toBe(1);
  });

  test('a fetch that throws synchronously-ish (TypeError) → GATEWAY_UNREACHABLE', async () => {
    const stub: FetchLike = async () => {
      throw new TypeError('fetch failed');
    };
    const error = await failure(
      sendRequest(
        { endpoint: 'Test', url: 'https://example.invalid/x?Signature=abc', method: 'GET', idempotent: false },
        { fetch: stub },
      ),
    );
    expect(error.code).toBe('GATEWAY_UNREACHABLE');
    expect(error.details).toMatchObject({ endpoint: 'Test', host: 'https://example.invalid', path: '/x' });
    expect(JSON.stringify(error.toJSON())).not.toContain('Signature');
  });
});
