import { z } from 'zod';
import { KassaError } from '../errors.js';
import { CURRENCY_EXPONENTS, type CurrencyCode, MAX_MINOR_UNITS, type Money } from '../money.js';
import {
  type NewPayment,
  PAYMENT_STATES,
  type PaymentLedger,
  type PaymentRecord,
  type PaymentState,
  type TransitionRequest,
  type TransitionResult,
} from './port.js';

/** Robokassa InvIds as the shop allocates them (DOC-params; the int32 range older libraries and plugins use). */
export const MAX_INV_ID = 2 ** 31 - 1;

export interface MemoryLedgerOptions {
  /** The first InvId to allocate. Default 1. */
  firstInvId?: number;
  /** The clock used for `createdAt`/`updatedAt`. Default: the system clock. */
  now?: () => Date;
}

/** The memory ledger plus a read-only view of everything in it (for tests: "the ledger did not change"). */
export interface MemoryLedger extends PaymentLedger {
  snapshot(): PaymentRecord[];
}

const currencySchema = z.enum(Object.keys(CURRENCY_EXPONENTS) as [CurrencyCode, ...CurrencyCode[]]);
const moneySchema = z.object({ currency: currencySchema, minor: z.bigint().min(1n).max(MAX_MINOR_UNITS) });

const newPaymentSchema = z.object({
  reference: z.string().min(1).max(255),
  amount: moneySchema,
  isTest: z.boolean(),
  invId: z.number().optional(),
});

const transitionSchema = z.object({
  invId: z.number(),
  from: z.array(z.enum(PAYMENT_STATES)).min(1),
  to: z.enum(PAYMENT_STATES),
  source: z.string().min(1),
});

function checkInvId(invId: number): void {
  if (!Number.isSafeInteger(invId) || invId < 1 || invId > MAX_INV_ID) {
    throw new KassaError('INVOICE_ID_OUT_OF_RANGE', `InvId must be an integer from 1 to ${MAX_INV_ID}`, {
      details: { invId: String(invId) },
    });
  }
}

function freezeRecord(record: PaymentRecord): PaymentRecord {
  return Object.freeze({
    ...record,
    amount: Object.freeze({ ...record.amount }),
    refunded: Object.freeze({ ...record.refunded }),
    createdAt: new Date(record.createdAt.getTime()),
    updatedAt: new Date(record.updatedAt.getTime()),
  });
}

/** Lets other callers run between "read" and "write", as a database round trip would. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * An in-memory `PaymentLedger` for tests and the sandbox-free demo. Transitions are atomic within this process (the
 * compare-and-set runs without an `await` in between); nothing survives a restart and nothing is shared between
 * processes. Production adapters must use the database (a conditional `UPDATE … WHERE state = ANY($from)`, a
 * sequence for InvIds) and pass the contract battery in `@kassa/core/testing`.
 */
export function createMemoryLedger(options: MemoryLedgerOptions = {}): MemoryLedger {
  const firstInvId = options.firstInvId ?? 1;
  checkInvId(firstInvId);
  const now = options.now ?? (() => new Date());
  const byInvId = new Map<number, PaymentRecord>();
  /** InvIds handed out or taken explicitly, kept even if a record were ever removed: never reused. */
  const used = new Set<number>();
  let next = firstInvId;

  function allocate(): number {
    while (used.has(next)) next += 1;
    if (next > MAX_INV_ID) throw new KassaError('LEDGER_CONFLICT', 'The InvId range is exhausted');
    const invId = next;
    next += 1;
    return invId;
  }

  return {
    async create(payment: NewPayment): Promise<PaymentRecord> {
      const parsed = newPaymentSchema.safeParse(payment);
      if (!parsed.success) {
        throw new KassaError('PAYMENT_INVALID', 'Invalid new payment for the ledger', {
          details: { fields: parsed.error.issues.map((i) => i.path.join('.') || '(root)') },
        });
      }
      await tick();
      const input = parsed.data;
      let invId: number;
      if (input.invId !== undefined) {
        checkInvId(input.invId);
        if (used.has(input.invId)) {
          throw new KassaError('LEDGER_CONFLICT', 'This InvId is already taken', { details: { invId: input.invId } });
        }
        invId = input.invId;
      } else {
        invId = allocate();
      }
      used.add(invId);
      const at = now();
      const amount: Money = { currency: input.amount.currency, minor: input.amount.minor };
      const record = freezeRecord({
        invId,
        reference: input.reference,
        amount,
        isTest: input.isTest,
        state: 'pending',
        refunded: { currency: amount.currency, minor: 0n },
        createdAt: at,
        updatedAt: at,
      });
      byInvId.set(invId, record);
      return freezeRecord(record);
    },

    async findByInvId(invId: number): Promise<PaymentRecord | undefined> {
      await tick();
      const record = byInvId.get(invId);
      return record && freezeRecord(record);
    },

    async findByReference(reference: string): Promise<PaymentRecord | undefined> {
      await tick();
      // The most recently created record wins (a platform may start a new attempt for the same reference).
      let found: PaymentRecord | undefined;
      for (const record of byInvId.values()) {
        if (record.reference !== reference) continue;
        if (!found || record.createdAt.getTime() >= found.createdAt.getTime()) found = record;
      }
      return found && freezeRecord(found);
    },

    async transition(request: TransitionRequest): Promise<TransitionResult> {
      const parsed = transitionSchema.safeParse(request);
      if (!parsed.success) {
        throw new KassaError('INVALID_TRANSITION', 'Invalid transition request', {
          details: { fields: parsed.error.issues.map((i) => i.path.join('.') || '(root)') },
        });
      }
      await tick();
      // From here to the `set` there is no await: the compare-and-set is atomic within the process.
      const current = byInvId.get(request.invId);
      if (!current) return { applied: false, record: undefined };
      if (!request.from.includes(current.state)) return { applied: false, record: freezeRecord(current) };
      const patch = request.patch ?? {};
      const next: PaymentRecord = freezeRecord({
        ...current,
        state: request.to as PaymentState,
        opKey: patch.opKey ?? current.opKey,
        paymentMethod: patch.paymentMethod ?? current.paymentMethod,
        incCurrLabel: patch.incCurrLabel ?? current.incCurrLabel,
        fee: patch.fee ?? current.fee,
        refunded: patch.refunded ?? current.refunded,
        updatedAt: now(),
      });
      byInvId.set(request.invId, next);
      return { applied: true, record: freezeRecord(next) };
    },

    async listStale({ states, olderThan, limit }): Promise<PaymentRecord[]> {
      await tick();
      const cutoff = olderThan.getTime();
      return [...byInvId.values()]
        .filter((r) => states.includes(r.state) && r.updatedAt.getTime() < cutoff)
        .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime() || a.invId - b.invId)
        .slice(0, Math.max(0, Math.floor(limit)))
        .map(freezeRecord);
    },

    snapshot(): PaymentRecord[] {
      return [...byInvId.values()].sort((a, b) => a.invId - b.invId).map(freezeRecord);
    },
  };
}
