import {
  formatMoney,
  type GatewayId,
  KassaError,
  type Money,
  moneyEquals,
  type PaymentRecord,
  type SettleVerdict,
} from '@kassa/core';
import type { MedusaContainer } from '@medusajs/framework/types';
import { ContainerRegistrationKeys, PaymentActions } from '@medusajs/framework/utils';
import { processPaymentWorkflow } from '@medusajs/medusa/core-flows';
import { z } from 'zod';
import { withCartLock } from './cart-lock';
import type { QueryLike } from './cart-query';
import { moneyFromMedusa } from './money';
import { robokassaModule } from './scope';
import { CART_ID, SETTLED_BY } from './settled-by';

export { SETTLED_BY };

/**
 * Makes Medusa reflect a settled invoice: the cart is completed into an order and the payment is authorized (hold)
 * or captured. This is core's settle step (`onSettled`) for every path that learns of a payment: ResultURL before it
 * answers `OK{InvId}`, ResultUrl2, SuccessURL, the admin's refresh and the reconcile job.
 *
 * A shop must take money on every invoice it ever issued (a payment page cannot be withdrawn), so the step also
 * decides what a payment on a superseded invoice is (issue #11 §1):
 * - the cart already has an order paid through another invoice (two tabs), or the cart changed so the amount no
 *   longer matches → `'surplus'`: core flags it once and refunds it (or lists it for the merchant);
 * - the cart is still open and the amount matches → the cart's current Robokassa session is pointed at this invoice
 *   (its own, still unpaid invoice is cancelled with `settledBy`, which the provider follows) and the order is made.
 *
 * Idempotent and cheap when already done (a few Queries), because gateways retry and duplicate callbacks; the work
 * itself is Medusa's own `processPaymentWorkflow`. Medusa's cart lock is only as wide as the shop's locking provider
 * (in-memory by default: one process), so the step also holds a PostgreSQL advisory lock on the cart (lib/cart-lock.ts):
 * however many instances take the callbacks, a cart never gets a second order.
 */

/** Where each gateway's provider keeps the ledger's invoice id in `payment_session.data` / `payment.data`. */
const INVOICE_FIELD: Record<GatewayId, string> = { robokassa: 'inv_id', assist: 'order_number' };

function invoiceOf(gateway: GatewayId, data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const value = (data as Record<string, unknown>)[INVOICE_FIELD[gateway]];
  return typeof value === 'number' || typeof value === 'string' ? String(value) : undefined;
}

const sessionSchema = z
  .object({
    id: z.string(),
    deleted_at: z.unknown().nullish(),
    payment: z.object({ id: z.string(), captured_at: z.unknown().nullish() }).loose().nullish(),
    payment_collection: z
      .object({ cart: z.object({ id: z.string() }).loose().nullish() })
      .loose()
      .nullish(),
  })
  .loose();

