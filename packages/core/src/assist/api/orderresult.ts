/**
 * `orderresult.cfm` (protocol notes §3.2): an order with its operations (payment, charge, cancel…). A read: retried on
 * transient failures. The order block carries the same checkvalue as orderstate, verified here.
 *
 * The XML layout is inferred: the docs list the fields, the official SDK reads JSON `orderresult.orders[]`. We read
 * `<result><order>…<operation>…</operation></order></result>` and also accept `<result><orders><order>`.
 */
import { z } from 'zod';
import type { Money } from '../../money.js';
import type { AssistConfig } from '../config.js';
import {
  type AssistOrderBase,
  billNumberSchema,
  dateSchema,
  languageSchema,
  orderBase,
  orderCoreSchema,
  orderNumberSchema,
  parseAssistInput,
  replyMoney,
  text,
  windowParams,
} from './common.js';
import type { AssistCallOptions } from './http.js';
import { assistBadResponse } from './http.js';
import { pickAssistOrder } from './orderstate.js';
import { assistGatewayError, callAssist, listOf, validateAssistReply } from './xml.js';

export const ASSIST_ORDERRESULT_PATH = '/orderresult/orderresult.cfm';

const input = z
  .object({
    orderNumber: orderNumberSchema.optional(),
    billNumber: billNumberSchema.optional(),
    from: dateSchema.optional(),
    to: dateSchema.optional(),
    language: languageSchema.optional(),
  })
  .strict()
  .refine((v) => v.orderNumber !== undefined || v.billNumber !== undefined, 'orderNumber or billNumber is required');
export type AssistOrderResultInput = z.input<typeof input>;

const operationSchema = z.object({
  billnumber: text,
  operationtype: text,
  operationstate: text,
  amount: text,
  currency: text,
  responsecode: text,
  message: text,
  customermessage: text,
  recommendation: text,
  approvalcode: text,
  meantype_id: text,
  meantypename: text,
  meansubtype: text,
  meannumber: text,
  cardholder: text,
  cardexpirationdate: text,
  issuebank: text,
  bankcountry: text,
  ipaddress: text,
  protocoltypename: text,
  processingname: text,
  operationdate: text,
  slipno: text,
});

const orderSchema = orderCoreSchema.extend({
  testmode: text,
  ordercomment: text,
  rate: text,
  orderdate: text,
  firstname: text,
  lastname: text,
  middlename: text,
  email: text,
  errorcategory: text,
  merchantadvicecode: text,
});

export interface AssistOperation {
  /** Extended bill number `NNNN.k`. */
  readonly billNumber?: string | undefined;
  /** 100 payment, 200 charge, 300 cancel, 500 accrual (§4.2); undefined if not numeric. */
  readonly operationType?: number | undefined;
  readonly operationState?: string | undefined;
  readonly amount?: Money | undefined;
  /** Every field as received (trimmed; empty elements as `''`). */
  readonly fields: Readonly<Record<string, string | undefined>>;
}

export interface AssistOrderDetails extends AssistOrderBase {
  readonly testMode?: boolean | undefined;
  readonly operations: readonly AssistOperation[];
  readonly fields: Readonly<Record<string, string | undefined>>;
}

export interface AssistOrderResult {
  readonly orders: readonly AssistOrderDetails[];
  readonly best?: AssistOrderDetails | undefined;
}

export async function getOrderResult(
  config: AssistConfig,
  request: AssistOrderResultInput,
  options: AssistCallOptions = {},
): Promise<AssistOrderResult> {
  const endpoint = 'orderresult';
  const p = parseAssistInput(endpoint, input, request);
  const params: Array<[string, string]> = [];
  if (p.orderNumber !== undefined) params.push(['Ordernumber', p.orderNumber]);
  if (p.billNumber !== undefined) params.push(['Billnumber', p.billNumber]);
  params.push(...windowParams(p.from, p.to));
  if (p.language) params.push(['Language', p.language]);
  const reply = await callAssist(
    config,
    { endpoint, path: ASSIST_ORDERRESULT_PATH, params, idempotent: true },
    options,
  );
  const { header } = reply;
  if (header.firstCode === 10 && header.secondCode === 201) return { orders: [] };
  if (header.firstCode !== 0) throw assistGatewayError(endpoint, header);
  const container = reply.element.orders;
  const raw =
    typeof container === 'object' && container !== null
      ? listOf(container as Record<string, unknown>, 'order')
      : listOf(reply.element, 'order');
  const orders = raw.map((element): AssistOrderDetails => {
    const o = validateAssistReply(endpoint, orderSchema, element, reply.text);
    if (p.orderNumber !== undefined && o.ordernumber !== p.orderNumber) {
      throw assistBadResponse(endpoint, 'an <order> for another order number', { body: reply.text });
    }
    const base = orderBase(config, endpoint, o, reply.text);
    const operations = listOf(element as Record<string, unknown>, 'operation').map((op): AssistOperation => {
      const f = validateAssistReply(endpoint, operationSchema, op, reply.text);
      const type = f.operationtype && /^\d+$/.test(f.operationtype) ? Number(f.operationtype) : undefined;
      return {
        billNumber: f.billnumber || undefined,
        operationType: type,
        operationState: f.operationstate || undefined,
        amount: replyMoney(f.amount, f.currency),
        fields: f,
      };
    });
    const { ordernumber: _n, billnumber: _b, checkvalue: _c, signature: _s, ...rest } = o;
    return {
      ...base,
      testMode: o.testmode === undefined || o.testmode === '' ? undefined : o.testmode === '1',
      operations,
      fields: rest,
    };
  });
  return { orders, best: pickAssistOrder(orders) };
}
