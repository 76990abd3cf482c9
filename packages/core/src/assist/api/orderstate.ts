/**
 * `orderstate.cfm` (protocol notes §3.1): the state of every bill (payment attempt) of one order. A read: retried on
 * transient failures. Each `<order>` carries a checkvalue over `merchant_id + ordernumber + orderamount +
 * ordercurrency + orderstate`, verified here (ASSIST_CHECKVALUE_MISMATCH otherwise).
 */
import { z } from 'zod';
import type { AssistConfig } from '../config.js';
import { assistStateRank } from '../states.js';
import {
  type AssistOrderBase,
  dateSchema,
  orderBase,
  orderCoreSchema,
  orderNumberSchema,
  parseAssistInput,
  windowParams,
} from './common.js';
import type { AssistCallOptions } from './http.js';
import { assistBadResponse } from './http.js';
import { assistGatewayError, callAssist, listOf, validateAssistReply } from './xml.js';

export const ASSIST_ORDERSTATE_PATH = '/orderstate/orderstate.cfm';

const input = z
  .object({
    orderNumber: orderNumberSchema,
    /** Window start (GMT). Assist's default is now − 3 days: pass the order's creation time for older orders. */
    from: dateSchema.optional(),
    to: dateSchema.optional(),
  })
  .strict();
export type AssistOrderStateInput = z.input<typeof input>;

export type AssistOrderStatus = AssistOrderBase;

export interface AssistOrderStateResult {
  readonly orderNumber: string;
  /** Every bill Assist reports, in reply order. Empty when Assist found none in the window (10/201). */
  readonly orders: readonly AssistOrderStatus[];
  /** The bill that decides the order (`pickAssistOrder`), if any. */
  readonly best?: AssistOrderStatus | undefined;
}

/**
 * Several bills per order are normal (each failed attempt gets a new billnumber, §4.3). The one that decides is the
 * "best" final state: paid > held > cancelled > declined > pending; among equals, the later one in the reply.
 */
export function pickAssistOrder<T extends { readonly orderState: string }>(orders: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const o of orders) {
    if (best === undefined || assistStateRank(o.orderState) >= assistStateRank(best.orderState)) best = o;
  }
  return best;
}

const NOT_FOUND = { firstCode: 10, secondCode: 201 } as const;

export async function getOrderState(
  config: AssistConfig,
  request: AssistOrderStateInput,
  options: AssistCallOptions = {},
): Promise<AssistOrderStateResult> {
  const endpoint = 'orderstate';
  const { orderNumber, from, to } = parseAssistInput(endpoint, input, request);
  const reply = await callAssist(
    config,
    {
      endpoint,
      path: ASSIST_ORDERSTATE_PATH,
      params: [['Ordernumber', orderNumber], ...windowParams(from, to)],
      idempotent: true,
    },
    options,
  );
  const { header } = reply;
  if (header.firstCode === NOT_FOUND.firstCode && header.secondCode === NOT_FOUND.secondCode) {
    return { orderNumber, orders: [] };
  }
  if (header.firstCode !== 0) throw assistGatewayError(endpoint, header);
  const raw = listOf(reply.element, 'order');
  const orders = raw.map((element) => {
    const o = validateAssistReply(endpoint, orderCoreSchema, element, reply.text);
    if (o.ordernumber !== orderNumber) {
      throw assistBadResponse(endpoint, 'an <order> for another order number', { body: reply.text });
    }
    return orderBase(config, endpoint, o, reply.text);
  });
  return { orderNumber, orders, best: pickAssistOrder(orders) };
}
