/**
 * Assist order states (protocol notes §4.1) and their gateway-neutral meaning, plus the operation types (§4.2).
 */

/** `orderstate` values as Assist writes them (note the space in `In Process`). */
export const ASSIST_ORDER_STATES = [
  'In Process',
  'Delayed',
  'Approved',
  'PartialApproved',
  'PartialDelayed',
  'Canceled',
  'PartialCanceled',
  'Declined',
  'Timeout',
] as const;
export type AssistOrderState = (typeof ASSIST_ORDER_STATES)[number];

/** What a platform needs to know about a payment, whatever the gateway. */
export type GatewayEventKind = 'paid' | 'held' | 'declined' | 'cancelled' | 'pending';

/**
 * Assist state → event kind. Reasons for the less obvious rows:
 * - `PartialApproved` ("paid for part of the amount", marked «not used» by Assist) is money taken: `paid`; the
 *   amount check against the shop's record decides whether that is enough.
 * - `PartialDelayed` is a hold confirmed for part of its amount: the money is taken, so `paid` (the amount differs).
 * - `PartialCanceled` is a partial refund of a paid order: still `paid` for the remainder.
 * - `Timeout` is a closed attempt without payment, like a decline.
 */
export const ASSIST_ORDER_STATE_EVENTS: Readonly<Record<AssistOrderState, GatewayEventKind>> = {
  'In Process': 'pending',
  Delayed: 'held',
  Approved: 'paid',
  PartialApproved: 'paid',
  PartialDelayed: 'paid',
  Canceled: 'cancelled',
  PartialCanceled: 'paid',
  Declined: 'declined',
  Timeout: 'declined',
};

export function isAssistOrderState(value: unknown): value is AssistOrderState {
  return typeof value === 'string' && (ASSIST_ORDER_STATES as readonly string[]).includes(value);
}

/** The event kind of a state as received (trimmed; case as Assist writes it). Unknown states are `pending`. */
export function assistEventKind(orderstate: string): GatewayEventKind {
  const state = orderstate.trim();
  return isAssistOrderState(state) ? ASSIST_ORDER_STATE_EVENTS[state] : 'pending';
}

/** `operationtype` (§4.2). */
export const ASSIST_OPERATION_TYPES = {
  100: 'payment',
  200: 'charge',
  300: 'cancel',
  500: 'accrual',
} as const;

/**
 * How "final" and "good" a state is, to choose among several bills of one order (§3.1, §10.7): money taken beats a
 * hold, which beats a cancellation, which beats a failure, which beats an attempt still running.
 */
const RANK: Readonly<Record<GatewayEventKind, number>> = { paid: 5, held: 4, cancelled: 3, declined: 2, pending: 1 };

export function assistStateRank(orderstate: string): number {
  return RANK[assistEventKind(orderstate)];
}
