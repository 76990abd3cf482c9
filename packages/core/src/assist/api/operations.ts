/**
 * The writes: `charge.cfm` (confirm a hold, §3.3), `cancel.cfm`/`wscancel.cfm` (void or refund, full or partial,
 * §3.4) and `rp.cfm` (a merchant-initiated recurring charge, §3.5).
 *
 * None is ever retried: a lost reply does not mean a lost request. Assist makes a repeated charge harmless (only one
 * charge succeeds), but a repeated partial refund or recurring charge would move money twice. After a timeout
 * (`outcomeKnown: false`) ask `getOrderState` before trying again.
 *
 * Success is `firstcode=0` **and** `responsecode=AS000` **and** the expected `orderstate` (MAGE-BY checks both codes;
 * the cancel docs name the states). Anything else with codes 0/0 is ASSIST_OPERATION_REJECTED.
 */
import { z } from 'zod';
import { KassaError } from '../../errors.js';
import { formatMoney, type Money } from '../../money.js';
import type { AssistConfig } from '../config.js';
import { assistEventKind, type GatewayEventKind } from '../states.js';
import { explainAssistResponseCode } from './codes.js';
import {
  assistMoneySchema,
  billNumberSchema,
  languageSchema,
  orderNumberSchema,
  parseAssistInput,
  replyMoney,
  text,
} from './common.js';
import type { AssistCallOptions } from './http.js';
import { assistBadResponse } from './http.js';
import { type AssistXmlReply, assistGatewayError, callAssist, listOf, validateAssistReply } from './xml.js';

export const ASSIST_CHARGE_PATH = '/charge/charge.cfm';
export const ASSIST_CANCEL_PATHS = { cancel: '/cancel/cancel.cfm', wscancel: '/cancel/wscancel.cfm' } as const;
export const ASSIST_RECURRING_PATH = '/recurrent/rp.cfm';

const operationReplySchema = z.object({
  ordernumber: text,
  billnumber: z.union([z.string(), z.number()]).transform((v) => String(v).trim()),
  responsecode: text,
  orderstate: z.string().trim().min(1),
  operationtype: text,
  amount: text,
  currency: text,
  orderamount: text,
  ordercurrency: text,
  message: text,
  customermessage: text,
  recommendation: text,
  approvalcode: text,
  packetdate: text,
  testmode: text,
  signature: text,
});

export interface AssistOperationResult {
  /** The bill as Assist reports it after the operation, usually extended (`5775486650107611.2`). */
  readonly billNumber: string;
  readonly orderNumber?: string | undefined;
  readonly orderState: string;
  readonly event: GatewayEventKind;
  readonly responseCode: string;
  readonly operationType?: number | undefined;
  /** The operation's amount (`amount`/`currency`), when readable. */
  readonly amount?: Money | undefined;
  readonly packetDate?: string | undefined;
  /** Every field as received, trimmed (the `signature` is left opaque, §2.2). */
  readonly fields: Readonly<Record<string, string | undefined>>;
}

/** The `<order>` of an operation reply: `<orders><order>` (RUBY fixtures), or `<order>` directly. */
function operationOrder(endpoint: string, reply: AssistXmlReply): z.output<typeof operationReplySchema> {
  const container = reply.element.orders;
  const orders =
    typeof container === 'object' && container !== null
      ? listOf(container as Record<string, unknown>, 'order')
      : listOf(reply.element, 'order');
  if (orders.length !== 1) {
    throw assistBadResponse(endpoint, `expected one <order>, got ${orders.length}`, { body: reply.text });
  }
  return validateAssistReply(endpoint, operationReplySchema, orders[0], reply.text);
}

function readOperation(
  endpoint: string,
  reply: AssistXmlReply,
  expectedStates: readonly string[],
  billNumber: string,
): AssistOperationResult {
  if (reply.header.firstCode !== 0) throw assistGatewayError(endpoint, reply.header);
  const o = operationOrder(endpoint, reply);
  const responseCode = (o.responsecode ?? '').toUpperCase();
  // The reply's bill is the one asked about, or one of its operations (`…611` → `…611.2`).
  const base = (b: string) => b.split('.')[0];
  if (base(o.billnumber) !== base(billNumber) && endpoint !== 'rp') {
    throw assistBadResponse(endpoint, 'the reply is about another bill', { body: reply.text });
  }
  if (responseCode !== 'AS000' || !expectedStates.includes(o.orderstate)) {
    const meaning = explainAssistResponseCode(responseCode);
    throw new KassaError(
      'ASSIST_OPERATION_REJECTED',
      `Assist ${endpoint} did not succeed: responsecode ${responseCode || '(none)'}${meaning ? ` (${meaning.en})` : ''}, orderstate ${o.orderstate}`,
      {
        details: {
          endpoint,
          billNumber,
          responseCode: responseCode || undefined,
          orderState: o.orderstate,
          explanation: meaning,
          message: o.message || undefined,
        },
      },
    );
  }
  return {
    billNumber: o.billnumber,
    orderNumber: o.ordernumber || undefined,
    orderState: o.orderstate,
    event: assistEventKind(o.orderstate),
    responseCode,
    operationType: o.operationtype && /^\d+$/.test(o.operationtype) ? Number(o.operationtype) : undefined,
    amount: replyMoney(o.amount, o.currency),
    packetDate: o.packetdate || undefined,
    fields: o,
  };
}