const cartSchema = z
  .object({
    id: z.string(),
    payment_collection: z
      .object({
        id: z.string(),
        amount: z.unknown(),
        currency_code: z.string(),
        payment_sessions: z
          .array(z.object({ id: z.string(), provider_id: z.string(), status: z.string(), data: z.unknown() }).loose())
          .nullish(),
        payments: z
          .array(
            z
              .object({
                id: z.string(),
                data: z.unknown(),
                captured_at: z.unknown().nullish(),
                canceled_at: z.unknown().nullish(),
              })
              .loose(),
          )
          .nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();

const orderLinks = z.array(z.object({ order_id: z.string() }).loose());

export interface MedusaPaymentState {
  sessionId: string;
  cartId?: string | undefined;
  /** The cart's order (the first, should a cart ever have two: reading never fails on it). */
  orderId?: string | undefined;
  orderIds: string[];
  paymentId?: string | undefined;
  captured: boolean;
}

/** The orders of a cart through the order↔cart link (a list: a cart with two orders must not break anything). */
async function ordersOf(query: QueryLike, cartId: string): Promise<string[]> {
  const { data } = await query.graph({ entity: 'order_cart', fields: ['order_id'], filters: { cart_id: cartId } });
  return [...new Set(orderLinks.parse(data).map((l) => l.order_id))];
}

/** Query with `withDeleted` (a superseded session is soft-deleted, its invoice may still be paid). */
type QueryWithDeleted = {
  graph(config: Parameters<QueryLike['graph']>[0] & { withDeleted?: boolean }): Promise<{ data: unknown[] }>;
};

export async function readMedusaState(query: QueryLike, sessionId: string): Promise<MedusaPaymentState | undefined> {
  const { data } = await (query as QueryWithDeleted).graph({
    entity: 'payment_session',
    fields: ['id', 'deleted_at', 'payment.id', 'payment.captured_at', 'payment_collection.cart.id'],
    filters: { id: sessionId },
    withDeleted: true,
  });
  if (data.length === 0) return undefined;
  const s = sessionSchema.parse(data[0]);
  const cartId = s.payment_collection?.cart?.id;
  const orderIds = cartId ? await ordersOf(query, cartId) : [];
  return {
    sessionId: s.id,
    cartId,
    orderId: orderIds[0],
    orderIds,
    paymentId: s.payment?.id,
    captured: Boolean(s.payment?.captured_at),
  };
}

/** The invoice's cart: through its payment session, else as remembered at issue (a superseded session is gone). */
async function cartOf(query: QueryLike, record: PaymentRecord): Promise<string | undefined> {
  const session = await readMedusaState(query, record.reference);
  return session?.cartId ?? record.details[CART_ID];
}

/** Cart and orders of an invoice, also when its payment session was superseded and deleted (the buyer's return). */
export async function readInvoiceState(
  query: QueryLike,
  record: PaymentRecord,
): Promise<{ cartId?: string | undefined; orderId?: string | undefined }> {
  const cartId = await cartOf(query, record);
  if (!cartId) return {};
  return { cartId, orderId: (await ordersOf(query, cartId))[0] };
}

interface CartView {
  id: string;
  orderIds: string[];
  amount?: Money | undefined;
  sessions: Array<{ id: string; providerId: string; status: string; invoiceId?: string | undefined }>;
  /** Medusa payments of this invoice (by the invoice id in their data). */
  mine?: { id: string; captured: boolean } | undefined;
  /** Some other invoice's payment, not cancelled: the cart is paid (or being paid) through it. */
  other: boolean;
}

async function readCart(query: QueryLike, cartId: string, record: PaymentRecord): Promise<CartView> {
  const { data } = await query.graph({
    entity: 'cart',
    fields: [
      'id',
      'payment_collection.id',
      'payment_collection.amount',
      'payment_collection.currency_code',
      'payment_collection.payment_sessions.id',
      'payment_collection.payment_sessions.provider_id',
      'payment_collection.payment_sessions.status',
      'payment_collection.payment_sessions.data',
      'payment_collection.payments.id',
      'payment_collection.payments.data',
      'payment_collection.payments.captured_at',
      'payment_collection.payments.canceled_at',
    ],
    filters: { id: cartId },
  });
  const cart = cartSchema.parse(data[0] ?? { id: cartId });
  const collection = cart.payment_collection;
  const payments = (collection?.payments ?? []).filter((p) => !p.canceled_at);
  const mine = payments.find((p) => invoiceOf(record.gateway, p.data) === record.invoiceId);
  let amount: Money | undefined;
  try {
    amount = collection ? moneyFromMedusa(collection.amount as never, collection.currency_code) : undefined;
  } catch {
    amount = undefined;
  }
  return {
    id: cart.id,
    orderIds: await ordersOf(query, cart.id),
    amount,
    sessions: (collection?.payment_sessions ?? []).map((s) => ({
      id: s.id,
      providerId: s.provider_id,
      status: s.status,
      invoiceId: invoiceOf(record.gateway, s.data),
    })),
    mine: mine && { id: mine.id, captured: Boolean(mine.captured_at) },
    other: payments.some((p) => p !== mine),
  };
}

function isDone(record: PaymentRecord, cart: CartView): boolean {
  if (cart.orderIds.length === 0 || !cart.mine) return false;
  return record.state === 'held' || cart.mine.captured;
}

/**
 * One settlement per invoice at a time in this process: copies of a callback join the running one instead of queueing
 * on the cart's database lock (which keeps other processes out, see `settle`).
 */
const inFlight = new Map<string, Promise<SettleVerdict>>();

/**
 * `settleInMedusa` as core's settle step: an invoice already settled in this state (the ledger record says so) costs
 * nothing more, so gateway retries and duplicates are answered quickly and never reach Medusa's workflows.
 */
export async function ensureSettledInMedusa(container: MedusaContainer, record: PaymentRecord): Promise<SettleVerdict> {
  if (record.settledState === record.state || record.surplus === true) return 'settled';
  return settleInMedusa(container, record);
}

/** `ensureSettledInMedusa` bound to a request scope or the app container, as core's `onSettled`. */
export function settleStep(container: MedusaContainer): (record: PaymentRecord) => Promise<SettleVerdict> {
  return (record) => ensureSettledInMedusa(container, record);
}

export async function settleInMedusa(container: MedusaContainer, record: PaymentRecord): Promise<SettleVerdict> {
  const key = `${record.gateway}:${record.invoiceId}`;
  const running = inFlight.get(key);
  if (running) return running;
  const work = settle(container, record).finally(() => inFlight.delete(key));
  inFlight.set(key, work);
  return work;
}

async function settle(container: MedusaContainer, record: PaymentRecord): Promise<SettleVerdict> {
  if (record.state !== 'paid' && record.state !== 'held') {
    throw new KassaError('INVALID_TRANSITION', 'Only paid or held invoices are settled in Medusa', {
      details: { invoiceId: record.invoiceId, state: record.state },
    });
  }
  const query = container.resolve<QueryLike>(ContainerRegistrationKeys.QUERY);
  const cartId = await cartOf(query, record);
  if (!cartId) {
    throw new KassaError('UNKNOWN_INVOICE', 'The payment session of this invoice no longer exists in Medusa', {
      details: { invoiceId: record.invoiceId },
    });
  }
  // Across processes, one settlement of a cart at a time (lib/cart-lock.ts): an instance that waited here re-reads
  // the cart below and finds the order the other one made, whatever Medusa's locking provider is.
  const plugin = robokassaModule(container);
  return withCartLock(plugin.sql, cartId, () => settleCart(container, query, cartId, record));
}

/** The Medusa side of one settlement, under the cart's lock: from reading the cart to `markSettled`. */
async function settleCart(
  container: MedusaContainer,
  query: QueryLike,
  cartId: string,
  record: PaymentRecord,
): Promise<SettleVerdict> {
  const ledger = robokassaModule(container).ledger;
  const key = { gateway: record.gateway, invoiceId: record.invoiceId };
  const before = await readCart(query, cartId, record);
  if (isDone(record, before)) {
    await ledger.markSettled(key, record.state);
    return 'settled';
  }
  // The cart is paid through another invoice (two tabs), or a payment of the cart's amount no longer fits it (the
  // cart changed since this invoice was issued): money the shop cannot use.
  if (!before.mine && before.orderIds.length > 0) return 'surplus';
  if (!before.mine && (before.amount === undefined || !moneyEquals(before.amount, record.amount))) return 'surplus';

  let target = before.sessions.find((s) => s.id === record.reference && s.invoiceId === record.invoiceId)?.id;
  if (target === undefined && before.mine === undefined) {
    if (before.other) {
      // Another invoice's payment is being settled right now: answer non-OK, the retry sees the outcome.
      throw new KassaError('LEDGER_CONFLICT', 'The cart is being paid through another invoice', {
        details: { invoiceId: record.invoiceId, cart: before.id },
      });
    }
    target = await adoptSession(container, record, before);
    if (target === undefined) return 'surplus';
  }
  const sessionId = target ?? record.reference;

  await processPaymentWorkflow(container).run({
    input: {
      action: record.state === 'paid' ? PaymentActions.SUCCESSFUL : PaymentActions.AUTHORIZED,
      data: { session_id: sessionId, amount: formatMoney(record.amount) },
    },
  });

  // Cart completion runs with continueOnPermanentFailure inside the workflow: check that it really happened, so a
  // failure becomes a non-OK answer (the gateway retries) instead of a silently lost order.
  const after = await readCart(query, cartId, record);
  if (!isDone(record, after)) {
    if (!after.mine && after.orderIds.length > 0) return 'surplus';
    throw new KassaError('LEDGER_CONFLICT', 'Medusa did not complete the order for this invoice', {
      details: { invoiceId: record.invoiceId, cart: after.id, orders: after.orderIds.length, payment: after.mine?.id },
    });
  }
  await ledger.markSettled(key, record.state);
  return 'settled';
}

/**
 * A paid invoice whose own session was superseded, on a cart that is still open with the same amount: the cart's
 * current session of the same gateway takes it over. Its own invoice (not paid) is cancelled with `settledBy`, which
 * the provider follows when Medusa authorizes that session (both gateways' providers share that, lib/ledger-provider.ts);
 * a payment still arriving on it later is then a surplus.
 */
async function adoptSession(
  container: MedusaContainer,
  record: PaymentRecord,
  cart: CartView,
): Promise<string | undefined> {
  const current = cart.sessions.find(
    (s) => s.providerId.startsWith(`pp_${record.gateway}`) && s.invoiceId !== undefined && s.status !== 'canceled',
  );
  if (!current?.invoiceId) return undefined;
  if (current.invoiceId === record.invoiceId) return current.id;
  const ledger = robokassaModule(container).ledger;
  const moved = await ledger.transition({
    gateway: record.gateway,
    invoiceId: current.invoiceId,
    from: ['pending'],
    to: 'cancelled',
    source: 'reissue',
    patch: { details: { [SETTLED_BY]: record.invoiceId } },
  });
  // Taken over by this invoice now or on an earlier try; anything else (paid itself, held, taken over by yet another
  // invoice) means the session is not ours to use.
  return moved.record?.details[SETTLED_BY] === record.invoiceId ? current.id : undefined;
}
