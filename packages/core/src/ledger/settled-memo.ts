/**
 * A ledger for the notification routes that answers `find` from memory for invoices already paid and settled.
 *
 * Why: gateways repeat a notification (Robokassa up to five times, a busy Assist in bursts, and an attacker replaying a
 * captured one as often as they like). Once an invoice is paid and the platform reflects it, every further copy is
 * answered the same way whatever else happens to the record, so the database round trip per copy buys nothing; on a
 * small server it was the largest part of the plugin's cost per duplicate (see the Medusa benchmark).
 *
 * What makes it safe — the plain ledger stays the reference, and a differential test replays random histories
 * through both:
 * - Only records that are `paid` and settled (or flagged surplus) are remembered. From there a record can only move
 *   on to a refund state, and a copy of the payment notification gets the same reply in all of them (`replay` and
 *   `after-refund` are both acknowledged; neither settles anything, since a settled or surplus record owes nothing).
 * - A remembered record is only ever the starting point: every state change is still a compare-and-set in the store,
 *   which reports the real state on a mismatch. Every write through this ledger forgets the invoice.
 * - Entries live `ttlMs` (default 60 s) and at most `max` are kept (oldest dropped first).
 */
import type { InvoiceKey, PaymentLedger, PaymentRecord } from './port.js';

export interface SettledMemoOptions {
  /** How long a remembered record is used. Default 60,000 ms. */
  ttlMs?: number | undefined;
  /** Most records remembered. Default 10,000. */
  max?: number | undefined;
  /** Clock (tests). */
  now?: (() => number) | undefined;
}

/** Whether every copy of the payment's notification now gets the same answer, whatever happens to the record next. */
export function answeredForGood(record: PaymentRecord): boolean {
  return record.surplus === true || (record.state === 'paid' && record.settledState === 'paid');
}

export function memoizeSettled(ledger: PaymentLedger, options: SettledMemoOptions = {}): PaymentLedger {
  const ttl = options.ttlMs ?? 60_000;
  const max = Math.max(1, options.max ?? 10_000);
  const now = options.now ?? Date.now;
  // A Map keeps insertion order: the first key is the oldest entry.
  const memo = new Map<string, { record: PaymentRecord; until: number }>();
  const keyOf = (key: InvoiceKey) => `${key.gateway}\u0000${key.invoiceId}`;
  const forget = (key: InvoiceKey) => memo.delete(keyOf(key));

  return {
    async find(key) {
      const id = keyOf(key);
      const hit = memo.get(id);
      if (hit && hit.until > now()) return hit.record;
      if (hit) memo.delete(id);
      const record = await ledger.find(key);
      if (record && answeredForGood(record)) {
        memo.set(id, { record, until: now() + ttl });
        if (memo.size > max) memo.delete(memo.keys().next().value as string);
      }
      return record;
    },
    create: (payment) => ledger.create(payment),
    findByReference: (reference) => ledger.findByReference(reference),
    async transition(request) {
      forget(request);
      try {
        return await ledger.transition(request);
      } finally {
        forget(request);
      }
    },
    async markSettled(key, state) {
      forget(key);
      await ledger.markSettled(key, state);
    },
    async markSurplus(key) {
      forget(key);
      try {
        return await ledger.markSurplus(key);
      } finally {
        forget(key);
      }
    },
    list: (query) => ledger.list(query),
    listStale: (query) => ledger.listStale(query),
    listUnsettled: (query) => ledger.listUnsettled(query),
  };
}