function amountParams(amount: Money | undefined): Array<[string, string]> {
  // Amount and Currency travel together or not at all (§3.3, §3.4).
  return amount
    ? [
        ['Amount', formatMoney(amount)],
        ['Currency', amount.currency],
      ]
    : [];
}

const chargeInput = z
  .object({
    billNumber: billNumberSchema,
    /** Less than the held amount is a partial charge (only some processings allow it, §3.3). Omit for the full amount. */
    amount: assistMoneySchema.optional(),
    clientIp: z.ipv4().optional(),
    language: languageSchema.optional(),
  })
  .strict();
export type AssistChargeInput = z.input<typeof chargeInput>;

/** Confirms a hold (`Delay=1` payment): `Approved`, or `PartialDelayed` after a partial charge. */
export async function chargeAssistHold(
  config: AssistConfig,
  request: AssistChargeInput,
  options: AssistCallOptions = {},
): Promise<AssistOperationResult> {
  const endpoint = 'charge';
  const p = parseAssistInput(endpoint, chargeInput, request);
  const params: Array<[string, string]> = [['Billnumber', p.billNumber], ...amountParams(p.amount)];
  if (p.clientIp) params.push(['ClientIP', p.clientIp]);
  if (p.language) params.push(['Language', p.language]);
  const reply = await callAssist(config, { endpoint, path: ASSIST_CHARGE_PATH, params, idempotent: false }, options);
  return readOperation(endpoint, reply, ['Approved', 'PartialDelayed'], p.billNumber);
}

/** `CancelReason` (§3.4): 1 by the shop, 2 by the customer (Assist's default), 3 fraud. */
export const ASSIST_CANCEL_REASONS = { shop: 1, customer: 2, fraud: 3 } as const;
export type AssistCancelReason = keyof typeof ASSIST_CANCEL_REASONS;

const cancelInput = z
  .object({
    billNumber: billNumberSchema,
    /** Omit to cancel the whole amount; less is a partial refund. Assist picks void or refund itself. */
    amount: assistMoneySchema.optional(),
    reason: z.enum(['shop', 'customer', 'fraud']).optional(),
    /**
     * A refund id unique within the order, 10–100 of `[A-Za-z0-9_-]`. Documented for JSON/SOAP only; sent as a form
     * field here and possibly ignored by Assist — do not rely on it for idempotency (docs/assist.md).
     */
    externalRefundId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{10,100}$/, '10–100 characters of A-Z a-z 0-9 _ -')
      .optional(),
    clientIp: z.ipv4().optional(),
    language: languageSchema.optional(),
  })
  .strict();
export type AssistCancelInput = z.input<typeof cancelInput>;

/** Voids a hold or refunds a payment, fully or partly: `Canceled` or `PartialCanceled`. */
export async function cancelAssistPayment(
  config: AssistConfig,
  request: AssistCancelInput,
  options: AssistCallOptions = {},
): Promise<AssistOperationResult> {
  const endpoint = 'cancel';
  const p = parseAssistInput(endpoint, cancelInput, request);
  const params: Array<[string, string]> = [['Billnumber', p.billNumber], ...amountParams(p.amount)];
  if (p.reason) params.push(['CancelReason', String(ASSIST_CANCEL_REASONS[p.reason])]);
  if (p.externalRefundId) params.push(['Externalrefundid', p.externalRefundId]);
  if (p.clientIp) params.push(['ClientIP', p.clientIp]);
  if (p.language) params.push(['Language', p.language]);
  const path = ASSIST_CANCEL_PATHS[config.cancelEndpoint];
  const reply = await callAssist(config, { endpoint, path, params, idempotent: false }, options);
  return readOperation(endpoint, reply, ['Canceled', 'PartialCanceled'], p.billNumber);
}

const recurringInput = z
  .object({
    /** The billnumber of the initial payment that set up the subscription. */
    billNumber: billNumberSchema,
    /** A new order number for this charge. */
    orderNumber: orderNumberSchema,
    /** Within the RecurringMin/MaxAmount of the initial payment, in its currency. */
    amount: assistMoneySchema,
    comment: z.string().max(4000).optional(),
    language: languageSchema.optional(),
  })
  .strict();
export type AssistRecurringInput = z.input<typeof recurringInput>;

/** A merchant-initiated charge on a subscription: `Approved`; a decline is ASSIST_OPERATION_REJECTED. */
export async function chargeAssistRecurring(
  config: AssistConfig,
  request: AssistRecurringInput,
  options: AssistCallOptions = {},
): Promise<AssistOperationResult> {
  const endpoint = 'rp';
  const p = parseAssistInput(endpoint, recurringInput, request);
  const params: Array<[string, string]> = [
    ['BillNumber', p.billNumber],
    ['OrderNumber', p.orderNumber],
    ...amountParams(p.amount),
  ];
  if (p.comment) params.push(['OrderComment', p.comment]);
  if (p.language) params.push(['Language', p.language]);
  const reply = await callAssist(config, { endpoint, path: ASSIST_RECURRING_PATH, params, idempotent: false }, options);
  const result = readOperation(endpoint, reply, ['Approved'], p.billNumber);
  if (result.orderNumber !== undefined && result.orderNumber !== p.orderNumber) {
    throw assistBadResponse(endpoint, 'the reply is about another order number', { body: reply.text });
  }
  return result;
}
