import { KassaError } from '../errors.js';
import type { Money } from '../money.js';
import {
  type GatewayId,
  type InvoiceKey,
  type ListPaymentsOptions,
  type ListStaleOptions,
  MAX_ALLOCATED_INVOICE_ID,
  MAX_PAGE_SIZE as MAX_PAGE,
  type NewPayment,
  type PaymentLedger,
  type PaymentPage,
  type PaymentRecord,
  type PaymentState,
  type TransitionRequest,
  type TransitionResult,
  type TransitionSource,
} from './port.js';
import {
  checkNewPayment,
  checkSettled,
  checkTransition,
  copyDetails,
  isInvoiceKey,
  normalizeLimit,
  patchFits,
  patchMismatch,
} from './validate.js';

export interface MemoryLedgerOptions {
  /** The first number to allocate as an invoice id. Default 1. */
  firstInvoiceNumber?: number;
  /** The clock used for `createdAt`/`updatedAt`. Default: the system clock. */
  now?: () => Date;
}

/** The memory ledger plus a read-only view of everything in it (for tests: "the ledger did not change"). */
export interface MemoryLedger extends PaymentLedger {
  /** Every record, in creation order. */
  snapshot(): PaymentRecord[];
}

interface Stored {
  record: PaymentRecord;
  /** Creation order: breaks ties between equal timestamps, as the SQL adapter's allocated number does. */
  seq: number;
  lastSource?: TransitionSource;
}

function checkFirstNumber(value: number): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_ALLOCATED_INVOICE_ID) {
    throw new KassaError(
      'INVOICE_ID_OUT_OF_RANGE',
      `The first invoice number must be an integer from 1 to ${MAX_ALLOCATED_INVOICE_ID}`,
      { details: { firstInvoiceNumber: String(value) } },
    );
  }
}

function freezeMoney(money: Money): Money {
  return Object.freeze({ currency: money.currency, minor: money.minor });
}

function freezeRecord(record: PaymentRecord): PaymentRecord {
  return Object.freeze({
    gateway: record.gateway,
    invoiceId: record.invoiceId,
    reference: record.reference,
    amount: freezeMoney(record.amount),
    isTest: record.isTest,
    state: record.state,
    refunded: freezeMoney(record.refunded),
    refundPending: record.refundPending && freezeMoney(record.refundPending),
    details: Object.freeze(copyDetails(record.details)),
    settledState: record.settledState,
    ...(record.surplus === true ? { surplus: true } : {}),
    createdAt: new Date(record.createdAt.getTime()),
    updatedAt: new Date(record.updatedAt.getTime()),
  });
}

const keyOf = (gateway: GatewayId, invoiceId: string) => `${gateway}\u0000${invoiceId}`;
const byAge = (a: Stored, b: Stored) => a.record.updatedAt.getTime() - b.record.updatedAt.getTime() || a.seq - b.seq;

/** Lets other callers run between "read" and "write", as a database round trip would. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * An in-memory `PaymentLedger` for tests and the sandbox-free demo. Transitions are atomic within this process (the
 * compare-and-set runs without an `await` in between); nothing survives a restart and nothing is shared between
 * processes. Production stores use `SqlLedger` (or their own adapter passing the contract battery in
 * `@kassa/core/testing`).
 *
 * Allocated invoice ids come from one counter shared by every gateway (so they are unique across gateways too),
 * skip ids a gateway already holds, and are never reused.
 */
