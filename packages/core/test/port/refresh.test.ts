import { describe, expect, test } from 'vitest';
import {
  createMemoryLedger,
  type Logger,
  type PaymentRecord,
  type PaymentState,
  parseMoney,
  type RefreshResult,
  refreshPayment,
  type SettleContext,
} from '../../src/index.js';
import {
  createRobokassaConfig,
  OPERATION_STATE_CODES,
  type OperationStateCode,
  type OperationStateResult,
  RobokassaGateway,
} from '../../src/robokassa/index.js';
import { ToyGateway } from '../support/toy-gateway.js';

/**
 * `refreshPayment`, the one per-record refresh rule, row by row of its table, with Robokassa's gateway over an
 * injected OpStateExt (no network).
 */

const T0 = Date.parse('2026-03-01T09:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const config = createRobokassaConfig({
  login: 'demo',
  password1: 'refresh-password-1',
  password2: 'refresh-password-2',
});

interface OpState {
  code: OperationStateCode;
  outSum?: string;
  incSum?: string;
  /** Minutes after T0. */
  stateDateAt?: number;
}

function operation(invId: number, op: OpState | 'not_found'): OperationStateResult {
  if (op === 'not_found') return { found: false, invId };
  const outSum = op.outSum ?? '100.00';
  const incSum = op.incSum ?? outSum;
  return {
    found: true,
    invId,
    status: OPERATION_STATE_CODES[op.code],
    stateCode: op.code,
    stateDate: op.stateDateAt === undefined ? undefined : new Date(T0 + op.stateDateAt * MINUTE),
    info: {
      incCurrLabel: 'BankCardPSR',
      incSum: parseMoney(incSum),
      outSum: parseMoney(outSum),
      paymentMethod: { code: 'BankCard', description: 'Банковской картой' },
      opKey: `OP-${invId}`,
      raw: { incSum: `${incSum}0000`, outSum: `${outSum}0000` },
    },
    userFields: [],
    raw: {},
  };
}

function silentCapture(): Logger & { codes: string[] } {
  const codes: string[] = [];
  const push = (code: string) => {
    codes.push(code);
  };
  return { codes, info: push, warn: push, error: push };
}

/** A Robokassa record in `state`, the gateway answering `op`, the clock `at` minutes after T0. */
async function refreshed(state: PaymentState, op: OpState | 'not_found', at = 10) {
  let t = T0;
  const now = () => new Date(t);
  const ledger = createMemoryLedger({ now });
  const record = await ledger.create({
    gateway: 'robokassa',
    reference: 'r',
    amount: parseMoney('100.00'),
    isTest: false,
  });
  const key = { gateway: 'robokassa' as const, invoiceId: record.invoiceId };
  if (state !== 'pending') {
    const via: PaymentState[] = state === 'held' || state === 'paid' ? [state] : ['paid', state];
    let from: PaymentState = 'pending';
    for (const to of via) {
      await ledger.transition({ ...key, from: [from], to, source: 'admin' });
      from = to;
    }
  }
  const asked: number[] = [];
  const gateway = new RobokassaGateway(config, {
    opStateExt: async ({ invId }) => {
      asked.push(invId);
      return operation(invId, op);
    },
  });
  const settled: Array<{ record: PaymentRecord; context: SettleContext }> = [];
  const logger = silentCapture();
  t = T0 + at * MINUTE;
  const result: RefreshResult = await refreshPayment(
    {
      gateway,
      ledger,
      logger,
      now,
      onSettled: async (r, context) => {
        settled.push({ record: r, context });
      },
    },
    (await ledger.find(key)) as PaymentRecord,
  );
  const stored = (await ledger.find(key)) as PaymentRecord;
  return { result, stored, settled, asked, codes: logger.codes, invId: Number(record.invoiceId) };
}

interface Row {
  name: string;
  state: PaymentState;
  op: OpState | 'not_found';
  at?: number;
  outcome: RefreshResult['outcome'];
  becomes: PaymentState;
  error?: string;
  settle?: 'paid' | 'held';
}

