import {
  type GatewayId,
  MAX_ALLOCATED_INVOICE_ID,
  MAX_INVOICE_ID_LENGTH,
  type NewPayment,
  type PaymentLedger,
  type PaymentRecord,
} from '../ledger/port.js';
import type { CurrencyCode, Money } from '../money.js';

/**
 * The contract every `PaymentLedger` adapter must pass (memory, `SqlLedger` on PostgreSQL and SQLite, a platform's
 * own tables). It takes the test framework's functions as parameters, so `@kassa/core` has no runtime dependency on
 * vitest:
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
  /** A ledger with no records (a fresh table, or truncate it first). Called once per test. */
  create: () => Promise<PaymentLedger>;
  cleanup?: (ledger: PaymentLedger) => Promise<void>;
  /**
   * Pause between steps whose `updatedAt` order the `listStale` and `listUnsettled` tests rely on. Default 5 ms;
   * raise it if the store's clock is coarse. Nothing asserts on durations.
   */
  clockGapMs?: number;
  /** Concurrent creates in the uniqueness test (default 200) and concurrent transitions (default 50). */
  concurrency?: { creates?: number; transitions?: number };
}

function money(minor: bigint, currency: CurrencyCode = 'RUB'): Money {
  return { currency, minor };
}

/** The `code` of what the promise rejected with, `'resolved'` if it did not, `'no code'` for a bare error. */
async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    return typeof code === 'string' ? code : 'no code';
  }
}