export function createMemoryLedger(options: MemoryLedgerOptions = {}): MemoryLedger {
  const firstNumber = options.firstInvoiceNumber ?? 1;
  checkFirstNumber(firstNumber);
  const now = options.now ?? (() => new Date());
  const records = new Map<string, Stored>();
  /** Keys handed out or taken explicitly, kept even if a record were ever removed: never reused. */
  const used = new Set<string>();
  let next = firstNumber;
  let seq = 0;

  function allocate(gateway: GatewayId): string {
    while (next <= MAX_ALLOCATED_INVOICE_ID && used.has(keyOf(gateway, String(next)))) next += 1;
    if (next > MAX_ALLOCATED_INVOICE_ID) {
      throw new KassaError('LEDGER_CONFLICT', 'The invoice number range is exhausted', {
        details: { max: MAX_ALLOCATED_INVOICE_ID },
      });
    }
    const id = String(next);
    next += 1;
    return id;
  }

  function sorted(filter: (stored: Stored) => boolean, limit: number): PaymentRecord[] {
    return [...records.values()]
      .filter(filter)
      .sort(byAge)
      .slice(0, normalizeLimit(limit))
      .map((s) => freezeRecord(s.record));
  }

  return {
    async create(payment: NewPayment): Promise<PaymentRecord> {
      checkNewPayment(payment);
      await tick();
      let invoiceId: string;
      if (payment.invoiceId !== undefined) {
        if (used.has(keyOf(payment.gateway, payment.invoiceId))) {
          throw new KassaError('LEDGER_CONFLICT', 'This invoice id is already taken for the gateway', {
            details: { gateway: payment.gateway, invoiceId: payment.invoiceId },
          });
        }
        invoiceId = payment.invoiceId;
      } else {
        invoiceId = allocate(payment.gateway);
      }
      const key = keyOf(payment.gateway, invoiceId);
      used.add(key);
      const at = now();
      const record = freezeRecord({
        gateway: payment.gateway,
        invoiceId,
        reference: payment.reference,
        amount: payment.amount,
        isTest: payment.isTest,
        state: 'pending',
        refunded: { currency: payment.amount.currency, minor: 0n },
        refundPending: undefined,
        details: copyDetails(payment.details),
        settledState: undefined,
        createdAt: at,
        updatedAt: at,
      });
      seq += 1;
      records.set(key, { record, seq });
      return freezeRecord(record);
    },

    async find(key: InvoiceKey): Promise<PaymentRecord | undefined> {
      await tick();
      if (!isInvoiceKey(key)) return undefined;
      const stored = records.get(keyOf(key.gateway, key.invoiceId));
      return stored && freezeRecord(stored.record);
    },

    async findByReference(reference: string): Promise<PaymentRecord | undefined> {
      await tick();
      // The most recently created record wins (a platform may start a new attempt for the same reference).
      let found: Stored | undefined;
      for (const stored of records.values()) {
        if (stored.record.reference !== reference) continue;
        const t = stored.record.createdAt.getTime();
        const best = found?.record.createdAt.getTime();
        if (!found || best === undefined || t > best || (t === best && stored.seq > found.seq)) found = stored;
      }
      return found && freezeRecord(found.record);
    },

    async transition(request: TransitionRequest): Promise<TransitionResult> {
      checkTransition(request);
      await tick();
      // From here to the `set` there is no await: the compare-and-set is atomic within the process.
      const stored = records.get(keyOf(request.gateway, request.invoiceId));
      if (!stored) return { applied: false, record: undefined };
      const current = stored.record;
      if (!request.from.includes(current.state)) return { applied: false, record: freezeRecord(current) };
      const patch = request.patch ?? {};
      if (!patchFits(patch, current.amount)) throw patchMismatch(request, current.amount);
      const updated = freezeRecord({
        ...current,
        state: request.to,
        refunded: patch.refunded ?? current.refunded,
        refundPending: request.to === 'refund_requested' ? (patch.refundPending ?? undefined) : undefined,
        details: { ...current.details, ...copyDetails(patch.details) },
        updatedAt: now(),
      });
      stored.record = updated;
      stored.lastSource = request.source;
      return { applied: true, record: freezeRecord(updated) };
    },

    async markSettled(key: InvoiceKey, state: PaymentState): Promise<void> {
      checkSettled(key, state);
      await tick();
      const stored = records.get(keyOf(key.gateway, key.invoiceId));
      if (stored) stored.record = freezeRecord({ ...stored.record, settledState: state });
    },

    async markSurplus(key: InvoiceKey): Promise<TransitionResult> {
      checkSettled(key, 'paid');
      await tick();
      const stored = records.get(keyOf(key.gateway, key.invoiceId));
      if (!stored) return { applied: false, record: undefined };
      const current = stored.record;
      if (current.surplus === true || (current.state !== 'paid' && current.state !== 'held')) {
        return { applied: false, record: freezeRecord(current) };
      }
      stored.record = freezeRecord({ ...current, surplus: true, settledState: current.state, updatedAt: now() });
      return { applied: true, record: freezeRecord(stored.record) };
    },

    async list(options: ListPaymentsOptions): Promise<PaymentPage> {
      await tick();
      const { gateway, states, surplus, unsettled, attention, createdFrom, createdTo } = options;
      const owed = (r: PaymentRecord) => (r.state === 'paid' || r.state === 'held') && r.settledState !== r.state;
      const matching = [...records.values()].filter(
        ({ record: r }) =>
          (gateway === undefined || r.gateway === gateway) &&
          (states === undefined || states.includes(r.state)) &&
          (surplus === undefined || (r.surplus === true) === surplus) &&
          (unsettled !== true || owed(r)) &&
          (attention !== true ||
            owed(r) ||
            (r.surplus === true && (r.state === 'paid' || r.state === 'refund_requested'))) &&
          (createdFrom === undefined || r.createdAt.getTime() >= createdFrom.getTime()) &&
          (createdTo === undefined || r.createdAt.getTime() < createdTo.getTime()),
      );
      matching.sort((a, b) => b.record.createdAt.getTime() - a.record.createdAt.getTime() || b.seq - a.seq);
      const offset = normalizeLimit(options.offset ?? 0);
      const limit = Math.min(normalizeLimit(options.limit), MAX_PAGE);
      return {
        records: matching.slice(offset, offset + limit).map((s) => freezeRecord(s.record)),
        total: matching.length,
      };
    },

    async listStale(options: ListStaleOptions): Promise<PaymentRecord[]> {
      await tick();
      const { states, olderThan, gateway } = options;
      const cutoff = olderThan instanceof Date ? olderThan.getTime() : Number.NaN;
      return sorted(
        ({ record: r }) =>
          states.includes(r.state) &&
          r.updatedAt.getTime() < cutoff &&
          (gateway === undefined || r.gateway === gateway),
        options.limit,
      );
    },

    async listUnsettled(options: { limit: number; gateway?: GatewayId | undefined }): Promise<PaymentRecord[]> {
      await tick();
      const { gateway } = options;
      return sorted(
        ({ record: r }) =>
          (r.state === 'paid' || r.state === 'held') &&
          r.settledState !== r.state &&
          (gateway === undefined || r.gateway === gateway),
        options.limit,
      );
    },

    snapshot(): PaymentRecord[] {
      return [...records.values()].sort((a, b) => a.seq - b.seq).map((s) => freezeRecord(s.record));
    },
  };
}