/** The table in refresh.ts, one row per case (Robokassa's state codes in brackets). */
const TABLE: Row[] = [
  {
    name: 'paid [100], amount matches',
    state: 'pending',
    op: { code: 100 },
    outcome: 'paid',
    becomes: 'paid',
    settle: 'paid',
  },
  {
    name: 'processing [50] counts as paid',
    state: 'pending',
    op: { code: 50 },
    outcome: 'paid',
    becomes: 'paid',
    settle: 'paid',
  },
  {
    name: 'paid [100] for a held record',
    state: 'held',
    op: { code: 100 },
    outcome: 'paid',
    becomes: 'paid',
    settle: 'paid',
  },
  {
    name: 'paid [100] for 60.00 of a 100.00 hold (partial capture)',
    state: 'held',
    op: { code: 100, outSum: '60.00' },
    outcome: 'paid',
    becomes: 'paid',
    settle: 'paid',
  },
  {
    name: 'paid [100] with the buyer paying the fee (IncSum above OutSum)',
    state: 'pending',
    op: { code: 100, outSum: '100.00', incSum: '105.00' },
    outcome: 'paid',
    becomes: 'paid',
    settle: 'paid',
  },
  {
    name: 'paid [100] for less than a pending invoice: not this payment',
    state: 'pending',
    op: { code: 100, outSum: '60.00' },
    outcome: 'unchanged',
    becomes: 'pending',
    error: 'AMOUNT_MISMATCH',
  },
  {
    name: 'paid [100] for more than the hold',
    state: 'held',
    op: { code: 100, outSum: '100.01' },
    outcome: 'unchanged',
    becomes: 'held',
    error: 'AMOUNT_MISMATCH',
  },
  {
    name: 'held [20], amount matches',
    state: 'pending',
    op: { code: 20 },
    outcome: 'held',
    becomes: 'held',
    settle: 'held',
  },
  {
    name: 'held [20] for a record already held',
    state: 'held',
    op: { code: 20 },
    outcome: 'unchanged',
    becomes: 'held',
  },
  {
    name: 'held [20] for another amount',
    state: 'pending',
    op: { code: 20, outSum: '60.00' },
    outcome: 'unchanged',
    becomes: 'pending',
    error: 'AMOUNT_MISMATCH',
  },
  {
    name: 'cancelled [10] after the grace period',
    state: 'pending',
    op: { code: 10, stateDateAt: 0 },
    at: 61,
    outcome: 'cancelled',
    becomes: 'cancelled',
  },
  {
    name: 'cancelled [10] after the grace period, a hold',
    state: 'held',
    op: { code: 10, stateDateAt: 0 },
    at: 61,
    outcome: 'cancelled',
    becomes: 'cancelled',
  },
  {
    name: 'cancelled [10] within the grace period (the buyer may retry with another card)',
    state: 'pending',
    op: { code: 10, stateDateAt: 5 },
    at: 30,
    outcome: 'unchanged',
    becomes: 'pending',
  },
  {
    name: "cancelled [10] with no state date: the grace runs from the record's creation",
    state: 'pending',
    op: { code: 10 },
    at: 30,
    outcome: 'unchanged',
    becomes: 'pending',
  },
  {
    name: 'refunded [60] before the shop was credited',
    state: 'pending',
    op: { code: 60 },
    outcome: 'cancelled',
    becomes: 'cancelled',
  },
  { name: 'refunded [60], a hold', state: 'held', op: { code: 60 }, outcome: 'cancelled', becomes: 'cancelled' },
  {
    name: 'initiated [5] (pending at the gateway)',
    state: 'pending',
    op: { code: 5 },
    outcome: 'unchanged',
    becomes: 'pending',
  },
  { name: 'suspended [80]', state: 'pending', op: { code: 80 }, outcome: 'unchanged', becomes: 'pending' },
  { name: 'suspended [80], a hold', state: 'held', op: { code: 80 }, outcome: 'unchanged', becomes: 'held' },
  {
    name: 'not found, after notFoundMaxAgeMs',
    state: 'pending',
    op: 'not_found',
    at: 48 * 60 + 1,
    outcome: 'failed',
    becomes: 'failed',
  },
  {
    name: 'not found, before notFoundMaxAgeMs',
    state: 'pending',
    op: 'not_found',
    at: 47 * 60,
    outcome: 'unchanged',
    becomes: 'pending',
  },
  {
    name: 'not found, a hold (never failed by absence)',
    state: 'held',
    op: 'not_found',
    at: 48 * 60 + 1,
    outcome: 'unchanged',
    becomes: 'held',
  },
];

