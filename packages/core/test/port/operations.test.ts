import { describe, expect, test } from 'vitest';
import {
  cancelPayment,
  capturePayment,
  createMemoryLedger,
  finishRefund,
  type GatewayStatus,
  isKassaError,
  KassaError,
  type PaymentRecord,
  type PaymentState,
  parseMoney,
  type RefundResult,
  refundPayment,
} from '../../src/index.js';
import { ToyGateway, type ToyGatewayOptions } from '../support/toy-gateway.js';

/** capturePayment, cancelPayment, refundPayment and finishRefund through the port, with a strict toy gateway. */

const rub = (text: string) => parseMoney(text, 'RUB', { allowZero: true });

async function setup(state: PaymentState, options: ToyGatewayOptions = {}) {
  const gateway = new ToyGateway(options);
  const ledger = createMemoryLedger();
  const created = await ledger.create({ gateway: 'assist', reference: 'cart-1', amount: rub('100.00'), isTest: false });
  const key = { gateway: 'assist' as const, invoiceId: created.invoiceId };
  if (state !== 'pending') await ledger.transition({ ...key, from: ['pending'], to: state, source: 'admin' });
  const record = (await ledger.find(key)) as PaymentRecord;
  const deps = { gateway, ledger };
  const now = async () => (await ledger.find(key)) as PaymentRecord;
  const status = (kind: Exclude<GatewayStatus['kind'], 'not_found'>, amount = '100.00'): GatewayStatus => ({
    kind,
    amounts: [rub(amount)],
    details: { toyState: kind },
  });
  return { gateway, ledger, record, key, deps, now, status, id: record.invoiceId };
}

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('capturePayment', () => {
  test('full: the gateway captures, the record becomes paid with the captured amount noted', async () => {
    const { gateway, deps, record, now, id } = await setup('held');
    gateway.on.capture = async (r) => ({ amount: r.amount, details: { captureId: 'c-1' } });
    const captured = await capturePayment(deps, record);
    expect(captured).toMatchObject({ state: 'paid', details: { captureId: 'c-1', captured: '100.00' } });
    expect((await now()).state).toBe('paid');
    expect(gateway.calls).toEqual([`capture ${id} full`]);
  });

  test('partial: 60.00 of a 100.00 hold; the record keeps the held amount', async () => {
    const { gateway, deps, record, id } = await setup('held');
    gateway.on.capture = async (_r, amount) => ({ amount: amount ?? rub('0.00'), details: {} });
    const captured = await capturePayment(deps, record, rub('60.00'));
    expect(captured).toMatchObject({ state: 'paid', amount: rub('100.00'), details: { captured: '60.00' } });
    expect(gateway.calls).toEqual([`capture ${id} 60.00`]);
  });

  test('refused before the gateway: more than held, zero, or partial where the gateway captures only in full', async () => {
    const { gateway, deps, record, now } = await setup('held');
    for (const amount of ['100.01', '0.00']) {
      const error = await thrown(capturePayment(deps, record, parseMoney(amount, 'RUB', { allowZero: true })));
      expect(isKassaError(error, 'AMOUNT_MISMATCH')).toBe(true);
    }
    const fullOnly = await setup('held', { capabilities: { partialCapture: false } });
    expect(
      isKassaError(await thrown(capturePayment(fullOnly.deps, fullOnly.record, rub('60.00'))), 'HOLD_REJECTED'),
    ).toBe(true);
    expect([...gateway.calls, ...fullOnly.gateway.calls]).toEqual([]);
    expect((await now()).state).toBe('held');
  });

  test('twice: a capture of a captured payment is a no-op; a second capture the gateway refuses returns the winner', async () => {
    const { gateway, deps, record, id } = await setup('held');
    let confirms = 0;
    gateway.on.capture = async (r) => {
      confirms += 1;
      if (confirms > 1) throw new KassaError('HOLD_REJECTED', 'already confirmed');
      return { amount: r.amount, details: {} };
    };
    const first = await capturePayment(deps, record);
    expect(first.state).toBe('paid');
    // Asked again with the paid record: answered from the ledger, the gateway is not called.
    expect(await capturePayment(deps, first)).toMatchObject({ state: 'paid' });
    // Asked again with a stale (held) copy: the gateway refuses the second Confirm; the ledger says it is paid.
    expect(await capturePayment(deps, record)).toMatchObject({ state: 'paid' });
    expect(gateway.calls).toEqual([`capture ${id} full`, `capture ${id} full`]);
  });

  test('a refusal that is not explained by a winner is thrown, and the record stays held', async () => {
    const { gateway, deps, record, now } = await setup('held');
    gateway.on.capture = async () => {
      throw new KassaError('HOLD_REJECTED', 'expired');
    };
    expect(isKassaError(await thrown(capturePayment(deps, record)), 'HOLD_REJECTED')).toBe(true);
    expect((await now()).state).toBe('held');
  });

  test('pending: the payment is refreshed first (the hold notification may be late), then captured', async () => {
    const { gateway, deps, record, status, id } = await setup('pending');
    gateway.on.status = async () => status('held');
    gateway.on.capture = async (r) => ({ amount: r.amount, details: {} });
    expect(await capturePayment(deps, record)).toMatchObject({ state: 'paid' });
    expect(gateway.calls).toEqual([`status ${id}`, `capture ${id} full`]);
  });

  test('pending that the refresh finds paid: nothing to capture; still pending at the gateway: refused', async () => {
    const paid = await setup('pending');
    paid.gateway.on.status = async () => paid.status('paid');
    expect(await capturePayment(paid.deps, paid.record)).toMatchObject({ state: 'paid' });
    expect(paid.gateway.calls).toEqual([`status ${paid.id}`]);

    const open = await setup('pending');
    open.gateway.on.status = async () => open.status('pending');
    expect(isKassaError(await thrown(capturePayment(open.deps, open.record)), 'INVALID_TRANSITION')).toBe(true);
    expect(open.gateway.calls).toEqual([`status ${open.id}`]);
  });
});

