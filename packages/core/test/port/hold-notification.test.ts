import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { AssistGateway, createAssistConfig } from '../../src/assist/index.js';
import {
  createMemoryLedger,
  type Gateway,
  handleHoldNotification,
  type Logger,
  type PaymentRecord,
  parseMoney,
  processHoldNotification,
  type SettleContext,
} from '../../src/index.js';
import { createRobokassaConfig, RobokassaGateway } from '../../src/robokassa/index.js';
import { resultUrl2Payload, signResultUrl2Jws } from '../../src/testing/index.js';

/**
 * The hold channel of the port (`Gateway.readHoldNotification`, served by `handleHoldNotification`): Robokassa's
 * ResultUrl2, a JWS signed by Robokassa's key, through the same settle step as ResultURL.
 */

const robokassaKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const strangerKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const certificate = robokassaKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const config = createRobokassaConfig({ login: 'demo', password1: 'hold-password-1', password2: 'hold-password-2' });

function codes(): Logger & { seen: string[] } {
  const seen: string[] = [];
  const push = (code: string) => {
    seen.push(code);
  };
  return { seen, info: push, warn: push, error: push };
}

async function setup(options: { certificate?: string | undefined; isTest?: boolean } = {}) {
  const ledger = createMemoryLedger();
  const record = await ledger.create({
    gateway: 'robokassa',
    reference: 'cart_1',
    amount: parseMoney('1534.50'),
    isTest: options.isTest ?? false,
  });
  const gateway = new RobokassaGateway(config, {
    resultUrl2Certificate: 'certificate' in options ? options.certificate : certificate,
  });
  const settled: Array<{ record: PaymentRecord; context: SettleContext }> = [];
  const logger = codes();
  const deps = {
    gateway,
    ledger,
    logger,
    onSettled: async (r: PaymentRecord, context: SettleContext) => {
      settled.push({ record: r, context });
    },
  };
  const token = (over: { state?: 'HOLD' | 'OK'; incSum?: string; invId?: number; key?: typeof robokassaKeys } = {}) =>
    signResultUrl2Jws(
      (over.key ?? robokassaKeys).privateKey,
      resultUrl2Payload({
        shop: 'demo',
        invId: over.invId ?? Number(record.invoiceId),
        incSum: over.incSum ?? '1534.50',
        state: over.state ?? 'HOLD',
      }),
    );
  const post = (body: string, method = 'POST') =>
    handleHoldNotification(
      new Request('http://shop.test/robokassa/result2', method === 'GET' ? { method } : { method, body }),
      deps,
    );
  const stored = async () =>
    (await ledger.find({ gateway: 'robokassa', invoiceId: record.invoiceId })) as PaymentRecord;
  return { ledger, record, deps, settled, logger, token, post, stored };
}

describe('handleHoldNotification (Robokassa ResultUrl2)', () => {
  test('HOLD moves pending → held once and runs the settle step once; copies are answered OK as replays', async () => {
    const s = await setup();
    const token = s.token();
    const replies = await Promise.all(Array.from({ length: 10 }, () => s.post(token)));
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(await reply.text()).toBe('OK');
    }
    expect((await s.stored()).state).toBe('held');
    expect(s.settled.filter((x) => x.context.firstTime)).toHaveLength(1);
    expect(s.settled[0]?.context.source).toBe('hold_notification');
    expect(s.settled[0]?.context.event.kind).toBe('held');
    expect((await s.stored()).details).toMatchObject({ paymentMethod: 'BankCard' });
  });

  test('OK is answered and changes nothing (ResultURL settles payments)', async () => {
    const s = await setup();
    const reply = await s.post(s.token({ state: 'OK' }));
    expect([reply.status, await reply.text()]).toEqual([200, 'OK']);
    expect((await s.stored()).state).toBe('pending');
    expect(s.settled).toHaveLength(0);
    expect(s.logger.seen).toContain('HOLD_NOTIFICATION_IGNORED');
  });

  test.each([
    ['a token signed by another key', { key: strangerKeys }],
    ['another amount', { incSum: '1534.49' }],
    ['an unknown invoice', { invId: 999_999 }],
  ])('%s: a fixed 400, nothing changes', async (_name, over) => {
    const s = await setup();
    const reply = await s.post(s.token(over));
    expect([reply.status, await reply.text()]).toEqual([400, 'bad request']);
    expect((await s.stored()).state).toBe('pending');
    expect(s.settled).toHaveLength(0);
  });

  test('a test invoice never takes a hold notification (Robokassa has no test holds)', async () => {
    const s = await setup({ isTest: true });
    const reply = await s.post(s.token());
    expect(reply.status).toBe(400);
    expect((await s.stored()).state).toBe('pending');
    expect(s.logger.seen).toContain('CALLBACK_STATE_CONFLICT');
  });

  test('without a certificate nothing verifies: 400, and the outcome says the channel is unavailable', async () => {
    const s = await setup({ certificate: undefined });
    expect((await s.post(s.token())).status).toBe(400);
    expect(await processHoldNotification(s.token(), s.deps)).toEqual({
      kind: 'unavailable',
      code: 'RESULT_URL2_NOT_CONFIGURED',
    });
    expect((await s.stored()).state).toBe('pending');
  });

  test('the settle step failing → 500 so Robokassa retries; the retry settles with firstTime false', async () => {
    const s = await setup();
    let fail = true;
    const deps = {
      ...s.deps,
      onSettled: async (r: PaymentRecord, context: SettleContext) => {
        if (fail) throw new Error('platform down');
        s.settled.push({ record: r, context });
      },
    };
    const token = s.token();
    const first = await processHoldNotification(token, deps);
    expect(first.kind).toBe('retry');
    fail = false;
    const second = await processHoldNotification(token, deps);
    expect(second.kind).toBe('replay');
    expect(s.settled).toEqual([expect.objectContaining({ context: expect.objectContaining({ firstTime: false }) })]);
  });

  test('GET is not the channel (405); a body over the limit is 413', async () => {
    const s = await setup();
    expect((await s.post('', 'GET')).status).toBe(405);
    const big = await handleHoldNotification(
      new Request('http://shop.test/robokassa/result2', { method: 'POST', body: 'x'.repeat(70_000) }),
      s.deps,
    );
    expect(big.status).toBe(413);
  });
});

test('a gateway without a hold channel (Assist: holds arrive as ordinary notifications) says so', async () => {
  const assist = new AssistGateway(
    createAssistConfig({ merchantId: '123456', secretWord: 'hold-secret-word', login: 'l', password: 'p' }),
  );
  expect((assist as Gateway).readHoldNotification).toBeUndefined();
  const outcome = await processHoldNotification('token', {
    gateway: assist,
    ledger: createMemoryLedger(),
    logger: codes(),
  });
  expect(outcome).toEqual({ kind: 'unavailable', code: 'HOLD_NOTIFICATION_UNSUPPORTED' });
});
