import type { PaymentLedger, PaymentRecord } from '../ledger/port.js';
import type { CurrencyCode, Money } from '../money.js';

/**
 * The contract every `PaymentLedger` adapter must pass (memory, Postgres, Redis, a platform's own tables). It takes
 * the test framework's functions as parameters, so `@kassa/core` has no runtime dependency on vitest:
 *
 * ```ts
 * import { describe, expect, test } from 'vitest';
 * import { runPaymentLedgerContract } from '@kassa/core/testing';
 * runPaymentLedgerContract({ name: 'postgres', create: async () => freshLedger() }, { describe, test, expect });
 * ```
 */

/** The few matchers the battery uses; vitest's and jest's `expect` fit. */
export interface ContractMatchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeUndefined(): void;
  toBeDefined(): void;
  toHaveLength(length: number): void;
}

export interface ContractTestApi {
  describe(name: string, fn: () => void): void;
  test(name: string, fn: () => Promise<void>): void;
  expect(actual: unknown): ContractMatchers;
}

export interface PaymentLedgerContractSubject {
  name: string;
  /** A ledger with no records (e.g. truncate the tables first). Called once per test. */
  create: () => Promise<PaymentLedger>;
  cleanup?: (ledger: PaymentLedger) => Promise<void>;
  /**
   * Pause between steps whose `updatedAt` order the `listStale` test relies on. Default 5 ms; raise it if the store's
   * clock is coarse. Nothing asserts on durations.
   */
  clockGapMs?: number;
  /** Concurrent creates in the uniqueness test (default 200) and concurrent transitions (default 50). */
  concurrency?: { creates?: number; transitions?: number };
}

const MAX_INV_ID = 2 ** 31 - 1;

function money(minor: bigint, currency: CurrencyCode = 'RUB'): Money {
  return { currency, minor };
}

async function rejects(promise: Promise<unknown>): Promise<boolean> {
  try {
    await promise;
    return false;
  } catch {
    return true;
  }
}

