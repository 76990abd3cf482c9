import { formatMoney, type InvoiceKey, type PaymentRecord, type PaymentRedirect } from '@kassa/core';
import { ASSIST_PAYMENT_METHOD_FLAGS, assistDetails } from '@kassa/core/assist';
import { z } from 'zod';
import { type RedirectSessionData, redirectSessionData, sessionParser, storefrontChoice } from './provider-session';

/**
 * What the Assist provider keeps in `payment_session.data` / `payment.data`: the signed order.cfm request, the
 * OrderNumber and the amount, nothing secret (the Store API returns it to the browser).
 */
export interface AssistSessionData extends RedirectSessionData {
  /** Assist's OrderNumber: the ledger's invoice id. */
  order_number: string;
  amount: string;
  method?: string | undefined;
}

/** The ledger key of an Assist OrderNumber. */
export function assistKey(orderNumber: string): InvoiceKey {
  return { gateway: 'assist', invoiceId: orderNumber };
}

const orderNumber = z.string().regex(/^\d{1,10}$/, 'an OrderNumber issued by this shop');

const storedSchema = z.object({ session_id: z.string().min(1), order_number: orderNumber }).loose();

export type ParsedAssistSession = z.output<typeof storedSchema>;

export const parseAssistSession = sessionParser(
  storedSchema,
  'This payment has no Assist order (was it created by another provider?)',
);

/** An OrderNumber from a URL or a body: the ledger allocates decimal integers, nothing else is looked up. */
export function parseOrderNumber(value: unknown): string | undefined {
  const parsed = orderNumber.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

const METHODS = Object.keys(ASSIST_PAYMENT_METHOD_FLAGS) as [string, ...string[]];

/** The one payment means a storefront may offer (`card`, `sbp`, … — core's method flags) and the page language. */
export function assistChoices(input: Record<string, unknown>) {
  return storefrontChoice(input, 'method', z.enum(METHODS));
}

/** The session data of a freshly signed order.cfm request: what the storefront needs to send the buyer. */
export function assistSessionData(
  { record, redirect }: { record: PaymentRecord; redirect: PaymentRedirect },
  request: { reference: string; hold: boolean; method?: string | undefined },
): AssistSessionData {
  return {
    ...redirectSessionData({ record, redirect }, request.reference, request.hold),
    order_number: record.invoiceId,
    amount: formatMoney(record.amount),
    ...(request.method ? { method: request.method } : {}),
  };
}

/** What the ledger says about the order, merged into a payment's data on every provider call. */
export function assistSessionView(record: PaymentRecord): Record<string, unknown> {
  const details = assistDetails(record);
  return {
    order_number: record.invoiceId,
    state: record.state,
    amount: formatMoney(record.amount),
    refunded: formatMoney(record.refunded),
    ...(details.billnumber ? { billnumber: details.billnumber } : {}),
    ...(details.meantype ? { meantype: details.meantype } : {}),
    ...(record.details.captured ? { captured: record.details.captured } : {}),
  };
}

/** A ledger record as JSON for the admin (amounts as decimal strings; there is nothing secret in a record). */
export function assistRecordView(record: PaymentRecord) {
  const details = assistDetails(record);
  return {
    order_number: record.invoiceId,
    state: record.state,
    is_test: record.isTest,
    amount: formatMoney(record.amount),
    currency: record.amount.currency,
    captured: record.details.captured ?? null,
    refunded: formatMoney(record.refunded),
    billnumber: details.billnumber ?? null,
    meantype: details.meantype ?? null,
    refund_billnumber: details.refundBillnumber ?? null,
    created_at: record.createdAt.toISOString(),
    updated_at: record.updatedAt.toISOString(),
  };
}