describe('refreshPayment: the table, row by row (Robokassa over an injected OpStateExt)', () => {
  test.each(TABLE)('$name: $state → $becomes', async (row) => {
    const { result, stored, settled, asked, invId } = await refreshed(row.state, row.op, row.at);
    expect(asked).toEqual([invId]);
    expect(result.outcome).toBe(row.outcome);
    expect(result.error).toBe(row.error);
    expect(result.record.state).toBe(row.becomes);
    expect(stored.state).toBe(row.becomes);
    // The record keeps what the shop expected; a partial capture travels in the settle step's event.
    expect(stored.amount).toEqual(parseMoney('100.00'));
    if (row.settle) {
      expect(settled).toHaveLength(1);
      expect(settled[0]?.context).toMatchObject({ firstTime: true, source: 'refresh', event: { kind: row.settle } });
      expect(stored.details).toMatchObject({
        opKey: `OP-${invId}`,
        paymentMethod: 'BankCard',
        incCurrLabel: 'BankCardPSR',
      });
    } else {
      expect(settled).toEqual([]);
    }
  });

  test('the partial capture reaches the settle step as the captured amount', async () => {
    const { settled } = await refreshed('held', { code: 100, outSum: '60.00' });
    expect(settled[0]?.context.event.amount).toEqual(parseMoney('60.00'));
  });

  test('a suspended operation is logged for a human; an amount mismatch is an error line', async () => {
    expect((await refreshed('pending', { code: 80 })).codes).toEqual(['REFRESH_SUSPENDED']);
    expect((await refreshed('pending', { code: 100, outSum: '1.00' })).codes).toEqual(['AMOUNT_MISMATCH']);
  });

  test.each(['paid', 'cancelled', 'failed', 'partially_refunded', 'refunded'] as const)(
    'a %s record is not open: unchanged, and the gateway is not asked',
    async (state) => {
      const { result, asked, stored } = await refreshed(state, { code: 100 });
      expect(result.outcome).toBe('unchanged');
      expect(asked).toEqual([]);
      expect(stored.state).toBe(state);
    },
  );

  test('a paid record the platform has not settled gets the settle step (an admin refresh finishes it); a settled one does not', async () => {
    const unsettled = await refreshed('paid', { code: 100 });
    expect(unsettled.asked).toEqual([]);
    expect(unsettled.settled).toHaveLength(1);
    expect(unsettled.settled[0]?.context).toMatchObject({
      firstTime: false,
      source: 'refresh',
      event: { kind: 'paid' },
    });
    const ledger = createMemoryLedger();
    const record = await ledger.create({
      gateway: 'assist',
      reference: 'x',
      amount: parseMoney('1.00'),
      isTest: false,
    });
    const key = { gateway: 'assist' as const, invoiceId: record.invoiceId };
    await ledger.transition({ ...key, from: ['pending'], to: 'paid', source: 'admin' });
    await ledger.markSettled(key, 'paid');
    let steps = 0;
    const onSettled = async () => {
      steps += 1;
    };
    const gateway = new ToyGateway();
    await refreshPayment({ gateway, ledger, onSettled }, (await ledger.find(key)) as PaymentRecord);
    expect(steps).toBe(0);
    // A settle step that fails is reported, the record stays as it was.
    const failing = createMemoryLedger();
    const r2 = await failing.create({ gateway: 'assist', reference: 'y', amount: parseMoney('1.00'), isTest: false });
    const k2 = { gateway: 'assist' as const, invoiceId: r2.invoiceId };
    await failing.transition({ ...k2, from: ['pending'], to: 'paid', source: 'admin' });
    const result = await refreshPayment(
      {
        gateway,
        ledger: failing,
        logger: silentCapture(),
        onSettled: async () => {
          throw new Error('medusa down');
        },
      },
      (await failing.find(k2)) as PaymentRecord,
    );
    expect(result).toMatchObject({ outcome: 'unchanged', error: 'ON_PAID_FAILED', record: { state: 'paid' } });
  });

  test('declined (a gateway that reports refused attempts): unchanged', async () => {
    const gateway = new ToyGateway();
    gateway.on.status = async () => ({ kind: 'declined', amounts: [parseMoney('100.00')], details: {} });
    const ledger = createMemoryLedger();
    const record = await ledger.create({
      gateway: 'assist',
      reference: 'r',
      amount: parseMoney('100.00'),
      isTest: false,
    });
    const result = await refreshPayment({ gateway, ledger, logger: silentCapture() }, record);
    expect(result).toMatchObject({ outcome: 'unchanged', record: { state: 'pending' } });
    expect(gateway.calls).toEqual([`status ${record.invoiceId}`]);
  });

  test('the grace and maximum age are options', async () => {
    let t = T0;
    const ledger = createMemoryLedger({ now: () => new Date(t) });
    const record = await ledger.create({
      gateway: 'robokassa',
      reference: 'r',
      amount: parseMoney('100.00'),
      isTest: false,
    });
    const gateway = new RobokassaGateway(config, { opStateExt: async ({ invId }) => operation(invId, 'not_found') });
    t = T0 + 2 * HOUR;
    const deps = { gateway, ledger, logger: silentCapture(), now: () => new Date(t) };
    expect((await refreshPayment(deps, record)).outcome).toBe('unchanged');
    expect((await refreshPayment({ ...deps, notFoundMaxAgeMs: HOUR }, record)).outcome).toBe('failed');
  });
});
