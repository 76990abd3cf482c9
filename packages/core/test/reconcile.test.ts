import { describe, expect, test } from 'vitest';
import { KassaError } from '../src/errors.js';
import { createMemoryLedger, type MemoryLedger } from '../src/ledger/memory.js';
import type { PaymentRecord } from '../src/ledger/port.js';
import { silentLogger } from '../src/log.js';
import { type ReconcileOptions, reconcilePayments } from '../src/payments/index.js';
import { type OperationStateResult, opStateExt } from '../src/robokassa/api/op-state.js';
import { RobokassaGateway, type RobokassaGatewayOptions } from '../src/robokassa/gateway.js';
import { type FakeOperation, fakeRobokassaForFile } from './support/fake-robokassa.js';

const T0 = Date.parse('2026-03-01T09:00:00Z');
const MINUTE = 60_000;
const rub = (minor: bigint) => ({ currency: 'RUB' as const, minor });

const fake = await fakeRobokassaForFile();

type OpStateExt = RobokassaGatewayOptions['opStateExt'];

/** What a reconciliation run takes here: its options, and the OpStateExt its Robokassa gateway calls. */
type RunOverrides = Partial<Omit<ReconcileOptions, 'onSettled'>> & {
  opStateExt?: OpStateExt;
  /** The platform's old-style `onPaid`: runs once for each record a run moved to `paid`. */
  onPaid?: (record: PaymentRecord) => Promise<void>;
};

/** A ledger and a reconciliation sharing one fake clock; InvIds come from a range unique to the test. */
function setup(firstInvoiceNumber: number) {
  let t = T0;
  const now = () => new Date(t);
  const ledger = createMemoryLedger({ firstInvoiceNumber, now });
  const paid: PaymentRecord[] = [];
  const run = ({ opStateExt: injected, onPaid, ...overrides }: RunOverrides = {}) => {
    const paidStep =
      onPaid ??
      (async (record: PaymentRecord) => {
        paid.push(record);
      });
    return reconcilePayments({
      gateway: new RobokassaGateway(fake.config, { http: { retry: { baseDelayMs: 1 } }, opStateExt: injected }),
      ledger,
      olderThanMs: 5 * MINUTE,
      limit: 100,
      now,
      logger: silentLogger,
      // As a platform does: fulfil once for the call that moved the record to paid, then record that it did.
      onSettled: async (record, { firstTime }) => {
        if (firstTime && record.state === 'paid') await paidStep(record);
        await ledger.markSettled({ gateway: record.gateway, invoiceId: record.invoiceId }, record.state);
      },
      ...overrides,
    });
  };
  const pending = async (operation: FakeOperation | undefined, amount = rub(10000n), isTest = false) => {
    const record = await ledger.create({ gateway: 'robokassa', reference: `ref-${Math.random()}`, amount, isTest });
    if (operation) fake.operations.set(Number(record.invoiceId), operation);
    return record;
  };
  return { ledger, run, pending, paid, advance: (ms: number) => (t += ms), now };
}

const stateOf = async (ledger: MemoryLedger, invoiceId: string) =>
  (await ledger.find({ gateway: 'robokassa', invoiceId }))?.state;
const findIn = (ledger: MemoryLedger, invoiceId: string) => ledger.find({ gateway: 'robokassa', invoiceId });
/** The summary of a run, with the counters of the passes these tests do not exercise at zero. */
const summaryOf = (counts: Record<string, unknown>) => ({ resettled: 0, refundsFinished: 0, ...counts });

