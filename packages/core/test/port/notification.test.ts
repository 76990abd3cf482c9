import { describe, expect, test } from 'vitest';
import {
  createMemoryLedger,
  handleNotification,
  type InvoiceKey,
  type Logger,
  type MemoryLedger,
  type NotificationDeps,
  type NotificationOutcome,
  type PaymentLedger,
  type PaymentRecord,
  parseMoney,
  processNotification,
  refundSurplus,
  type SettleContext,
} from '../../src/index.js';
import { ToyGateway } from '../support/toy-gateway.js';

/**
 * The exactly-once notification use case through the port, with a toy gateway: every outcome kind, the reply each
 * one maps to, and exactly-once under concurrency.
 */

const URL = 'https://shop.example/toy/notify';

interface LogLine {
  level: 'info' | 'warn' | 'error';
  code: string;
  fields: Record<string, unknown>;
}

function captureLogger(): Logger & { lines: LogLine[]; codes(): string[] } {
  const lines: LogLine[] = [];
  const push = (level: LogLine['level']) => (code: string, fields?: Readonly<Record<string, unknown>>) =>
    lines.push({ level, code, fields: { ...fields } });
  return { lines, info: push('info'), warn: push('warn'), error: push('error'), codes: () => lines.map((l) => l.code) };
}

/** The memory ledger, counting transitions that were applied (the exactly-once evidence). */
function countingLedger(inner: MemoryLedger): MemoryLedger & { applied: number } {
  const wrapper = {
    ...inner,
    applied: 0,
    async transition(request: Parameters<PaymentLedger['transition']>[0]) {
      const result = await inner.transition(request);
      if (result.applied) wrapper.applied += 1;
      return result;
    },
  };
  return wrapper;
}

const post = (body: string, headers: Record<string, string> = {}) =>
  new Request(URL, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });

async function setup(options: { amount?: string; isTest?: boolean; testSecret?: string | undefined } = {}) {
  const gateway = new ToyGateway({ testSecret: 'testSecret' in options ? options.testSecret : 'toy-test-secret-19c2' });
  const ledger = countingLedger(createMemoryLedger());
  const record = await ledger.create({
    gateway: 'assist',
    invoiceId: 'order-7/attempt-1',
    reference: 'cart-7',
    amount: parseMoney(options.amount ?? '100.00'),
    isTest: options.isTest ?? false,
  });
  const key: InvoiceKey = { gateway: 'assist', invoiceId: record.invoiceId };
  const logger = captureLogger();
  const settled: Array<{ record: PaymentRecord; context: SettleContext }> = [];
  const deps: NotificationDeps = {
    gateway,
    ledger,
    logger,
    onSettled: async (r, context) => {
      settled.push({ record: r, context });
    },
  };
  const sign = (status: string, amount = options.amount ?? '100.00', extra: Parameters<ToyGateway['sign']>[3] = {}) =>
    gateway.sign(record.invoiceId, status, amount, { isTest: record.isTest, ...extra });
  const stateNow = async () => (await ledger.find(key))?.state;
  const move = (from: PaymentRecord['state'], to: PaymentRecord['state']) =>
    ledger.transition({ ...key, from: [from], to, source: 'admin' });
  return { gateway, ledger, record, key, logger, settled, deps, sign, stateNow, move };
}

async function reply(outcome: Promise<Response>): Promise<[number, string]> {
  const response = await outcome;
  return [response.status, await response.text()];
}

