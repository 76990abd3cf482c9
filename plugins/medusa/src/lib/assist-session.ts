import { formatMoney, type InvoiceKey, type PaymentRecord, type PaymentRedirect } from '@kassa/core';
import { ASSIST_PAYMENT_METHOD_FLAGS, assistDetails } from '@kassa/core/assist';
import { z } from 'zod';
import { cultureChoice, sessionParser } from './session-parse';

/**
 * What the Assist provider keeps in `payment_session.data` / `payment.data`. The Store API returns it to the
 * browser, so it holds nothing secret: the signed order.cfm form (a checkvalue is not the secret word), the
 * OrderNumber and the amount.
 */
export interface AssistSessionData {
  session_id: string;
  /** Assist's OrderNumber: the ledger's invoice id. */
  order_number: string;
  amount: string;
  currency: string;
  is_test: boolean;
  hold: boolean;
  state: string;
  /** GET link to Assist's payment page (order.cfm with the fields in the query). */
  redirect_url: string;
  /** The same request as a POST form. */
  form: { action: string; method: 'POST'; fields: Array<{ name: string; value: string }> };
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

const choicesSchema = z.object({
  method: z.enum(METHODS).optional().catch(undefined),
  culture: cultureChoice,
});

/**
 * The only things a storefront may choose (the `data` it creates the session with): the one payment means to
 * offer (`card`, `sbp`, … — core's method flags) and the page language. Anything malformed is ignored.
 */
export function assistChoices(input: Record<string, unknown>): { method?: string; language?: 'ru' | 'en' } {
  const parsed = choicesSchema.parse({ method: input.method, culture: input.culture });
  return {
    ...(parsed.method ? { method: parsed.method } : {}),
    ...(parsed.culture ? { language: parsed.culture } : {}),
  };
}

/** The session data of a freshly signed order.cfm request: what the storefront needs to send the buyer. */
export function assistSessionData(
  { record, redirect }: { record: PaymentRecord; redirect: PaymentRedirect },
  request: { reference: string; hold: boolean; method?: string | undefined },
): AssistSessionData {
  return {
    session_id: request.reference,
    order_number: record.invoiceId,
    amount: formatMoney(record.amount),
    currency: record.amount.currency,
    is_test: record.isTest,
    hold: request.hold,
    state: record.state,
    redirect_url: redirect.url,
    form: { action: redirect.form.action, method: redirect.form.method, fields: [...redirect.form.fields] },
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
