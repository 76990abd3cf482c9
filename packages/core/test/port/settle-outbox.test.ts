import { describe, expect, test } from 'vitest';
import {
  createMemoryLedger,
  createSettleOutbox,
  type InvoiceKey,
  type Logger,
  type PaymentRecord,
  parseMoney,
  processNotification,
  type SettleOutboxOptions,
  type SettleVerdict,
} from '../../src/index.js';
import { ToyGateway } from '../support/toy-gateway.js';

/**
 * The settle outbox: a notification is answered once the payment is durable, whether or not the platform has
 * finished settling it; the platform settles it after, once per invoice, with retries, and a restarted process
 * finishes what a dead one answered but never settled. Time is never asserted: a settle step the test holds open
 * proves the answer did not wait for it.
 */

function captureLogger(): Logger & { codes(): string[] } {
  const codes: string[] = [];
  const push = (code: string) => void codes.push(code);
  return { info: push, warn: push, error: push, codes: () => codes };
}

/** A gate the test opens when it wants the platform's settle step to finish. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((wake) => {
    open = wake;
  });
  return { open, opened };
}

async function setup(invoices = 1) {
  const gateway = new ToyGateway({ testSecret: 'toy-test-secret-19c2' });
  const ledger = createMemoryLedger();
  const records: PaymentRecord[] = [];
  for (let i = 0; i < invoices; i += 1) {
    records.push(
      await ledger.create({
        gateway: 'assist',
        invoiceId: `order-${i}`,
        reference: `cart-${i}`,
        amount: parseMoney('100.00'),
        isTest: false,
      }),
    );
  }
  const key = (i = 0): InvoiceKey => ({ gateway: 'assist', invoiceId: `order-${i}` });
  const post = (i = 0) =>
    new Request('https://shop.example/toy/notify', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: gateway.sign(`order-${i}`, 'paid', '100.00', { isTest: false }),
    });
  const pay = (i = 0) => ledger.transition({ ...key(i), from: ['pending'], to: 'paid', source: 'notification' });
  const logger = captureLogger();
  return { gateway, ledger, records, key, post, pay, logger };
}

type Setup = Awaited<ReturnType<typeof setup>>;

/** A platform settle step that counts its runs, can be held open, fail, or call a payment a surplus. */
function platform(ctx: Setup, behaviour: { hold?: Promise<void>; failTimes?: number; verdict?: SettleVerdict } = {}) {
  const calls: string[] = [];
  let running = 0;
  let maxRunning = 0;
  let failures = behaviour.failTimes ?? 0;
  const onSettled: SettleOutboxOptions['onSettled'] = async (record) => {
    calls.push(record.invoiceId);
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    try {
      await behaviour.hold;
      if (failures > 0) {
        failures -= 1;
        throw new Error('cart completion failed');
      }
      if (behaviour.verdict === 'surplus') return 'surplus';
      await ctx.ledger.markSettled(record, record.state);
      return 'settled';
    } finally {
      running -= 1;
    }
  };
  return { onSettled, calls, maxRunning: () => maxRunning };
}