describe('cancelPayment', () => {
  test('a hold is released at the gateway, then cancelled in the ledger', async () => {
    const { gateway, deps, record, id } = await setup('held');
    gateway.on.cancel = async () => {};
    expect(await cancelPayment(deps, record)).toMatchObject({ state: 'cancelled' });
    expect(gateway.calls).toEqual([`cancel ${id}`]);
  });

  test('a pending invoice is refreshed, then closed in the ledger only', async () => {
    const { gateway, deps, record, status, id } = await setup('pending');
    gateway.on.status = async () => status('pending');
    expect(await cancelPayment(deps, record)).toMatchObject({ state: 'cancelled' });
    expect(gateway.calls).toEqual([`status ${id}`]);
  });

  test('a pending invoice the refresh finds held is released at the gateway', async () => {
    const { gateway, deps, record, status, id } = await setup('pending');
    gateway.on.status = async () => status('held');
    gateway.on.cancel = async () => {};
    expect(await cancelPayment(deps, record)).toMatchObject({ state: 'cancelled' });
    expect(gateway.calls).toEqual([`status ${id}`, `cancel ${id}`]);
  });

  test('the gateway refusing to release a hold leaves it held', async () => {
    const { gateway, deps, record, now } = await setup('held');
    gateway.on.cancel = async () => {
      throw new KassaError('HOLD_REJECTED', 'already captured');
    };
    expect(isKassaError(await thrown(cancelPayment(deps, record)), 'HOLD_REJECTED')).toBe(true);
    expect((await now()).state).toBe('held');
  });

  test('cancelled or failed: returned as is; paid: refunded, not cancelled', async () => {
    for (const state of ['cancelled', 'failed'] as const) {
      const { gateway, deps, record } = await setup(state);
      expect(await cancelPayment(deps, record)).toMatchObject({ state });
      expect(gateway.calls).toEqual([]);
    }
    const paid = await setup('paid');
    expect(isKassaError(await thrown(cancelPayment(paid.deps, paid.record)), 'INVALID_TRANSITION')).toBe(true);
    expect(paid.gateway.calls).toEqual([]);
  });
});

/** A refund call the test finishes when it wants (so the ledger can be looked at while it is in flight). */
function gate() {
  let resolve!: (result: RefundResult) => void;
  let reject!: (error: unknown) => void;
  let entered!: () => void;
  const started = new Promise<void>((r) => {
    entered = r;
  });
  const refund = () => {
    entered();
    return new Promise<RefundResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
  };
  return { refund, started, resolve: (r: RefundResult) => resolve(r), reject: (e: unknown) => reject(e) };
}

