import { formatMoney, type PaymentRecord } from '@kassa/core';

/** A ledger record as JSON for the admin (amounts as decimal strings; there is nothing secret in a record). */
export function recordView(record: PaymentRecord) {
  return {
    inv_id: record.invId,
    state: record.state,
    is_test: record.isTest,
    amount: formatMoney(record.amount),
    currency: record.amount.currency,
    refunded: formatMoney(record.refunded),
    payment_method: record.paymentMethod ?? null,
    inc_curr_label: record.incCurrLabel ?? null,
    fee: record.fee ?? null,
    has_op_key: Boolean(record.opKey),
    created_at: record.createdAt.toISOString(),
    updated_at: record.updatedAt.toISOString(),
  };
}