describe('createSettleOutbox', () => {
  test('a settlement that finishes in time: the gateway is answered after it, as without the outbox', async () => {
    const ctx = await setup();
    const medusa = platform(ctx);
    const outbox = createSettleOutbox({ ...ctx, onSettled: medusa.onSettled, waitMs: 60_000, logger: ctx.logger });
    const outcome = await processNotification(ctx.post(), { ...ctx, onSettled: outbox.step });
    expect(outcome.kind).toBe('paid');
    expect(medusa.calls).toEqual(['order-0']);
    expect((await ctx.ledger.find(ctx.key()))?.settledState).toBe('paid');
    expect(ctx.logger.codes()).not.toContain('SETTLE_DEFERRED');
  });

  test('a slow settlement: the gateway gets its OK with the payment recorded, the order follows', async () => {
    const ctx = await setup();
    const held = gate();
    const medusa = platform(ctx, { hold: held.opened });
    const outbox = createSettleOutbox({ ...ctx, onSettled: medusa.onSettled, waitMs: 0, logger: ctx.logger });
    const outcome = await processNotification(ctx.post(), { ...ctx, onSettled: outbox.step });
    // Answered while the platform is still working: durable in the ledger, not yet settled.
    expect(outcome.kind).toBe('paid');
    expect(ctx.gateway.notificationReply(outcome).status).toBe(200);
    expect(await ctx.ledger.find(ctx.key())).toMatchObject({ state: 'paid', settledState: undefined });
    expect(outbox.size).toBe(1);
    expect(ctx.logger.codes()).toContain('SETTLE_DEFERRED');
    held.open();
    await outbox.idle();
    expect((await ctx.ledger.find(ctx.key()))?.settledState).toBe('paid');
    expect(medusa.calls).toEqual(['order-0']);
  });

  test('duplicates while settling are answered without waiting and never settle twice; after it they cost nothing', async () => {
    const ctx = await setup();
    const held = gate();
    const medusa = platform(ctx, { hold: held.opened });
    // Even with a long wait: only the first copy (which started the settlement) would wait for it.
    const outbox = createSettleOutbox({ ...ctx, onSettled: medusa.onSettled, waitMs: 60_000 });
    const first = processNotification(ctx.post(), { ...ctx, onSettled: outbox.step, logger: ctx.logger });
    while (medusa.calls.length === 0) await new Promise((wake) => setTimeout(wake, 1));
    const deps = { ...ctx, onSettled: outbox.step, logger: ctx.logger };
    const outcomes = await Promise.all(Array.from({ length: 19 }, () => processNotification(ctx.post(), deps)));
    expect(outcomes.map((o) => o.kind)).toEqual(Array.from({ length: 19 }, () => 'replay'));
    held.open();
    expect((await first).kind).toBe('paid');
    await outbox.idle();
    const after = await Promise.all(Array.from({ length: 10 }, () => processNotification(ctx.post(), deps)));
    expect(after.every((o) => o.kind === 'replay')).toBe(true);
    expect(medusa.calls).toEqual(['order-0']);
  });

  test('at most `concurrency` settlements run at once; every invoice is settled', async () => {
    const ctx = await setup(10);
    const held = gate();
    const medusa = platform(ctx, { hold: held.opened });
    const outbox = createSettleOutbox({ ...ctx, onSettled: medusa.onSettled, waitMs: 0, concurrency: 2 });
    const deps = { ...ctx, onSettled: outbox.step, logger: ctx.logger };
    const outcomes = await Promise.all(ctx.records.map((_, i) => processNotification(ctx.post(i), deps)));
    expect(outcomes.every((o) => o.kind === 'paid')).toBe(true);
    expect(medusa.calls).toHaveLength(2);
    held.open();
    await outbox.idle();
    expect(medusa.maxRunning()).toBe(2);
    expect(new Set(medusa.calls).size).toBe(10);
    expect(await ctx.ledger.listUnsettled({ limit: 100 })).toEqual([]);
  });

  test('a failure within the wait goes back to the gateway (it retries) and is retried in the background too', async () => {
    const ctx = await setup();
    const medusa = platform(ctx, { failTimes: 1 });
    const outbox = createSettleOutbox({
      ...ctx,
      onSettled: medusa.onSettled,
      waitMs: 60_000,
      retryDelaysMs: [0],
      logger: ctx.logger,
    });
    const outcome = await processNotification(ctx.post(), { ...ctx, onSettled: outbox.step, logger: ctx.logger });
    expect(outcome).toMatchObject({ kind: 'retry', code: 'ON_PAID_FAILED' });
    await until(async () => (await ctx.ledger.find(ctx.key()))?.settledState === 'paid');
    expect(medusa.calls).toEqual(['order-0', 'order-0']);
    expect(ctx.logger.codes()).toContain('SETTLE_FAILED');
    outbox.close();
  });

  test('a settlement that keeps failing is given up to reconciliation: still paid, still listed unsettled', async () => {
    const ctx = await setup();
    const medusa = platform(ctx, { failTimes: 99 });
    const outbox = createSettleOutbox({
      ...ctx,
      onSettled: medusa.onSettled,
      waitMs: 0,
      retryDelaysMs: [0, 0],
      logger: ctx.logger,
    });
    await ctx.pay();
    await expect(outbox.settle((await ctx.ledger.find(ctx.key())) as PaymentRecord)).rejects.toThrow('cart completion');
    await until(async () => ctx.logger.codes().includes('SETTLE_GAVE_UP'));
    expect(medusa.calls).toHaveLength(3);
    expect((await ctx.ledger.listUnsettled({ limit: 10 })).map((r) => r.invoiceId)).toEqual(['order-0']);
  });

  test('crash after answering: a new process drains what the dead one answered but never settled', async () => {
    const ctx = await setup(3);
    // The first process answers all three and dies with its settle steps still running.
    const never = platform(ctx, { hold: new Promise(() => undefined) });
    const dead = createSettleOutbox({ ...ctx, onSettled: never.onSettled, waitMs: 0 });
    for (const i of [0, 1, 2]) {
      expect((await processNotification(ctx.post(i), { ...ctx, onSettled: dead.step, logger: ctx.logger })).kind).toBe(
        'paid',
      );
    }
    dead.close();
    expect(await ctx.ledger.listUnsettled({ limit: 10 })).toHaveLength(3);
    // The restarted process: its job drains the outbox (the ledger) once.
    const medusa = platform(ctx);
    const restarted = createSettleOutbox({ ...ctx, onSettled: medusa.onSettled });
    expect(await restarted.drain()).toEqual({ found: 3, settled: 3, failed: 0 });
    expect(medusa.calls.sort()).toEqual(['order-0', 'order-1', 'order-2']);
    expect(await ctx.ledger.listUnsettled({ limit: 10 })).toEqual([]);
    expect(await restarted.drain()).toEqual({ found: 0, settled: 0, failed: 0 });
  });

  test('drain leaves records younger than olderThanMs to the notification settling them now', async () => {
    const ctx = await setup();
    await ctx.pay();
    const medusa = platform(ctx);
    const outbox = createSettleOutbox({ ...ctx, onSettled: medusa.onSettled });
    expect(await outbox.drain({ olderThanMs: 60_000 })).toEqual({ found: 0, settled: 0, failed: 0 });
    expect(medusa.calls).toEqual([]);
  });

  test('a surplus found in the background is flagged once and refunded in full once', async () => {
    const ctx = await setup();
    const refunds: string[] = [];
    ctx.gateway.on.refund = async (record) => {
      refunds.push(record.invoiceId);
      return { details: { refundId: 'r-1' } };
    };
    const medusa = platform(ctx, { verdict: 'surplus' });
    const outbox = createSettleOutbox({ ...ctx, onSettled: medusa.onSettled, waitMs: 0, logger: ctx.logger });
    await processNotification(ctx.post(), { ...ctx, onSettled: outbox.step, logger: ctx.logger });
    await outbox.idle();
    expect(await ctx.ledger.find(ctx.key())).toMatchObject({ state: 'refunded', surplus: true });
    expect(ctx.logger.codes()).toEqual(expect.arrayContaining(['PAYMENT_SURPLUS', 'PAYMENT_SURPLUS_REFUNDED']));
    // Its retries are acknowledged and never settled again.
    await processNotification(ctx.post(), { ...ctx, onSettled: outbox.step, logger: ctx.logger });
    await outbox.idle();
    expect(medusa.calls).toEqual(['order-0']);
    expect(refunds).toEqual(['order-0']);
  });
});

/** Polls a condition the background work will make true (bounded by vitest's test timeout, never asserted on time). */
async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((wake) => setTimeout(wake, 5));
}
