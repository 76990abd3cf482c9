import { formatMoney, type PaymentRecord, type PaymentRedirect } from '@kassa/core';
import { invIdOf, type Receipt, robokassaDetails } from '@kassa/core/robokassa';
import { z } from 'zod';
import { type RedirectSessionData, redirectSessionData, sessionParser, storefrontChoice } from './provider-session';

/**
 * What the Robokassa provider keeps in `payment_session.data` / `payment.data`: the signed redirect, the InvId and
 * the amount, nothing secret (the Store API returns it to the browser).
 */
export interface RobokassaSessionData extends RedirectSessionData {
  inv_id: number;
  out_sum: string;
  /** The 54-FZ receipt lines sent with the payment (JSON-safe: decimal strings), reused for a full refund. */
  receipt?: StoredReceipt | undefined;
  inc_curr_label?: string | undefined;
}

export interface StoredReceipt {
  sno?: string | undefined;
  items: Array<{
    name: string;
    quantity: string;
    sum: string;
    tax: string;
    payment_method?: string | undefined;
    payment_object?: string | undefined;
  }>;
}

const storedSchema = z
  .object({
    session_id: z.string().min(1),
    inv_id: z
      .number()
      .int()
      .min(1)
      .max(2 ** 31 - 1),
    receipt: z
      .object({
        sno: z.string().optional(),
        items: z.array(
          z.object({
            name: z.string(),
            quantity: z.string(),
            sum: z.string(),
            tax: z.string(),
            payment_method: z.string().optional(),
            payment_object: z.string().optional(),
          }),
        ),
      })
      .optional(),
  })
  .loose();

export type ParsedSessionData = z.output<typeof storedSchema>;

export const parseSessionData = sessionParser(
  storedSchema,
  'This payment has no Robokassa invoice (was it created by another provider?)',
);

/** A method label from the catalog (`BankCardPSR`, `SBPPSR`): preselects it on Robokassa's page. */
const methodLabel = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/** The method label (`inc_curr_label`) and page language (`culture`) a storefront chose; nothing else it sends. */
export function storefrontChoices(input: Record<string, unknown>) {
  return storefrontChoice(input, 'inc_curr_label', methodLabel);
}

/** A validated receipt as JSON-safe session data (amounts as decimal strings; `Money` holds a bigint). */
export function storedReceipt(receipt: Receipt): StoredReceipt {
  return {
    ...(receipt.sno ? { sno: receipt.sno } : {}),
    items: receipt.items.map((item) => ({
      name: item.name,
      quantity: item.quantity,
      sum: formatMoney(item.sum),
      tax: item.tax,
      ...(item.payment_method ? { payment_method: item.payment_method } : {}),
      ...(item.payment_object ? { payment_object: item.payment_object } : {}),
    })),
  };
}

/** The session data of a freshly signed redirect: what the storefront needs to send the buyer, nothing secret. */
export function sessionData(
  { record, redirect }: { record: PaymentRecord; redirect: PaymentRedirect },
  request: {
    reference: string;
    hold?: boolean | undefined;
    receipt?: Receipt | undefined;
    method?: string | undefined;
  },
): RobokassaSessionData {
  return {
    ...redirectSessionData({ record, redirect }, request.reference, request.hold ?? false),
    inv_id: invIdOf(record),
    out_sum: formatMoney(record.amount),
    ...(request.receipt ? { receipt: storedReceipt(request.receipt) } : {}),
    ...(request.method ? { inc_curr_label: request.method } : {}),
  };
}

/** What the ledger says about the invoice, merged into a payment's data on every provider call. */
export function sessionView(record: PaymentRecord): Record<string, unknown> {
  const details = robokassaDetails(record);
  return {
    inv_id: invIdOf(record),
    state: record.state,
    out_sum: formatMoney(record.amount),
    refunded: formatMoney(record.refunded),
    ...(details.paymentMethod ? { payment_method: details.paymentMethod } : {}),
    ...(details.incCurrLabel ? { inc_curr_label: details.incCurrLabel } : {}),
    ...(details.fee ? { fee: details.fee } : {}),
    ...(details.refundRequestId ? { last_refund_request_id: details.refundRequestId } : {}),
  };
}