describe('reconcilePayments (Robokassa, OpStateExt)', () => {
  test('100 and 50 → paid with opKey, method and label; onPaid once per record', async () => {
    const s = setup(10_000);
    const a = await s.pending({ stateCode: 100, opKey: 'OP-A', incCurrLabel: 'BankCardPSR', incSum: '100.000000' });
    const b = await s.pending({ stateCode: 50, opKey: 'OP-B', incSum: '100.000000' });
    s.advance(10 * MINUTE);
    const summary = await s.run();
    expect(summary).toEqual(
      summaryOf({ checked: 2, paid: 2, held: 0, cancelled: 0, failed: 0, unchanged: 0, errors: [] }),
    );
    const record = await findIn(s.ledger, a.invoiceId);
    expect(record).toMatchObject({
      state: 'paid',
      details: { opKey: 'OP-A', paymentMethod: 'BankCard', incCurrLabel: 'BankCardPSR' },
    });
    expect(await stateOf(s.ledger, b.invoiceId)).toBe('paid');
    expect(s.paid.map((r) => r.invoiceId).sort()).toEqual([a.invoiceId, b.invoiceId]);
    expect(s.paid[0]?.state).toBe('paid');

    // A second run finds nothing left to do.
    expect(await s.run()).toMatchObject({ checked: 0, paid: 0 });
    expect(s.paid).toHaveLength(2);
  });

  test('20 → held (pending only); a held record that Robokassa reports paid → paid', async () => {
    const s = setup(10_100);
    const a = await s.pending({ stateCode: 20, opKey: 'OP-H' });
    s.advance(10 * MINUTE);
    expect(await s.run()).toMatchObject({ checked: 1, held: 1 });
    expect(await findIn(s.ledger, a.invoiceId)).toMatchObject({ state: 'held', details: { opKey: 'OP-H' } });
    expect(s.paid).toEqual([]);

    s.advance(10 * MINUTE);
    expect(await s.run()).toMatchObject({ checked: 1, unchanged: 1 });
    fake.operations.set(Number(a.invoiceId), { stateCode: 100, opKey: 'OP-H' });
    s.advance(10 * MINUTE);
    expect(await s.run()).toMatchObject({ checked: 1, paid: 1 });
    expect(s.paid.map((r) => r.invoiceId)).toEqual([a.invoiceId]);
  });

  test('a partially captured hold (OutSum below the held amount) → paid; a pending record needs the exact amount', async () => {
    const s = setup(10_150);
    const held = await s.pending({ stateCode: 20, opKey: 'OP-P' });
    const plain = await s.pending({ stateCode: 100, incSum: '60.000000', outSum: '60.000000' });
    const over = await s.pending({ stateCode: 20, opKey: 'OP-O' });
    s.advance(10 * MINUTE);
    expect(await s.run()).toMatchObject({ checked: 3, held: 2 });
    expect(await stateOf(s.ledger, held.invoiceId)).toBe('held');
    expect(await stateOf(s.ledger, over.invoiceId)).toBe('held');

    // Confirm captured 60.00 of the 100.00 hold (and 100.01 for the other, which must never settle).
    fake.operations.set(Number(held.invoiceId), {
      stateCode: 100,
      opKey: 'OP-P',
      incSum: '60.000000',
      outSum: '60.000000',
    });
    fake.operations.set(Number(over.invoiceId), {
      stateCode: 100,
      opKey: 'OP-O',
      incSum: '100.010000',
      outSum: '100.010000',
    });
    s.advance(10 * MINUTE);
    const summary = await s.run();
    expect(summary).toMatchObject({ checked: 3, paid: 1, unchanged: 2 });
    expect(summary.errors.sort((a, b) => Number(a.invoiceId) - Number(b.invoiceId))).toEqual([
      { invoiceId: plain.invoiceId, code: 'AMOUNT_MISMATCH' },
      { invoiceId: over.invoiceId, code: 'AMOUNT_MISMATCH' },
    ]);
    expect(await findIn(s.ledger, held.invoiceId)).toMatchObject({ state: 'paid', amount: rub(10000n) });
    expect(await stateOf(s.ledger, plain.invoiceId)).toBe('pending');
    expect(await stateOf(s.ledger, over.invoiceId)).toBe('held');
    expect(s.paid.map((r) => r.invoiceId)).toEqual([held.invoiceId]);
  });

  test('a test record is settled even when Robokassa accepts only the production Password #2 for OpStateExt', async () => {
    const s = setup(10_170);
    const a = await s.pending({ stateCode: 100, isTest: true, opKey: 'OP-T', incSum: '100.000000' }, rub(10000n), true);
    s.advance(10 * MINUTE);
    fake.opStateExtPassword = 'production';
    try {
      expect(await s.run()).toMatchObject({ checked: 1, paid: 1, errors: [] });
    } finally {
      fake.opStateExtPassword = 'operation';
    }
    expect(await findIn(s.ledger, a.invoiceId)).toMatchObject({ state: 'paid', details: { opKey: 'OP-T' } });
  });

  test('10 → cancelled only after the grace period since StateDate', async () => {
    const s = setup(10_200);
    const stateDate = new Date(T0 + 9 * MINUTE).toISOString().replace('Z', '0000+00:00');
    const a = await s.pending({ stateCode: 10, stateDate });
    s.advance(10 * MINUTE);
    expect(await s.run({ cancelGraceMs: 30 * MINUTE })).toMatchObject({ checked: 1, unchanged: 1, cancelled: 0 });
    expect(await stateOf(s.ledger, a.invoiceId)).toBe('pending');
    s.advance(30 * MINUTE);
    expect(await s.run({ cancelGraceMs: 30 * MINUTE })).toMatchObject({ checked: 1, cancelled: 1 });
    expect(await stateOf(s.ledger, a.invoiceId)).toBe('cancelled');
  });

  test('60 → cancelled, for pending and for held records', async () => {
    const s = setup(10_300);
    const a = await s.pending({ stateCode: 60 });
    const b = await s.pending({ stateCode: 60 });
    await s.ledger.transition({
      gateway: 'robokassa',
      invoiceId: b.invoiceId,
      from: ['pending'],
      to: 'held',
      source: 'admin',
    });
    s.advance(10 * MINUTE);
    expect(await s.run()).toMatchObject({ checked: 2, cancelled: 2 });
    expect(await stateOf(s.ledger, a.invoiceId)).toBe('cancelled');
    expect(await stateOf(s.ledger, b.invoiceId)).toBe('cancelled');
  });

  test('5 (initiated) and 80 (suspended) change nothing', async () => {
    const s = setup(10_400);
    const a = await s.pending({ stateCode: 5 });
    const b = await s.pending({ stateCode: 80 });
    s.advance(10 * MINUTE);
    expect(await s.run()).toEqual(
      summaryOf({ checked: 2, paid: 0, held: 0, cancelled: 0, failed: 0, unchanged: 2, errors: [] }),
    );
    expect(await stateOf(s.ledger, a.invoiceId)).toBe('pending');
    expect(await stateOf(s.ledger, b.invoiceId)).toBe('pending');
  });

  test('not found (result code 3): left pending until the max age, then failed', async () => {
    const s = setup(10_500);
    const a = await s.pending(undefined);
    s.advance(10 * MINUTE);
    expect(await s.run({ notFoundMaxAgeMs: 60 * MINUTE })).toMatchObject({ checked: 1, unchanged: 1 });
    expect(await stateOf(s.ledger, a.invoiceId)).toBe('pending');
    s.advance(60 * MINUTE);
    expect(await s.run({ notFoundMaxAgeMs: 60 * MINUTE })).toMatchObject({ checked: 1, failed: 1 });
    expect(await stateOf(s.ledger, a.invoiceId)).toBe('failed');
  });

  test('the amount must match OutSum or IncSum before anything is marked paid', async () => {
    const s = setup(10_600);
    const wrong = await s.pending({ stateCode: 100, incSum: '1.000000', outSum: '1.000000' });
    const buyerPaysFee = await s.pending({ stateCode: 100, incSum: '105.000000', outSum: '100.000000' });
    const shopPaysFee = await s.pending({ stateCode: 100, incSum: '100.000000', outSum: '95.000000' });
    s.advance(10 * MINUTE);
    const summary = await s.run();
    expect(summary).toMatchObject({ checked: 3, paid: 2, unchanged: 1 });
    expect(summary.errors).toEqual([{ invoiceId: wrong.invoiceId, code: 'AMOUNT_MISMATCH' }]);
    expect(await stateOf(s.ledger, wrong.invoiceId)).toBe('pending');
    expect(await stateOf(s.ledger, buyerPaysFee.invoiceId)).toBe('paid');
    expect(await stateOf(s.ledger, shopPaysFee.invoiceId)).toBe('paid');
    expect(s.paid.map((r) => r.invoiceId).sort()).toEqual([buyerPaysFee.invoiceId, shopPaysFee.invoiceId]);
  });

  test('one bad record does not stop the run', async () => {
    const s = setup(10_700);
    const dup = await s.pending({ stateCode: 100, duplicate: true });
    const ok = await s.pending({ stateCode: 100 });
    s.advance(10 * MINUTE);
    const summary = await s.run();
    expect(summary).toMatchObject({ checked: 2, paid: 1 });
    expect(summary.errors).toEqual([{ invoiceId: dup.invoiceId, code: 'GATEWAY_RESULT_CODE' }]);
    expect(await stateOf(s.ledger, ok.invoiceId)).toBe('paid');
  });

  test('a failing onPaid is reported and the record stays paid', async () => {
    const s = setup(10_800);
    const a = await s.pending({ stateCode: 100 });
    s.advance(10 * MINUTE);
    const summary = await s.run({
      onPaid: async () => {
        throw new Error('order service down');
      },
    });
    expect(summary).toMatchObject({ paid: 1, errors: [{ invoiceId: a.invoiceId, code: 'ON_PAID_FAILED' }] });
    expect(await stateOf(s.ledger, a.invoiceId)).toBe('paid');
  });

  test('test payments are queried with the test Password #2', async () => {
    const s = setup(10_900);
    const a = await s.pending({ stateCode: 100, isTest: true }, rub(10000n), true);
    s.advance(10 * MINUTE);
    expect(await s.run()).toMatchObject({ paid: 1, errors: [] });
    expect(await stateOf(s.ledger, a.invoiceId)).toBe('paid');
  });

  test('only records idle for olderThanMs, at most limit of them, oldest first', async () => {
    const s = setup(11_000);
    const old1 = await s.pending({ stateCode: 100 });
    s.advance(MINUTE);
    const old2 = await s.pending({ stateCode: 100 });
    s.advance(MINUTE);
    const old3 = await s.pending({ stateCode: 100 });
    s.advance(9 * MINUTE);
    const fresh = await s.pending({ stateCode: 100 });
    s.advance(MINUTE);
    expect(await s.run({ limit: 2 })).toMatchObject({ checked: 2, paid: 2 });
    expect(s.paid.map((r) => r.invoiceId)).toEqual(expect.arrayContaining([old1.invoiceId, old2.invoiceId]));
    expect(await s.run()).toMatchObject({ checked: 1, paid: 1 });
    expect(await stateOf(s.ledger, old3.invoiceId)).toBe('paid');
    expect(await stateOf(s.ledger, fresh.invoiceId)).toBe('pending');
  });

  test('two runs at once settle every record exactly once, and concurrency is bounded', async () => {
    const s = setup(12_000);
    const records: PaymentRecord[] = [];
    for (let i = 0; i < 12; i++) records.push(await s.pending({ stateCode: 100, opKey: `OP-${i}` }));
    s.advance(10 * MINUTE);
    let inFlight = 0;
    let maxInFlight = 0;
    const counting: OpStateExt = async (input) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        return await opStateExt(fake.config, input, { retry: { baseDelayMs: 1 } });
      } finally {
        inFlight -= 1;
      }
    };
    const [first, second] = await Promise.all([
      s.run({ opStateExt: counting, concurrency: 3 }),
      s.run({ opStateExt: counting, concurrency: 3 }),
    ]);
    expect(first.checked + second.checked).toBe(24);
    expect(first.paid + second.paid).toBe(12);
    expect(first.unchanged + second.unchanged).toBe(12);
    expect([...first.errors, ...second.errors]).toEqual([]);
    expect(s.paid.map((r) => r.invoiceId).sort()).toEqual(records.map((r) => r.invoiceId).sort());
    expect(maxInFlight).toBeLessThanOrEqual(6);
    for (const r of records) expect(await stateOf(s.ledger, r.invoiceId)).toBe('paid');
  });

  test('one run never has more than `concurrency` OpStateExt calls in flight', async () => {
    const s = setup(12_500);
    for (let i = 0; i < 9; i++) await s.pending(undefined);
    s.advance(10 * MINUTE);
    let inFlight = 0;
    let maxInFlight = 0;
    const slow = async ({ invId }: { invId: number }): Promise<OperationStateResult> => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return { found: false, invId };
    };
    expect(await s.run({ opStateExt: slow, concurrency: 2 })).toMatchObject({ checked: 9, unchanged: 9 });
    expect(maxInFlight).toBe(2);
  });

  test('invalid options → API_INPUT_INVALID before anything is listed', async () => {
    const s = setup(13_500);
    await expect(s.run({ limit: 0 })).rejects.toMatchObject({ code: 'API_INPUT_INVALID' });
    await expect(s.run({ olderThanMs: -5 })).rejects.toMatchObject({ code: 'API_INPUT_INVALID' });
  });

  test('a stub OpStateExt that throws something odd is recorded as UNEXPECTED_ERROR', async () => {
    const s = setup(13_000);
    const a = await s.pending(undefined);
    const b = await s.pending(undefined);
    s.advance(10 * MINUTE);
    const stub = async ({ invId }: { invId: number }): Promise<OperationStateResult> => {
      if (invId === Number(a.invoiceId)) throw new TypeError('bug');
      throw new KassaError('GATEWAY_TIMEOUT', 'slow');
    };
    const summary = await s.run({ opStateExt: stub, concurrency: 1 });
    expect(summary.errors).toEqual([
      { invoiceId: a.invoiceId, code: 'UNEXPECTED_ERROR' },
      { invoiceId: b.invoiceId, code: 'GATEWAY_TIMEOUT' },
    ]);
    expect(summary.checked).toBe(2);
  });
});
