import type { RecordView } from './api';

export type GatewayName = 'robokassa' | 'assist';

/** The invoice id as the gateway knows it: Robokassa's InvId, Assist's OrderNumber. */
export function invoiceIdOf(record: RecordView): string {
  return String(record.inv_id ?? record.invoice_id ?? record.order_number ?? '');
}

/** The refresh route of each gateway's admin API. */
export function refreshPath(gateway: GatewayName, record: RecordView): string {
  return `/admin/${gateway}/payments/${encodeURIComponent(invoiceIdOf(record))}/refresh`;
}

/** What the merchant can see changed: the state, the refunded sum, the method or the fee. */
export function recordChanged(before: RecordView, after: RecordView): boolean {
  return (
    before.state !== after.state ||
    before.refunded !== after.refunded ||
    (before.fee ?? null) !== (after.fee ?? null) ||
    (before.payment_method ?? null) !== (after.payment_method ?? null) ||
    (before.inc_curr_label ?? null) !== (after.inc_curr_label ?? null) ||
    (before.meantype ?? null) !== (after.meantype ?? null)
  );
}

export const REFUNDABLE_STATES = new Set(['paid', 'partially_refunded']);