describe('refundPayment: written ahead', () => {
  test('refund_requested with its amount is in the ledger while the gateway call is in flight', async () => {
    const { gateway, deps, record, now, id } = await setup('paid');
    const call = gate();
    gateway.on.refund = call.refund;
    const refunding = refundPayment(deps, record, { amount: rub('30.00') });
    await call.started;
    expect(await now()).toMatchObject({
      state: 'refund_requested',
      refundPending: rub('30.00'),
      refunded: rub('0.00'),
    });
    call.resolve({ details: { refundId: 'rf-1' } });
    const done = await refunding;
    expect(done).toMatchObject({ state: 'partially_refunded', refunded: rub('30.00'), details: { refundId: 'rf-1' } });
    expect(done.refundPending).toBeUndefined();
    expect(await now()).toEqual(done);
    expect(gateway.calls).toEqual([`refund ${id} 30.00`]);

    // The rest: a second, partial-then-full refund ends `refunded`.
    gateway.on.refund = async () => ({ details: { refundId: 'rf-2' } });
    const rest = await refundPayment(deps, done, { amount: rub('70.00') });
    expect(rest).toMatchObject({ state: 'refunded', refunded: rub('100.00'), details: { refundId: 'rf-2' } });
    expect(gateway.calls.at(-1)).toBe(`refund ${id} 70.00`);
  });

  test('a full refund is flagged full for the gateway', async () => {
    const { gateway, deps, record, id } = await setup('paid');
    gateway.on.refund = async (_r, input) => ({ details: { full: String(input.full) } });
    expect(await refundPayment(deps, record, { amount: rub('100.00') })).toMatchObject({
      state: 'refunded',
      details: { full: 'true' },
    });
    expect(gateway.calls).toEqual([`refund ${id} 100.00 full`]);
  });

  test('a refused refund puts the record back where it was', async () => {
    const { gateway, deps, record, now } = await setup('paid');
    gateway.on.refund = async () => {
      throw new KassaError('REFUND_REJECTED', 'not enough balance');
    };
    expect(isKassaError(await thrown(refundPayment(deps, record, { amount: rub('30.00') })), 'REFUND_REJECTED')).toBe(
      true,
    );
    const back = await now();
    expect(back).toMatchObject({ state: 'paid', refunded: rub('0.00') });
    expect(back.refundPending).toBeUndefined();
  });

  test('a timeout leaves refund_requested (the gateway may have taken it): never sent again blindly', async () => {
    const { gateway, deps, record, now } = await setup('paid');
    gateway.on.refund = async () => {
      throw new KassaError('GATEWAY_TIMEOUT', 'no answer in 30 s');
    };
    expect(isKassaError(await thrown(refundPayment(deps, record, { amount: rub('30.00') })), 'GATEWAY_TIMEOUT')).toBe(
      true,
    );
    const left = await now();
    expect(left).toMatchObject({ state: 'refund_requested', refundPending: rub('30.00') });
    // Another refund meanwhile is refused by the ledger, not sent.
    const again = await thrown(refundPayment(deps, left, { amount: rub('30.00') }));
    expect(isKassaError(again, 'INVALID_TRANSITION')).toBe(true);
    expect(gateway.calls.filter((c) => c.startsWith('refund '))).toHaveLength(1);
  });

  test('two concurrent refunds: one is sent, the other fails with LEDGER_CONFLICT', async () => {
    const { gateway, deps, record, now } = await setup('paid');
    gateway.on.refund = async () => ({ details: {} });
    const results = await Promise.allSettled([
      refundPayment(deps, record, { amount: rub('40.00') }),
      refundPayment(deps, record, { amount: rub('40.00') }),
    ]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(isKassaError(rejected[0]?.reason, 'LEDGER_CONFLICT')).toBe(true);
    expect(gateway.calls.filter((c) => c.startsWith('refund '))).toHaveLength(1);
    expect(await now()).toMatchObject({ state: 'partially_refunded', refunded: rub('40.00') });
  });

  test('refused before anything is written: not paid, above what is left, another currency, zero', async () => {
    const pending = await setup('pending');
    expect(
      isKassaError(
        await thrown(refundPayment(pending.deps, pending.record, { amount: rub('1.00') })),
        'INVALID_TRANSITION',
      ),
    ).toBe(true);
    const { deps, record, gateway, now } = await setup('paid');
    for (const amount of [rub('100.01'), parseMoney('10.00', 'KZT'), parseMoney('0.00', 'RUB', { allowZero: true })]) {
      expect(isKassaError(await thrown(refundPayment(deps, record, { amount })), 'AMOUNT_MISMATCH')).toBe(true);
    }
    expect(gateway.calls).toEqual([]);
    expect((await now()).state).toBe('paid');
  });

  test('a gateway without refunds, or without partial ones, refuses up front', async () => {
    const none = await setup('paid', { capabilities: { refund: false } });
    expect(
      isKassaError(await thrown(refundPayment(none.deps, none.record, { amount: rub('100.00') })), 'PASSWORD3_MISSING'),
    ).toBe(true);
    const fullOnly = await setup('paid', { capabilities: { partialRefund: false } });
    expect(
      isKassaError(
        await thrown(refundPayment(fullOnly.deps, fullOnly.record, { amount: rub('30.00') })),
        'REFUND_REJECTED',
      ),
    ).toBe(true);
    expect([...none.gateway.calls, ...fullOnly.gateway.calls]).toEqual([]);
    expect((await fullOnly.now()).state).toBe('paid');
  });
});

describe('finishRefund: a refund a crash left refund_requested', () => {
  async function interrupted(refundedBefore: boolean) {
    const ctx = await setup('paid');
    let record = ctx.record;
    if (refundedBefore) {
      ctx.gateway.on.refund = async () => ({ details: {} });
      record = await refundPayment(ctx.deps, record, { amount: rub('20.00') });
    }
    ctx.gateway.on.refund = async () => {
      throw new KassaError('GATEWAY_TIMEOUT', 'crash stand-in');
    };
    await thrown(refundPayment(ctx.deps, record, { amount: rub('30.00') }));
    return { ...ctx, left: await ctx.now() };
  }

  test('done: the refund is recorded', async () => {
    const { gateway, deps, left, now, id } = await interrupted(false);
    gateway.on.refundState = async () => 'done';
    expect(await finishRefund(deps, left)).toBe('done');
    expect(await now()).toMatchObject({ state: 'partially_refunded', refunded: rub('30.00') });
    expect((await now()).refundPending).toBeUndefined();
    expect(gateway.calls.at(-1)).toBe(`refundState ${id}`);
  });

  test('done for the rest of a payment: refunded', async () => {
    const ctx = await setup('paid');
    ctx.gateway.on.refund = async () => {
      throw new KassaError('GATEWAY_TIMEOUT', 'crash stand-in');
    };
    await thrown(refundPayment(ctx.deps, ctx.record, { amount: rub('100.00') }));
    ctx.gateway.on.refundState = async () => 'done';
    expect(await finishRefund(ctx.deps, await ctx.now())).toBe('done');
    expect(await ctx.now()).toMatchObject({ state: 'refunded', refunded: rub('100.00') });
  });

  test('failed: put back where it was (paid, or partially refunded with the earlier refund kept)', async () => {
    const first = await interrupted(false);
    first.gateway.on.refundState = async () => 'failed';
    expect(await finishRefund(first.deps, first.left)).toBe('failed');
    expect(await first.now()).toMatchObject({ state: 'paid', refunded: rub('0.00') });

    const second = await interrupted(true);
    second.gateway.on.refundState = async () => 'failed';
    expect(await finishRefund(second.deps, second.left)).toBe('failed');
    expect(await second.now()).toMatchObject({ state: 'partially_refunded', refunded: rub('20.00') });
  });

  test('unknown: left for the merchant, nothing sent again', async () => {
    const { gateway, deps, left, now } = await interrupted(false);
    gateway.on.refundState = async () => 'unknown';
    expect(await finishRefund(deps, left)).toBe('unknown');
    expect(await now()).toMatchObject({ state: 'refund_requested', refundPending: rub('30.00') });
    expect(gateway.calls.filter((c) => c.startsWith('refund '))).toHaveLength(1);
  });

  test('a record that is not refund_requested is not asked about', async () => {
    const { gateway, deps, record } = await setup('paid');
    expect(await finishRefund(deps, record)).toBe('unknown');
    expect(gateway.calls).toEqual([]);
  });
});