describe('processNotification: outcomes that acknowledge', () => {
  test('paid: the record moves once, the settle step runs first-time, the gateway gets its ACK', async () => {
    const { deps, ledger, record, settled, sign, logger, stateNow } = await setup();
    const outcome = await processNotification(post(sign('paid')), deps);
    expect(outcome).toMatchObject({ kind: 'paid', record: { state: 'paid', details: { toyStatus: 'paid' } } });
    expect(await stateNow()).toBe('paid');
    expect(ledger.applied).toBe(1);
    expect(settled).toHaveLength(1);
    expect(settled[0]?.context).toMatchObject({ firstTime: true, source: 'notification', event: { kind: 'paid' } });
    expect(logger.lines).toEqual([
      {
        level: 'info',
        code: 'PAYMENT_PAID',
        fields: {
          gateway: 'assist',
          invoiceId: record.invoiceId,
          isTest: false,
          from: 'pending',
          source: 'notification',
        },
      },
    ]);
    expect(await reply(handleNotification(post(sign('paid')), deps))).toEqual([200, `ACK ${record.invoiceId}`]);
  });

  test('replay: a second copy changes nothing, runs the settle step again with firstTime false', async () => {
    const { deps, ledger, settled, sign, logger } = await setup();
    await processNotification(post(sign('paid')), deps);
    const again = await processNotification(post(sign('paid')), deps);
    expect(again).toMatchObject({ kind: 'replay', record: { state: 'paid' } });
    expect(ledger.applied).toBe(1);
    expect(settled.map((s) => s.context.firstTime)).toEqual([true, false]);
    expect(logger.codes()).toEqual(['PAYMENT_PAID', 'PAYMENT_REPLAY']);
  });

  test.each(['refund_requested', 'partially_refunded', 'refunded'] as const)(
    'after-refund (%s): acknowledged, no transition, no settle step',
    async (state) => {
      const { deps, ledger, record, settled, sign, logger, move, key } = await setup();
      await move('pending', 'paid');
      if (state === 'refund_requested') {
        await ledger.transition({
          ...key,
          from: ['paid'],
          to: state,
          source: 'refund',
          patch: { refundPending: parseMoney('10.00') },
        });
      } else await move('paid', state);
      const before = ledger.applied;
      const outcome = await processNotification(post(sign('paid')), deps);
      expect(outcome).toMatchObject({ kind: 'after-refund', record: { state } });
      expect(ledger.applied).toBe(before);
      expect(settled).toEqual([]);
      expect(logger.lines).toEqual([
        {
          level: 'info',
          code: 'PAYMENT_AFTER_REFUND',
          fields: { gateway: 'assist', invoiceId: record.invoiceId, state },
        },
      ]);
      expect(await reply(handleNotification(post(sign('paid')), deps))).toEqual([200, `ACK ${record.invoiceId}`]);
    },
  );

  test('declined: acknowledged, the record keeps its state (another attempt may still pay)', async () => {
    const { deps, ledger, settled, sign, logger, stateNow } = await setup();
    const outcome = await processNotification(post(sign('declined')), deps);
    expect(outcome).toMatchObject({ kind: 'declined', record: { state: 'pending' }, event: { kind: 'declined' } });
    expect(await stateNow()).toBe('pending');
    expect(ledger.applied).toBe(0);
    expect(settled).toEqual([]);
    expect(logger.codes()).toEqual(['PAYMENT_DECLINED']);
    // …and the invoice can still be paid afterwards.
    expect((await processNotification(post(sign('paid')), deps)).kind).toBe('paid');
  });

  test('cancelled on a held record releases it once; on a pending one it changes nothing', async () => {
    const held = await setup();
    await held.move('pending', 'held');
    const outcome = await processNotification(post(held.sign('cancelled')), held.deps);
    expect(outcome).toMatchObject({ kind: 'declined', record: { state: 'cancelled' } });
    expect(await held.stateNow()).toBe('cancelled');
    expect(held.settled).toEqual([]);

    const pending = await setup();
    expect(await processNotification(post(pending.sign('cancelled')), pending.deps)).toMatchObject({
      kind: 'declined',
      record: { state: 'pending' },
    });
    expect(pending.ledger.applied).toBe(0);
  });
});