export function runPaymentLedgerContract(subject: PaymentLedgerContractSubject, api: ContractTestApi): void {
  const { describe, test, expect } = api;
  const gapMs = subject.clockGapMs ?? 5;
  const creates = subject.concurrency?.creates ?? 200;
  const transitions = subject.concurrency?.transitions ?? 50;
  const gap = () => new Promise<void>((resolve) => setTimeout(resolve, gapMs));

  async function withLedger(fn: (ledger: PaymentLedger) => Promise<void>): Promise<void> {
    const ledger = await subject.create();
    try {
      await fn(ledger);
    } finally {
      await subject.cleanup?.(ledger);
    }
  }

  const newPayment = (reference: string, minor = 150000n, isTest = false) => ({
    reference,
    amount: money(minor),
    isTest,
  });

  describe(`PaymentLedger contract: ${subject.name}`, () => {
    test('create records a pending payment with a fresh InvId in 1..2^31−1 and zero refunded', async () => {
      await withLedger(async (ledger) => {
        const record = await ledger.create(newPayment('order-1', 150000n, true));
        expect(Number.isSafeInteger(record.invId) && record.invId >= 1 && record.invId <= MAX_INV_ID).toBe(true);
        expect(record.state).toBe('pending');
        expect(record.reference).toBe('order-1');
        expect(record.isTest).toBe(true);
        expect(record.amount).toEqual(money(150000n));
        expect(record.refunded).toEqual(money(0n));
        expect(record.createdAt instanceof Date && record.updatedAt instanceof Date).toBe(true);
        expect(record.opKey ?? undefined).toBeUndefined();
      });
    });

    test(`${creates} concurrent creates get ${creates} distinct InvIds`, async () => {
      await withLedger(async (ledger) => {
        const records = await Promise.all(
          Array.from({ length: creates }, (_, i) => ledger.create(newPayment(`concurrent-${i}`))),
        );
        expect(new Set(records.map((r) => r.invId)).size).toBe(creates);
        for (const r of records) expect((await ledger.findByInvId(r.invId))?.reference).toBe(r.reference);
      });
    });

    test('InvIds are never reused: a taken InvId is refused and allocation skips explicitly chosen ones', async () => {
      await withLedger(async (ledger) => {
        const first = await ledger.create(newPayment('first'));
        expect(await rejects(ledger.create({ ...newPayment('again'), invId: first.invId }))).toBe(true);
        expect((await ledger.findByInvId(first.invId))?.reference).toBe('first');

        // Take the next few InvIds explicitly, then allocate: the allocator must step over them.
        const explicit: number[] = [];
        for (let candidate = first.invId + 1; explicit.length < 3 && candidate < first.invId + 50; candidate += 1) {
          const taken = await ledger.create({ ...newPayment(`explicit-${candidate}`), invId: candidate }).then(
            (r) => r.invId,
            () => undefined,
          );
          if (taken !== undefined) explicit.push(taken);
        }
        expect(explicit).toHaveLength(3);
        const allocated = [];
        for (let i = 0; i < 5; i += 1) allocated.push((await ledger.create(newPayment(`after-${i}`))).invId);
        const all = [first.invId, ...explicit, ...allocated];
        expect(new Set(all).size).toBe(all.length);
      });
    });

    test('findByInvId and findByReference return the stored record; unknown keys give undefined', async () => {
      await withLedger(async (ledger) => {
        const a = await ledger.create(newPayment('ref-a', 100n));
        const b = await ledger.create(newPayment('ref-b', 200n));
        expect((await ledger.findByInvId(a.invId))?.reference).toBe('ref-a');
        expect((await ledger.findByInvId(b.invId))?.amount).toEqual(money(200n));
        expect((await ledger.findByReference('ref-b'))?.invId).toBe(b.invId);
        expect(await ledger.findByInvId(MAX_INV_ID)).toBeUndefined();
        expect(await ledger.findByReference('no-such-reference')).toBeUndefined();
      });
    });

    test('findByReference returns the most recent attempt when a reference was used twice', async () => {
      await withLedger(async (ledger) => {
        await ledger.create(newPayment('session-1', 100n));
        await gap();
        const second = await ledger.create(newPayment('session-1', 120n));
        expect((await ledger.findByReference('session-1'))?.invId).toBe(second.invId);
      });
    });

    test('a transition from a state the record is not in changes nothing', async () => {
      await withLedger(async (ledger) => {
        const record = await ledger.create(newPayment('wrong-state'));
        const result = await ledger.transition({
          invId: record.invId,
          from: ['paid', 'held'],
          to: 'refunded',
          source: 'refund',
          patch: { fee: '1.00' },
        });
        expect(result.applied).toBe(false);
        expect(result.record?.state).toBe('pending');
        const stored = await ledger.findByInvId(record.invId);
        expect(stored?.state).toBe('pending');
        expect(stored?.fee ?? undefined).toBeUndefined();
        expect(stored?.updatedAt.getTime()).toBe(record.updatedAt.getTime());

        const unknown = await ledger.transition({ invId: MAX_INV_ID, from: ['pending'], to: 'paid', source: 'admin' });
        expect(unknown.applied).toBe(false);
        expect(unknown.record).toBeUndefined();
      });
    });

    test(`${transitions} concurrent identical transitions: exactly one is applied`, async () => {
      await withLedger(async (ledger) => {
        const record = await ledger.create(newPayment('race'));
        const results = await Promise.all(
          Array.from({ length: transitions }, () =>
            ledger.transition({ invId: record.invId, from: ['pending', 'held'], to: 'paid', source: 'result_url' }),
          ),
        );
        expect(results.filter((r) => r.applied)).toHaveLength(1);
        for (const r of results) expect(r.record?.state).toBe('paid');
        expect((await ledger.findByInvId(record.invId))?.state).toBe('paid');
      });
    });

    test('competing transitions (paid vs cancelled): exactly one wins and the record shows the winner', async () => {
      await withLedger(async (ledger) => {
        const record = await ledger.create(newPayment('compete'));
        const results = await Promise.all(
          Array.from({ length: transitions }, (_, i) =>
            ledger.transition({
              invId: record.invId,
              from: ['pending'],
              to: i % 2 === 0 ? 'paid' : 'cancelled',
              source: i % 2 === 0 ? 'result_url' : 'cancel',
            }),
          ),
        );
        const winners = results.filter((r) => r.applied);
        expect(winners).toHaveLength(1);
        expect((await ledger.findByInvId(record.invId))?.state).toBe(winners[0]?.record?.state);
      });
    });

    test('a transition stores its patch, keeps the other fields and does not touch earlier snapshots', async () => {
      await withLedger(async (ledger) => {
        const record = await ledger.create(newPayment('patch', 150000n));
        const paid = await ledger.transition({
          invId: record.invId,
          from: ['pending'],
          to: 'paid',
          source: 'result_url',
          patch: { paymentMethod: 'BankCard', incCurrLabel: 'BankCardPSR', fee: '3.900000' },
        });
        expect(paid.applied).toBe(true);
        expect(record.state).toBe('pending');
        const refunded = await ledger.transition({
          invId: record.invId,
          from: ['paid'],
          to: 'partially_refunded',
          source: 'refund',
          patch: { opKey: 'OPKEY-1', refunded: money(50000n) },
        });
        expect(refunded.applied).toBe(true);
        const stored = await ledger.findByInvId(record.invId);
        expect(stored?.state).toBe('partially_refunded');
        expect(stored?.paymentMethod).toBe('BankCard');
        expect(stored?.incCurrLabel).toBe('BankCardPSR');
        expect(stored?.fee).toBe('3.900000');
        expect(stored?.opKey).toBe('OPKEY-1');
        expect(stored?.refunded).toEqual(money(50000n));
        expect(stored?.amount).toEqual(money(150000n));
        expect(stored?.reference).toBe('patch');
        expect(stored?.createdAt.getTime()).toBe(record.createdAt.getTime());
        expect((stored?.updatedAt.getTime() ?? 0) >= record.updatedAt.getTime()).toBe(true);
      });
    });

    test('listStale filters by state and age, orders oldest update first and honours the limit', async () => {
      await withLedger(async (ledger) => {
        const a = await ledger.create(newPayment('stale-a'));
        await gap();
        const b = await ledger.create(newPayment('stale-b'));
        await gap();
        const c = await ledger.create(newPayment('stale-c'));
        await gap();
        const t1 = new Date();
        await gap();
        await ledger.transition({ invId: a.invId, from: ['pending'], to: 'held', source: 'result_url2' });
        await gap();
        const t2 = new Date();
        await gap();
        await ledger.create(newPayment('stale-d'));

        const ids = (records: PaymentRecord[]) => records.map((r) => r.invId);
        expect(ids(await ledger.listStale({ states: ['pending'], olderThan: t1, limit: 10 }))).toEqual([
          b.invId,
          c.invId,
        ]);
        expect(ids(await ledger.listStale({ states: ['pending', 'held'], olderThan: t2, limit: 10 }))).toEqual([
          b.invId,
          c.invId,
          a.invId,
        ]);
        expect(ids(await ledger.listStale({ states: ['pending', 'held'], olderThan: t2, limit: 2 }))).toEqual([
          b.invId,
          c.invId,
        ]);
        expect(await ledger.listStale({ states: ['held'], olderThan: t1, limit: 10 })).toEqual([]);
        expect(
          await ledger.listStale({ states: ['paid'], olderThan: new Date(Date.now() + 60_000), limit: 10 }),
        ).toEqual([]);
      });
    });

    test('amounts round-trip exactly as bigint minor units in every currency', async () => {
      await withLedger(async (ledger) => {
        const cases: Money[] = [
          money(1n, 'RUB'),
          money(9_999_999_999n, 'RUB'),
          money(123_456_789n, 'KZT'),
          money(1_999n, 'USD'),
          money(100n, 'EUR'),
        ];
        for (const [i, amount] of cases.entries()) {
          const created = await ledger.create({ reference: `money-${i}`, amount, isTest: false });
          const stored = await ledger.findByInvId(created.invId);
          expect(typeof stored?.amount.minor).toBe('bigint');
          expect(stored?.amount).toEqual(amount);
          expect(stored?.refunded).toEqual({ currency: amount.currency, minor: 0n });
        }
      });
    });
  });
}