const isAllocated = (invoiceId: string) =>
  /^[1-9][0-9]{0,9}$/.test(invoiceId) && Number(invoiceId) <= MAX_ALLOCATED_INVOICE_ID;

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

  const newPayment = (
    reference: string,
    minor = 150000n,
    extra: Partial<Omit<NewPayment, 'reference' | 'amount'>> = {},
  ): NewPayment => ({
    gateway: 'robokassa',
    reference,
    amount: money(minor),
    isTest: false,
    ...extra,
  });
  const keyOf = (r: PaymentRecord) => ({ gateway: r.gateway, invoiceId: r.invoiceId });

  describe(`PaymentLedger contract: ${subject.name}`, () => {
    test('create records a pending payment with a fresh decimal invoice id in 1..2^31−1 and nothing else yet', async () => {
      await withLedger(async (ledger) => {
        const record = await ledger.create(newPayment('order-1', 150000n, { isTest: true }));
        expect(isAllocated(record.invoiceId)).toBe(true);
        expect(record.gateway).toBe('robokassa');
        expect(record.state).toBe('pending');
        expect(record.reference).toBe('order-1');
        expect(record.isTest).toBe(true);
        expect(record.amount).toEqual(money(150000n));
        expect(record.refunded).toEqual(money(0n));
        expect(record.refundPending ?? undefined).toBeUndefined();
        expect(record.settledState ?? undefined).toBeUndefined();
        expect(record.details).toEqual({});
        expect(record.createdAt instanceof Date && record.updatedAt instanceof Date).toBe(true);
        expect(record.createdAt.getTime()).toBe(record.updatedAt.getTime());
        const stored = await ledger.find(keyOf(record));
        expect(stored?.invoiceId).toBe(record.invoiceId);
        expect(stored?.isTest).toBe(true);
      });
    });

    test('create stores the details it is given', async () => {
      await withLedger(async (ledger) => {
        const details = { billnumber: '5775486650107611', meantype: 'VISA' };
        const record = await ledger.create(newPayment('with-details', 100n, { gateway: 'assist', details }));
        expect(record.details).toEqual(details);
        expect((await ledger.find(keyOf(record)))?.details).toEqual(details);
      });
    });

    test(`${creates} concurrent creates on two gateways get ${creates} distinct invoice ids`, async () => {
      await withLedger(async (ledger) => {
        const gateways: GatewayId[] = ['robokassa', 'assist'];
        const records = await Promise.all(
          Array.from({ length: creates }, (_, i) =>
            ledger.create(newPayment(`concurrent-${i}`, 100n, { gateway: gateways[i % 2] })),
          ),
        );
        // One number sequence for every gateway: allocated ids are unique across gateways too.
        expect(new Set(records.map((r) => r.invoiceId)).size).toBe(creates);
        expect(records.every((r) => isAllocated(r.invoiceId))).toBe(true);
        for (const r of records) expect((await ledger.find(keyOf(r)))?.reference).toBe(r.reference);
      });
    });

    test('invoice ids are never reused: a taken id is refused and allocation steps over explicitly chosen ones', async () => {
      await withLedger(async (ledger) => {
        const first = await ledger.create(newPayment('first'));
        expect(await outcome(ledger.create(newPayment('again', 100n, { invoiceId: first.invoiceId })))).toBe(
          'LEDGER_CONFLICT',
        );
        expect((await ledger.find(keyOf(first)))?.reference).toBe('first');

        // Take the next few numbers explicitly, then allocate: the allocator must step over them.
        const explicit: string[] = [];
        const base = Number(first.invoiceId);
        for (let candidate = base + 1; explicit.length < 3 && candidate < base + 50; candidate += 1) {
          const taken = await ledger
            .create(newPayment(`explicit-${candidate}`, 100n, { invoiceId: String(candidate) }))
            .then(
              (r) => r.invoiceId,
              () => undefined,
            );
          if (taken !== undefined) explicit.push(taken);
        }
        expect(explicit).toHaveLength(3);
        const allocated: string[] = [];
        for (let i = 0; i < 5; i += 1) allocated.push((await ledger.create(newPayment(`after-${i}`))).invoiceId);
        const all = [first.invoiceId, ...explicit, ...allocated];
        expect(new Set(all).size).toBe(all.length);
        expect((await ledger.find({ gateway: 'robokassa', invoiceId: explicit[0] ?? '' }))?.reference).toBe(
          `explicit-${explicit[0]}`,
        );
      });
    });

    test('explicit invoice ids: an Assist order number is kept as given; the same id on two gateways is two records', async () => {
      await withLedger(async (ledger) => {
        const orderNumber = 'ORDER-2026/05#17 (retry)';
        const assist = await ledger.create(
          newPayment('assist-order', 100n, { gateway: 'assist', invoiceId: orderNumber }),
        );
        expect(assist.invoiceId).toBe(orderNumber);
        expect(
          await outcome(ledger.create(newPayment('dup', 100n, { gateway: 'assist', invoiceId: orderNumber }))),
        ).toBe('LEDGER_CONFLICT');
        const longest = 'x'.repeat(MAX_INVOICE_ID_LENGTH);
        expect(
          (await ledger.create(newPayment('long', 100n, { gateway: 'assist', invoiceId: longest }))).invoiceId,
        ).toBe(longest);

        const shared = '777000';
        const rk = await ledger.create(newPayment('rk-shared', 100n, { gateway: 'robokassa', invoiceId: shared }));
        const as = await ledger.create(newPayment('as-shared', 200n, { gateway: 'assist', invoiceId: shared }));
        expect((await ledger.find({ gateway: 'robokassa', invoiceId: shared }))?.reference).toBe('rk-shared');
        expect((await ledger.find({ gateway: 'assist', invoiceId: shared }))?.reference).toBe('as-shared');
        const paid = await ledger.transition({
          ...keyOf(as),
          from: ['pending'],
          to: 'paid',
          source: 'notification',
        });
        expect(paid.applied).toBe(true);
        expect((await ledger.find(keyOf(rk)))?.state).toBe('pending');
        expect((await ledger.find(keyOf(as)))?.state).toBe('paid');
      });
    });

    test('invalid new payments are refused with stable codes and store nothing', async () => {
      await withLedger(async (ledger) => {
        const invalid: unknown[] = [
          { ...newPayment(''), reference: '' },
          { ...newPayment('r'), reference: 'x'.repeat(256) },
          { ...newPayment('zero', 0n) },
          { ...newPayment('float'), amount: { currency: 'RUB', minor: 1.5 } },
          { ...newPayment('too-much', 10_000_000_000n) },
          { ...newPayment('currency'), amount: { currency: 'XXX', minor: 1n } },
          { ...newPayment('gateway'), gateway: 'paypal' },
          { ...newPayment('is-test'), isTest: 'yes' },
          newPayment('empty-id', 100n, { gateway: 'assist', invoiceId: '' }),
          newPayment('long-id', 100n, { gateway: 'assist', invoiceId: 'x'.repeat(MAX_INVOICE_ID_LENGTH + 1) }),
          newPayment('control', 100n, { gateway: 'assist', invoiceId: 'A\u0000B' }),
          newPayment('newline', 100n, { gateway: 'assist', invoiceId: 'A\nB' }),
          newPayment('padded', 100n, { gateway: 'assist', invoiceId: ' A1 ' }),
          newPayment('details', 100n, { details: { fee: 3 } as unknown as Record<string, string> }),
          newPayment('details-key', 100n, { details: { 'bad key': 'x' } }),
        ];
        for (const payment of invalid) {
          expect(await outcome(ledger.create(payment as NewPayment))).toBe('PAYMENT_INVALID');
        }
        // Robokassa's InvId is an integer: an explicit one is the canonical decimal of 1..2^31−1.
        for (const invoiceId of ['0', '-1', '1.5', '007', '1e3', String(MAX_ALLOCATED_INVOICE_ID + 1), 'abc']) {
          expect(await outcome(ledger.create(newPayment('rk-range', 100n, { invoiceId })))).toBe(
            'INVOICE_ID_OUT_OF_RANGE',
          );
        }
        expect(await ledger.findByReference('rk-range')).toBeUndefined();
        const last = await ledger.create(newPayment('rk-max', 100n, { invoiceId: String(MAX_ALLOCATED_INVOICE_ID) }));
        expect(last.invoiceId).toBe(String(MAX_ALLOCATED_INVOICE_ID));
      });
    });

    test('find and findByReference return the stored record; unknown or malformed keys give undefined', async () => {
      await withLedger(async (ledger) => {
        const a = await ledger.create(newPayment('ref-a', 100n));
        const b = await ledger.create(newPayment('ref-b', 200n));
        expect((await ledger.find(keyOf(a)))?.reference).toBe('ref-a');
        expect((await ledger.find(keyOf(b)))?.amount).toEqual(money(200n));
        expect((await ledger.findByReference('ref-b'))?.invoiceId).toBe(b.invoiceId);
        expect(await ledger.find({ gateway: 'assist', invoiceId: a.invoiceId })).toBeUndefined();
        expect(
          await ledger.find({ gateway: 'robokassa', invoiceId: String(MAX_ALLOCATED_INVOICE_ID) }),
        ).toBeUndefined();
        expect(await ledger.find({ gateway: 'robokassa', invoiceId: 'x'.repeat(500) })).toBeUndefined();
        expect(await ledger.find({ gateway: 'nope' as GatewayId, invoiceId: a.invoiceId })).toBeUndefined();
        expect(await ledger.findByReference('no-such-reference')).toBeUndefined();
      });
    });

    test('findByReference returns the most recent attempt when a reference was used twice', async () => {
      await withLedger(async (ledger) => {
        await ledger.create(newPayment('session-1', 100n));
        await gap();
        const second = await ledger.create(newPayment('session-1', 120n, { gateway: 'assist' }));
        expect((await ledger.findByReference('session-1'))?.invoiceId).toBe(second.invoiceId);
        expect((await ledger.findByReference('session-1'))?.gateway).toBe('assist');
      });
    });

    test('a transition from a state the record is not in changes nothing', async () => {
      await withLedger(async (ledger) => {
        const record = await ledger.create(newPayment('wrong-state'));
        const result = await ledger.transition({
          ...keyOf(record),
          from: ['paid', 'held'],
          to: 'refunded',
          source: 'refund',
          patch: { details: { fee: '1.00' }, refunded: money(150000n) },
        });
        expect(result.applied).toBe(false);
        expect(result.record?.state).toBe('pending');
        const stored = await ledger.find(keyOf(record));
        expect(stored?.state).toBe('pending');
        expect(stored?.details).toEqual({});
        expect(stored?.refunded).toEqual(money(0n));
        expect(stored?.updatedAt.getTime()).toBe(record.updatedAt.getTime());

        const unknown = await ledger.transition({
          gateway: 'robokassa',
          invoiceId: String(MAX_ALLOCATED_INVOICE_ID),
          from: ['pending'],
          to: 'paid',
          source: 'admin',
        });
        expect(unknown.applied).toBe(false);
        expect(unknown.record).toBeUndefined();
        const otherGateway = await ledger.transition({
          gateway: 'assist',
          invoiceId: record.invoiceId,
          from: ['pending'],
          to: 'paid',
          source: 'notification',
        });
        expect(otherGateway.record).toBeUndefined();
        expect((await ledger.find(keyOf(record)))?.state).toBe('pending');
      });
    });

    test('malformed transition requests are refused with INVALID_TRANSITION', async () => {
      await withLedger(async (ledger) => {
        const record = await ledger.create(newPayment('malformed'));
        const key = keyOf(record);
        const bad: unknown[] = [
          { ...key, from: [], to: 'paid', source: 'notification' },
          { ...key, from: ['pending'], to: 'shipped', source: 'notification' },
          { ...key, from: ['pending', 'lost'], to: 'paid', source: 'notification' },
          { ...key, from: ['pending'], to: 'paid', source: 'result_url' },
          { ...key, gateway: 'paypal', from: ['pending'], to: 'paid', source: 'notification' },
          { ...key, invoiceId: '', from: ['pending'], to: 'paid', source: 'notification' },
          { ...key, from: ['pending'], to: 'paid', source: 'notification', patch: { details: { fee: 1 } } },
          {
            ...key,
            from: ['pending'],
            to: 'paid',
            source: 'notification',
            patch: { refunded: { currency: 'RUB', minor: -1n } },
          },
        ];
        for (const request of bad) {
          // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong input from an untyped caller
          expect(await outcome(ledger.transition(request as any))).toBe('INVALID_TRANSITION');
        }
        expect((await ledger.find(key))?.state).toBe('pending');
      });
    });

    test(`${transitions} concurrent identical transitions: exactly one is applied`, async () => {
      await withLedger(async (ledger) => {
        const record = await ledger.create(newPayment('race'));
        const results = await Promise.all(
          Array.from({ length: transitions }, () =>
            ledger.transition({ ...keyOf(record), from: ['pending', 'held'], to: 'paid', source: 'notification' }),
          ),
        );
        expect(results.filter((r) => r.applied)).toHaveLength(1);
        for (const r of results) expect(r.record?.state).toBe('paid');
        expect((await ledger.find(keyOf(record)))?.state).toBe('paid');
      });
    });

    test('competing transitions (paid vs cancelled): exactly one wins and the record shows the winner', async () => {
      await withLedger(async (ledger) => {
        const record = await ledger.create(newPayment('compete'));
        const results = await Promise.all(
          Array.from({ length: transitions }, (_, i) =>
            ledger.transition({
              ...keyOf(record),
              from: ['pending'],
              to: i % 2 === 0 ? 'paid' : 'cancelled',
              source: i % 2 === 0 ? 'notification' : 'cancel',
              patch: { details: { winner: String(i) } },
            }),
          ),
        );
        const winners = results.filter((r) => r.applied);
        expect(winners).toHaveLength(1);
        const stored = await ledger.find(keyOf(record));
        expect(stored?.state).toBe(winners[0]?.record?.state);
        expect(stored?.details).toEqual(winners[0]?.record?.details);
      });
    });

    test('a transition merges its details, keeps the other fields and does not touch earlier snapshots', async () => {
      await withLedger(async (ledger) => {
        const record = await ledger.create(newPayment('patch', 150000n, { details: { opKey: 'OLD', shop: 'A' } }));
        const paid = await ledger.transition({
          ...keyOf(record),
          from: ['pending'],
          to: 'paid',
          source: 'notification',
          patch: { details: { paymentMethod: 'BankCard', incCurrLabel: 'BankCardPSR', fee: '3.900000' } },
        });
        expect(paid.applied).toBe(true);
        expect(record.state).toBe('pending');
        expect(record.details).toEqual({ opKey: 'OLD', shop: 'A' });
        const refreshed = await ledger.transition({
          ...keyOf(record),
          from: ['paid'],
          to: 'paid',
          source: 'refresh',
          patch: { details: { opKey: 'OPKEY-1' } },
        });
        expect(refreshed.applied).toBe(true);
        const stored = await ledger.find(keyOf(record));
        expect(stored?.state).toBe('paid');
        expect(stored?.details).toEqual({
          opKey: 'OPKEY-1',
          shop: 'A',
          paymentMethod: 'BankCard',
          incCurrLabel: 'BankCardPSR',
          fee: '3.900000',
        });
        expect(stored?.amount).toEqual(money(150000n));
        expect(stored?.refunded).toEqual(money(0n));
        expect(stored?.reference).toBe('patch');
        expect(stored?.createdAt.getTime()).toBe(record.createdAt.getTime());
        expect((stored?.updatedAt.getTime() ?? 0) >= record.updatedAt.getTime()).toBe(true);
      });
    });

    test('refunds are written ahead: refund_requested holds the amount until the refund is confirmed', async () => {
      await withLedger(async (ledger) => {
        const record = await ledger.create(newPayment('refund', 150000n));
        const key = keyOf(record);
        await ledger.transition({ ...key, from: ['pending'], to: 'paid', source: 'notification' });

        const requested = await ledger.transition({
          ...key,
          from: ['paid', 'partially_refunded'],
          to: 'refund_requested',
          source: 'refund',
          patch: { refundPending: money(50000n) },
        });
        expect(requested.applied).toBe(true);
        expect(requested.record?.refundPending).toEqual(money(50000n));
        expect((await ledger.find(key))?.refundPending).toEqual(money(50000n));
        expect((await ledger.find(key))?.refunded).toEqual(money(0n));

        const partial = await ledger.transition({
          ...key,
          from: ['refund_requested'],
          to: 'partially_refunded',
          source: 'refund',
          patch: { refunded: money(50000n), refundPending: null, details: { refundOpKey: 'R-1' } },
        });
        expect(partial.applied).toBe(true);
        let stored = await ledger.find(key);
        expect(stored?.state).toBe('partially_refunded');
        expect(stored?.refunded).toEqual(money(50000n));
        expect(stored?.refundPending ?? undefined).toBeUndefined();
        expect(stored?.details).toEqual({ refundOpKey: 'R-1' });

        await ledger.transition({
          ...key,
          from: ['paid', 'partially_refunded'],
          to: 'refund_requested',
          source: 'refund',
          patch: { refundPending: money(100000n) },
        });
        const done = await ledger.transition({
          ...key,
          from: ['refund_requested'],
          to: 'refunded',
          source: 'refund',
          patch: { refunded: money(150000n) },
        });
        expect(done.applied).toBe(true);
        stored = await ledger.find(key);
        expect(stored?.state).toBe('refunded');
        expect(stored?.refunded).toEqual(money(150000n));
        // Leaving refund_requested clears the pending amount even when the patch does not say so.
        expect(stored?.refundPending ?? undefined).toBeUndefined();
      });
    });

    test('a second concurrent refund write-ahead loses and the winner’s amount is the one pending', async () => {
      await withLedger(async (ledger) => {
        const record = await ledger.create(newPayment('refund-race', 150000n));
        const key = keyOf(record);
        await ledger.transition({ ...key, from: ['pending'], to: 'paid', source: 'notification' });
        const results = await Promise.all(
          Array.from({ length: transitions }, (_, i) =>
            ledger.transition({
              ...key,
              from: ['paid', 'partially_refunded'],
              to: 'refund_requested',
              source: 'refund',
              patch: { refundPending: money(BigInt(1000 + i)) },
            }),
          ),
        );
        const winners = results.filter((r) => r.applied);
        expect(winners).toHaveLength(1);
        const stored = await ledger.find(key);
        expect(stored?.state).toBe('refund_requested');
        expect(stored?.refundPending).toEqual(winners[0]?.record?.refundPending);
        for (const r of results) expect(r.record?.state).toBe('refund_requested');
      });
    });

    test('write-ahead rules: a pending amount only with refund_requested, in the record’s currency, within its amount', async () => {
      await withLedger(async (ledger) => {
        const record = await ledger.create(newPayment('refund-rules', 150000n));
        const key = keyOf(record);
        await ledger.transition({ ...key, from: ['pending'], to: 'paid', source: 'notification' });
        const attempts = [
          () => ledger.transition({ ...key, from: ['paid'], to: 'refund_requested', source: 'refund' }),
          () =>
            ledger.transition({
              ...key,
              from: ['paid'],
              to: 'refund_requested',
              source: 'refund',
              patch: { refundPending: null },
            }),
          () =>
            ledger.transition({
              ...key,
              from: ['paid'],
              to: 'partially_refunded',
              source: 'refund',
              patch: { refundPending: money(100n) },
            }),
          () =>
            ledger.transition({
              ...key,
              from: ['paid'],
              to: 'refund_requested',
              source: 'refund',
              patch: { refundPending: money(100n, 'USD') },
            }),
          () =>
            ledger.transition({
              ...key,
              from: ['paid'],
              to: 'refund_requested',
              source: 'refund',
              patch: { refundPending: money(150001n) },
            }),
          () =>
            ledger.transition({
              ...key,
              from: ['paid'],
              to: 'refunded',
              source: 'refund',
              patch: { refunded: money(150001n) },
            }),
          () =>
            ledger.transition({
              ...key,
              from: ['paid'],
              to: 'refunded',
              source: 'refund',
              patch: { refunded: money(150000n, 'KZT') },
            }),
        ];
        // One at a time: each must be refused on its own.
        for (const attempt of attempts) expect(await outcome(attempt())).toBe('INVALID_TRANSITION');
        const stored = await ledger.find(key);
        expect(stored?.state).toBe('paid');
        expect(stored?.refunded).toEqual(money(0n));
        expect(stored?.refundPending ?? undefined).toBeUndefined();
      });
    });

    test('markSettled records what the platform reflects; listUnsettled finds paid or held records it does not', async () => {
      await withLedger(async (ledger) => {
        const a = await ledger.create(newPayment('settle-a'));
        const b = await ledger.create(newPayment('settle-b'));
        const c = await ledger.create(newPayment('settle-c'));
        const d = await ledger.create(newPayment('settle-d', 100n, { gateway: 'assist' }));
        await ledger.transition({ ...keyOf(a), from: ['pending'], to: 'paid', source: 'notification' });
        await gap();
        await ledger.transition({ ...keyOf(b), from: ['pending'], to: 'held', source: 'hold_notification' });
        await gap();
        await ledger.transition({ ...keyOf(d), from: ['pending'], to: 'paid', source: 'notification' });
        const ids = (records: PaymentRecord[]) => records.map((r) => `${r.gateway}:${r.invoiceId}`);
        const id = (r: PaymentRecord) => `${r.gateway}:${r.invoiceId}`;

        expect(ids(await ledger.listUnsettled({ limit: 10 }))).toEqual([id(a), id(b), id(d)]);
        expect(ids(await ledger.listUnsettled({ limit: 2 }))).toEqual([id(a), id(b)]);
        expect(ids(await ledger.listUnsettled({ limit: 10, gateway: 'assist' }))).toEqual([id(d)]);
        expect(ids(await ledger.listUnsettled({ limit: 10, gateway: 'robokassa' }))).toEqual([id(a), id(b)]);

        const before = await ledger.find(keyOf(a));
        await ledger.markSettled(keyOf(a), 'paid');
        await ledger.markSettled(keyOf(b), 'pending');
        const settled = await ledger.find(keyOf(a));
        expect(settled?.settledState).toBe('paid');
        expect(settled?.state).toBe('paid');
        expect(settled?.updatedAt.getTime()).toBe(before?.updatedAt.getTime());
        expect((await ledger.find(keyOf(b)))?.settledState).toBe('pending');
        expect((await ledger.find(keyOf(c)))?.settledState ?? undefined).toBeUndefined();
        // b is held but the platform last reflected it pending: still owed work.
        expect(ids(await ledger.listUnsettled({ limit: 10 }))).toEqual([id(b), id(d)]);

        // A later state makes a settled record owed again until the platform catches up.
        await ledger.transition({ ...keyOf(b), from: ['held'], to: 'paid', source: 'capture' });
        await ledger.markSettled(keyOf(d), 'paid');
        expect(ids(await ledger.listUnsettled({ limit: 10 }))).toEqual([id(b)]);
        await ledger.markSettled(keyOf(b), 'paid');
        expect(await ledger.listUnsettled({ limit: 10 })).toEqual([]);

        // Unknown keys change nothing.
        await ledger.markSettled({ gateway: 'robokassa', invoiceId: String(MAX_ALLOCATED_INVOICE_ID) }, 'paid');
        expect(
          await ledger.find({ gateway: 'robokassa', invoiceId: String(MAX_ALLOCATED_INVOICE_ID) }),
        ).toBeUndefined();
        expect(await outcome(ledger.markSettled(keyOf(a), 'shipped' as 'paid'))).toBe('INVALID_TRANSITION');
      });
    });

    test(`surplus: ${transitions} concurrent markSurplus calls on a paid record, exactly one applies; only paid or held records`, async () => {
      await withLedger(async (ledger) => {
        const a = await ledger.create(newPayment('surplus-a'));
        const pending = await ledger.create(newPayment('surplus-b'));
        expect((await ledger.find(keyOf(a)))?.surplus ?? false).toBe(false);
        await ledger.transition({ ...keyOf(a), from: ['pending'], to: 'paid', source: 'notification' });
        const results = await Promise.all(Array.from({ length: transitions }, () => ledger.markSurplus(keyOf(a))));
        expect(results.filter((r) => r.applied)).toHaveLength(1);
        const marked = await ledger.find(keyOf(a));
        expect(marked?.surplus).toBe(true);
        expect(marked?.state).toBe('paid');
        // Settled as far as the platform will ever go: not owed work, never settled again.
        expect(marked?.settledState).toBe('paid');
        expect(await ledger.listUnsettled({ limit: 10 })).toEqual([]);
        // Not on a pending record, nor on an unknown one.
        expect((await ledger.markSurplus(keyOf(pending))).applied).toBe(false);
        expect((await ledger.find(keyOf(pending)))?.surplus ?? false).toBe(false);
        const unknown = await ledger.markSurplus({ gateway: 'robokassa', invoiceId: String(MAX_ALLOCATED_INVOICE_ID) });
        expect(unknown.applied).toBe(false);
        expect(unknown.record).toBeUndefined();
        // The flag stays through the refund that gives the money back.
        await ledger.transition({
          ...keyOf(a),
          from: ['paid'],
          to: 'refund_requested',
          source: 'refund',
          patch: { refundPending: a.amount },
        });
        const refunded = await ledger.transition({
          ...keyOf(a),
          from: ['refund_requested'],
          to: 'refunded',
          source: 'refund',
          patch: { refunded: a.amount, refundPending: null },
        });
        expect(refunded.record?.surplus).toBe(true);
        expect((await ledger.find(keyOf(a)))?.surplus).toBe(true);
      });
    });

    test('list pages newest first with the total, filtered by gateway, state, surplus and unsettled', async () => {
      await withLedger(async (ledger) => {
        const made: PaymentRecord[] = [];
        for (let i = 0; i < 5; i += 1) {
          made.push(
            await ledger.create(newPayment(`list-${i}`, 100n + BigInt(i), i === 4 ? { gateway: 'assist' } : {})),
          );
          await gap();
        }
        const [r0, r1, r2, r3, r4] = made as [
          PaymentRecord,
          PaymentRecord,
          PaymentRecord,
          PaymentRecord,
          PaymentRecord,
        ];
        await ledger.transition({ ...keyOf(r1), from: ['pending'], to: 'paid', source: 'notification' });
        await ledger.transition({ ...keyOf(r2), from: ['pending'], to: 'paid', source: 'notification' });
        await ledger.markSurplus(keyOf(r2));
        await ledger.transition({ ...keyOf(r3), from: ['pending'], to: 'cancelled', source: 'cancel' });
        const ids = (page: { records: PaymentRecord[] }) => page.records.map((r) => `${r.gateway}:${r.invoiceId}`);
        const id = (r: PaymentRecord) => `${r.gateway}:${r.invoiceId}`;

        const all = await ledger.list({ limit: 10 });
        expect(all.total).toBe(5);
        expect(ids(all)).toEqual([id(r4), id(r3), id(r2), id(r1), id(r0)]);
        const page2 = await ledger.list({ limit: 2, offset: 2 });
        expect(page2.total).toBe(5);
        expect(ids(page2)).toEqual([id(r2), id(r1)]);
        expect(ids(await ledger.list({ limit: 10, gateway: 'assist' }))).toEqual([id(r4)]);
        expect(ids(await ledger.list({ limit: 10, gateway: 'robokassa', states: ['paid'] }))).toEqual([id(r2), id(r1)]);
        const surplus = await ledger.list({ limit: 10, surplus: true });
        expect(ids(surplus)).toEqual([id(r2)]);
        expect(surplus.total).toBe(1);
        expect(ids(await ledger.list({ limit: 10, states: ['paid'], surplus: false }))).toEqual([id(r1)]);
        expect(ids(await ledger.list({ limit: 10, unsettled: true }))).toEqual([id(r1)]);
        expect(ids(await ledger.list({ limit: 10, states: ['cancelled', 'pending'] }))).toEqual([
          id(r4),
          id(r3),
          id(r0),
        ]);
        // Attention: the unsettled paid one and the surplus one not yet refunded.
        expect(ids(await ledger.list({ limit: 10, attention: true }))).toEqual([id(r2), id(r1)]);
        // Creation-time bounds: from inclusive, to exclusive.
        const fresh = await ledger.find(keyOf(r3));
        const bounded = await ledger.list({
          limit: 10,
          createdFrom: fresh?.createdAt,
          createdTo: new Date(Date.now() + 60_000),
        });
        expect(ids(bounded)).toEqual([id(r4), id(r3)]);
        expect((await ledger.list({ limit: 10, createdTo: fresh?.createdAt })).total).toBe(3);
        const none = await ledger.list({ limit: 0 });
        expect(none.total).toBe(5);
        expect(none.records).toEqual([]);
      });
    });

    test('listStale filters by state, age and gateway, orders oldest update first and honours the limit', async () => {
      await withLedger(async (ledger) => {
        const a = await ledger.create(newPayment('stale-a'));
        await gap();
        const b = await ledger.create(newPayment('stale-b'));
        await gap();
        const c = await ledger.create(newPayment('stale-c'));
        await gap();
        const e = await ledger.create(newPayment('stale-e', 100n, { gateway: 'assist' }));
        await gap();
        const t1 = new Date();
        await gap();
        await ledger.transition({ ...keyOf(a), from: ['pending'], to: 'held', source: 'hold_notification' });
        await gap();
        const t2 = new Date();
        await gap();
        await ledger.create(newPayment('stale-d'));

        const ids = (records: PaymentRecord[]) => records.map((r) => `${r.gateway}:${r.invoiceId}`);
        const id = (r: PaymentRecord) => `${r.gateway}:${r.invoiceId}`;
        expect(ids(await ledger.listStale({ states: ['pending'], olderThan: t1, limit: 10 }))).toEqual([
          id(b),
          id(c),
          id(e),
        ]);
        expect(
          ids(await ledger.listStale({ states: ['pending'], olderThan: t1, limit: 10, gateway: 'robokassa' })),
        ).toEqual([id(b), id(c)]);
        expect(
          ids(await ledger.listStale({ states: ['pending'], olderThan: t1, limit: 10, gateway: 'assist' })),
        ).toEqual([id(e)]);
        expect(
          ids(await ledger.listStale({ states: ['pending', 'held'], olderThan: t2, limit: 10, gateway: 'robokassa' })),
        ).toEqual([id(b), id(c), id(a)]);
        expect(ids(await ledger.listStale({ states: ['pending', 'held'], olderThan: t2, limit: 2 }))).toEqual([
          id(b),
          id(c),
        ]);
        expect(await ledger.listStale({ states: ['pending'], olderThan: t2, limit: 0 })).toEqual([]);
        expect(await ledger.listStale({ states: ['held'], olderThan: t1, limit: 10 })).toEqual([]);
        expect(
          await ledger.listStale({ states: ['paid'], olderThan: new Date(Date.now() + 60_000), limit: 10 }),
        ).toEqual([]);
      });
    });

    test('records in the same millisecond list in creation order', async () => {
      await withLedger(async (ledger) => {
        const created = [];
        for (let i = 0; i < 20; i += 1) created.push(await ledger.create(newPayment(`burst-${i}`)));
        const listed = await ledger.listStale({
          states: ['pending'],
          olderThan: new Date(Date.now() + 60_000),
          limit: 100,
        });
        const order = (records: PaymentRecord[]) =>
          [...records]
            .sort((x, y) => x.updatedAt.getTime() - y.updatedAt.getTime())
            .map((r) => r.invoiceId)
            .join();
        // Stable: equal timestamps keep the order in which the records were created.
        expect(listed.map((r) => r.invoiceId).join()).toBe(order(created));
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
          money(9_007_199_254n, 'EUR'),
        ];
        for (const [i, amount] of cases.entries()) {
          const created = await ledger.create({ gateway: 'robokassa', reference: `money-${i}`, amount, isTest: false });
          const stored = await ledger.find(keyOf(created));
          expect(typeof stored?.amount.minor).toBe('bigint');
          expect(stored?.amount).toEqual(amount);
          expect(stored?.refunded).toEqual({ currency: amount.currency, minor: 0n });
          const refunded = await ledger.transition({
            ...keyOf(created),
            from: ['pending'],
            to: 'refunded',
            source: 'admin',
            patch: { refunded: amount },
          });
          expect(refunded.record?.refunded).toEqual(amount);
          expect(typeof (await ledger.find(keyOf(created)))?.refunded.minor).toBe('bigint');
        }
      });
    });
  });
}