describe('processNotification: rejected (nothing changes, nothing will on the same bytes)', () => {
  /** Runs one request and checks the outcome, the reply, an unchanged ledger and no settle step. */
  async function expectRejected(
    ctx: Awaited<ReturnType<typeof setup>>,
    request: () => Request,
    code: string,
    status: number,
    level: LogLine['level'],
  ) {
    const before = JSON.stringify(ctx.ledger.snapshot(), (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
    const outcome = await processNotification(request(), ctx.deps);
    expect(outcome).toMatchObject({ kind: 'rejected', code, status });
    expect(ctx.logger.lines.at(-1)).toMatchObject({ level, code });
    expect(await reply(handleNotification(request(), ctx.deps))).toEqual([status, `REJECT ${code}`]);
    const after = JSON.stringify(ctx.ledger.snapshot(), (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
    expect(after).toBe(before);
    expect(ctx.settled).toEqual([]);
  }

  test('CALLBACK_METHOD_NOT_ALLOWED: a method the gateway does not use (GET here), or none of GET/POST', async () => {
    const ctx = await setup();
    await expectRejected(
      ctx,
      () => new Request(`${URL}?${ctx.sign('paid')}`),
      'CALLBACK_METHOD_NOT_ALLOWED',
      405,
      'warn',
    );
    await expectRejected(
      ctx,
      () => new Request(URL, { method: 'PUT', body: ctx.sign('paid') }),
      'CALLBACK_METHOD_NOT_ALLOWED',
      405,
      'warn',
    );
  });

  test('CALLBACK_TOO_LARGE: a body over the limit', async () => {
    const ctx = await setup();
    ctx.deps.maxBodyBytes = 32;
    await expectRejected(ctx, () => post(ctx.sign('paid')), 'CALLBACK_TOO_LARGE', 413, 'warn');
  });

  test('CALLBACK_UNSUPPORTED_MEDIA_TYPE: JSON', async () => {
    const ctx = await setup();
    await expectRejected(
      ctx,
      () => post(JSON.stringify({ invoice: ctx.record.invoiceId }), { 'content-type': 'application/json' }),
      'CALLBACK_UNSUPPORTED_MEDIA_TYPE',
      415,
      'warn',
    );
  });

  test('CALLBACK_MALFORMED: the gateway cannot read it, or reads it and finds it malformed', async () => {
    const ctx = await setup();
    await expectRejected(ctx, () => post('status=paid&amount=1'), 'CALLBACK_MALFORMED', 400, 'warn');
    await expectRejected(ctx, () => post(new Uint8Array([0xff, 0xfe]) as never), 'CALLBACK_MALFORMED', 400, 'warn');
    // Signed, but a status the toy gateway does not know: its verify step says `malformed`.
    await expectRejected(ctx, () => post(ctx.sign('refunded')), 'CALLBACK_MALFORMED', 400, 'warn');
  });

  test('SIGNATURE_MISMATCH: a wrong secret, a tampered amount, the test secret for a live record', async () => {
    const ctx = await setup();
    await expectRejected(
      ctx,
      () => post(ctx.sign('paid', '100.00', { secret: 'guess' })),
      'SIGNATURE_MISMATCH',
      400,
      'warn',
    );
    await expectRejected(
      ctx,
      () => post(ctx.sign('paid').replace('amount=100.00', 'amount=1.00')),
      'SIGNATURE_MISMATCH',
      400,
      'warn',
    );
    await expectRejected(
      ctx,
      () => post(ctx.sign('paid', '100.00', { isTest: true })),
      'SIGNATURE_MISMATCH',
      400,
      'warn',
    );
  });

  test('UNKNOWN_INVOICE: always an error, whatever the signature (money the shop cannot match)', async () => {
    const ctx = await setup();
    await expectRejected(
      ctx,
      () => post(ctx.gateway.sign('order-8/attempt-1', 'paid', '100.00')),
      'UNKNOWN_INVOICE',
      400,
      'error',
    );
    await expectRejected(
      ctx,
      () => post(ctx.gateway.sign('order-9/attempt-1', 'paid', '100.00', { secret: 'forged' })),
      'UNKNOWN_INVOICE',
      400,
      'error',
    );
    // The gateway never got to verify against a record.
    expect(ctx.gateway.calls.filter((c) => c.startsWith('verifyNotification'))).toEqual([]);
  });

  test('AMOUNT_MISMATCH: more or less than a pending invoice, or a hold for another amount', async () => {
    const ctx = await setup();
    await expectRejected(ctx, () => post(ctx.sign('paid', '99.99')), 'AMOUNT_MISMATCH', 400, 'error');
    await expectRejected(ctx, () => post(ctx.sign('paid', '100.01')), 'AMOUNT_MISMATCH', 400, 'error');
    await expectRejected(ctx, () => post(ctx.sign('held', '60.00')), 'AMOUNT_MISMATCH', 400, 'error');
    const held = await setup();
    await held.move('pending', 'held');
    await expectRejected(held, () => post(held.sign('paid', '100.01')), 'AMOUNT_MISMATCH', 400, 'error');
  });

  test('CURRENCY_MISMATCH: the gateway names another currency than the record', async () => {
    const ctx = await setup();
    await expectRejected(
      ctx,
      () => post(ctx.sign('paid', '100.00', { currency: 'USD' })),
      'CURRENCY_MISMATCH',
      400,
      'error',
    );
  });

  test.each(['cancelled', 'failed'] as const)(
    'CALLBACK_STATE_CONFLICT: a hold on a %s invoice is refused (no money taken; the gateway releases it)',
    async (state) => {
      const ctx = await setup();
      await ctx.move('pending', state);
      await expectRejected(ctx, () => post(ctx.sign('held')), 'CALLBACK_STATE_CONFLICT', 400, 'error');
    },
  );
});

describe('processNotification: money on a closed invoice is never refused (issue #11 §1)', () => {
  test.each(['cancelled', 'failed'] as const)(
    'paid on a %s invoice: the record becomes paid once, the settle step runs first-time, the gateway gets its ACK',
    async (state) => {
      const ctx = await setup();
      await ctx.move('pending', state);
      const copies = await Promise.all(
        Array.from({ length: 10 }, () => processNotification(post(ctx.sign('paid')), ctx.deps)),
      );
      expect(copies.filter((o) => o.kind === 'paid')).toHaveLength(1);
      expect(copies.filter((o) => o.kind === 'replay')).toHaveLength(9);
      expect(await ctx.stateNow()).toBe('paid');
      expect(ctx.settled.filter((s) => s.context.firstTime)).toHaveLength(1);
      expect(ctx.logger.codes()).toContain('PAYMENT_ON_CLOSED_INVOICE');
      expect(await reply(handleNotification(post(ctx.sign('paid')), ctx.deps))).toEqual([
        200,
        `ACK ${ctx.record.invoiceId}`,
      ]);
    },
  );

  test('surplus verdict with a refunding gateway: flagged once, refunded in full once, every copy acknowledged', async () => {
    const ctx = await setup();
    await ctx.move('pending', 'cancelled');
    ctx.gateway.on.refund = async () => ({ details: { refundId: 'r-1' } });
    let steps = 0;
    const deps: NotificationDeps = {
      ...ctx.deps,
      onSettled: async () => {
        steps += 1;
        return 'surplus';
      },
    };
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => processNotification(post(ctx.sign('paid')), deps)),
    );
    expect(outcomes.every((o) => o.kind === 'paid' || o.kind === 'replay' || o.kind === 'after-refund')).toBe(true);
    const record = await ctx.ledger.find(ctx.key);
    expect(record).toMatchObject({ state: 'refunded', surplus: true, refunded: { minor: 10000n } });
    expect(ctx.gateway.calls.filter((c) => c.startsWith('refund '))).toEqual([
      `refund ${ctx.record.invoiceId} 100.00 full`,
    ]);
    expect(ctx.logger.codes().filter((c) => c === 'PAYMENT_SURPLUS')).toHaveLength(1);
    expect(ctx.logger.codes()).toContain('PAYMENT_SURPLUS_REFUNDED');
    // Later copies are acknowledged without the settle step.
    const before = steps;
    expect(await reply(handleNotification(post(ctx.sign('paid')), deps))).toEqual([200, `ACK ${ctx.record.invoiceId}`]);
    expect(steps).toBe(before);
  });

  test('surplus verdict without refunds: flagged paid for the merchant, never settled again; refundSurplus refunds once', async () => {
    const ctx = await setup();
    ctx.gateway.capabilities = { ...ctx.gateway.capabilities, refund: false };
    let steps = 0;
    const deps: NotificationDeps = {
      ...ctx.deps,
      onSettled: async () => {
        steps += 1;
        return 'surplus';
      },
    };
    expect(await reply(handleNotification(post(ctx.sign('paid')), deps))).toEqual([200, `ACK ${ctx.record.invoiceId}`]);
    expect(await reply(handleNotification(post(ctx.sign('paid')), deps))).toEqual([200, `ACK ${ctx.record.invoiceId}`]);
    expect(steps).toBe(1);
    const record = await ctx.ledger.find(ctx.key);
    expect(record).toMatchObject({ state: 'paid', surplus: true, settledState: 'paid' });
    expect(await ctx.ledger.listUnsettled({ limit: 10 })).toEqual([]);
    expect((await ctx.ledger.list({ limit: 10, surplus: true })).records.map((r) => r.invoiceId)).toEqual([
      ctx.record.invoiceId,
    ]);
    ctx.gateway.capabilities = { ...ctx.gateway.capabilities, refund: true };
    ctx.gateway.on.refund = async () => ({ details: {} });
    const both = await Promise.allSettled([
      refundSurplus({ gateway: ctx.gateway, ledger: ctx.ledger }, record as PaymentRecord),
      refundSurplus({ gateway: ctx.gateway, ledger: ctx.ledger }, record as PaymentRecord),
    ]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(ctx.gateway.calls.filter((c) => c.startsWith('refund '))).toHaveLength(1);
    expect((await ctx.ledger.find(ctx.key))?.state).toBe('refunded');
    await expect(refundSurplus({ gateway: ctx.gateway, ledger: ctx.ledger }, ctx.record)).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
    });
  });
});

describe('processNotification: retry (our side failed; the gateway must send it again)', () => {
  async function expectRetry(outcome: NotificationOutcome, code: string) {
    expect(outcome).toMatchObject({ kind: 'retry', code });
  }

  test('LEDGER_ERROR: the ledger cannot be read, or cannot be written', async () => {
    const ctx = await setup();
    const unreadable: PaymentLedger = {
      ...ctx.ledger,
      find: async () => {
        throw new Error('connection refused');
      },
    };
    await expectRetry(
      await processNotification(post(ctx.sign('paid')), { ...ctx.deps, ledger: unreadable }),
      'LEDGER_ERROR',
    );
    expect(ctx.logger.lines.at(-1)).toMatchObject({
      level: 'error',
      code: 'LEDGER_ERROR',
      fields: { operation: 'find' },
    });

    const unwritable: PaymentLedger = {
      ...ctx.ledger,
      transition: async () => {
        throw new Error('deadlock');
      },
    };
    await expectRetry(
      await processNotification(post(ctx.sign('paid')), { ...ctx.deps, ledger: unwritable }),
      'LEDGER_ERROR',
    );
    expect(ctx.logger.lines.at(-1)).toMatchObject({ code: 'LEDGER_ERROR', fields: { operation: 'transition' } });
    expect(await ctx.stateNow()).toBe('pending');
    expect(ctx.settled).toEqual([]);
    expect(await reply(handleNotification(post(ctx.sign('paid')), { ...ctx.deps, ledger: unreadable }))).toEqual([
      503,
      'RETRY LEDGER_ERROR',
    ]);
  });

  test('ON_PAID_FAILED: the record stays paid; the retry runs the settle step again, not first-time', async () => {
    const ctx = await setup();
    const calls: boolean[] = [];
    let fail = true;
    const flaky: NotificationDeps = {
      ...ctx.deps,
      onSettled: async (_record, { firstTime }) => {
        calls.push(firstTime);
        if (fail) throw new Error('order service unavailable');
      },
    };
    await expectRetry(await processNotification(post(ctx.sign('paid')), flaky), 'ON_PAID_FAILED');
    expect(await ctx.stateNow()).toBe('paid');
    expect(ctx.logger.lines.at(-1)).toMatchObject({ level: 'error', code: 'ON_PAID_FAILED' });
    expect(await reply(handleNotification(post(ctx.sign('paid')), flaky))).toEqual([503, 'RETRY ON_PAID_FAILED']);
    fail = false;
    expect((await processNotification(post(ctx.sign('paid')), flaky)).kind).toBe('replay');
    expect(calls).toEqual([true, false, false]);
    expect(ctx.ledger.applied).toBe(1);
  });

  test('TEST_PASSWORDS_MISSING: a test record and no test secret configured', async () => {
    const ctx = await setup({ isTest: true, testSecret: 'toy-test-secret-19c2' });
    const signed = ctx.sign('paid');
    const without = new ToyGateway({ testSecret: undefined });
    await expectRetry(
      await processNotification(post(signed), { ...ctx.deps, gateway: without }),
      'TEST_PASSWORDS_MISSING',
    );
    expect(ctx.logger.lines.at(-1)).toMatchObject({ level: 'error', code: 'TEST_PASSWORDS_MISSING' });
    expect(await ctx.stateNow()).toBe('pending');
    // With the test secret, the same bytes settle the test record.
    expect((await processNotification(post(signed), ctx.deps)).kind).toBe('paid');
  });
});

describe('processNotification: exactly once', () => {
  test('50 concurrent copies: exactly one paid and 49 replays, one applied transition, one first-time settle', async () => {
    const { deps, ledger, settled, sign, stateNow } = await setup();
    const body = sign('paid');
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => processNotification(post(body), deps)));
    const kinds = outcomes.map((o) => o.kind);
    expect(kinds.filter((k) => k === 'paid')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'replay')).toHaveLength(49);
    expect(ledger.applied).toBe(1);
    expect(settled).toHaveLength(50);
    expect(settled.filter((s) => s.context.firstTime)).toHaveLength(1);
    expect(await stateNow()).toBe('paid');
  });

  test('a held event, then a paid partial capture: held → paid once, each with its first-time settle step', async () => {
    const { deps, ledger, settled, sign, stateNow, logger, record } = await setup();
    const hold = await processNotification(post(sign('held', '100.00')), deps);
    expect(hold).toMatchObject({ kind: 'paid', record: { state: 'held' }, event: { kind: 'held' } });
    expect(await stateNow()).toBe('held');
    // The hold's notification again: a replay, not a second move.
    expect((await processNotification(post(sign('held', '100.00')), deps)).kind).toBe('replay');

    const capture = await processNotification(post(sign('paid', '60.00')), deps);
    expect(capture).toMatchObject({ kind: 'paid', record: { state: 'paid', amount: parseMoney('100.00') } });
    expect(await stateNow()).toBe('paid');
    // The captured amount reaches the platform through the event; the record keeps the held amount.
    expect(settled.map((s) => [s.context.event.kind, s.context.firstTime, s.context.event.amount.minor])).toEqual([
      ['held', true, 10000n],
      ['held', false, 10000n],
      ['paid', true, 6000n],
    ]);
    expect(logger.lines.find((l) => l.code === 'PAYMENT_PAID')).toMatchObject({
      fields: { invoiceId: record.invoiceId, from: 'held', captured: '60.00', held: '100.00' },
    });
    // The gateway's retry of the capture notification is answered, not refused.
    expect((await processNotification(post(sign('paid', '60.00')), deps)).kind).toBe('replay');
    expect(ledger.applied).toBe(2);
    expect(logger.codes()).toEqual(['PAYMENT_HELD', 'PAYMENT_PAID', 'PAYMENT_REPLAY']);
  });
});
