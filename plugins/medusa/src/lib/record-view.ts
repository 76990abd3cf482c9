import { formatMoney, type InvoiceKey, type PaymentRecord } from '@kassa/core';
import { invIdOf, robokassaDetails } from '@kassa/core/robokassa';

/** The ledger key of a Robokassa InvId. */
export function invoiceKey(invId: number | string): InvoiceKey {
  return { gateway: 'robokassa', invoiceId: String(invId) };
}

/** A ledger record as JSON for the admin (amounts as decimal strings; there is nothing secret in a record). */
export function recordView(record: PaymentRecord) {
  const details = robokassaDetails(record);
  return {
    inv_id: invIdOf(record),
    state: record.state,
    is_test: record.isTest,
    amount: formatMoney(record.amount),
    currency: record.amount.currency,
    refunded: formatMoney(record.refunded),
    payment_method: details.paymentMethod ?? null,
    inc_curr_label: details.incCurrLabel ?? null,
    fee: details.fee ?? null,
    has_op_key: Boolean(details.opKey),
    created_at: record.createdAt.toISOString(),
    updated_at: record.updatedAt.toISOString(),
  };
}
