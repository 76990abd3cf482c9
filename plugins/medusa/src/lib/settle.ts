import { formatMoney, KassaError, type PaymentRecord } from '@kassa/core';
import type { MedusaContainer } from '@medusajs/framework/types';
import { ContainerRegistrationKeys, PaymentActions } from '@medusajs/framework/utils';
import { processPaymentWorkflow } from '@medusajs/medusa/core-flows';
import { z } from 'zod';
import type { QueryLike } from './cart-query';
import { robokassaModule } from './scope';

/**
 * Makes Medusa reflect a settled invoice: the cart is completed into an order and the payment is authorized (hold)
 * or captured. This is core's settle step (`onSettled`) for every path that learns of a payment: ResultURL before it
 * answers `OK{InvId}`, ResultUrl2, SuccessURL, the admin's refresh and the reconcile job.
 *
 * Idempotent and cheap when already done (one Query), because Robokassa retries and duplicates callbacks; the work
 * itself is Medusa's own `processPaymentWorkflow`, which locks the cart and completes it at most once.
 */

const stateSchema = z
  .object({
    id: z.string(),
    payment: z.object({ id: z.string(), captured_at: z.unknown().nullish() }).loose().nullish(),
    payment_collection: z
      .object({
        cart: z
          .object({
            id: z.string(),
            order: z.object({ id: z.string() }).loose().nullish(),
          })
          .loose()
          .nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();

export interface MedusaPaymentState {
  sessionId: string;
  cartId?: string | undefined;
  orderId?: string | undefined;
  paymentId?: string | undefined;
  captured: boolean;
}

export async function readMedusaState(query: QueryLike, sessionId: string): Promise<MedusaPaymentState | undefined> {
  const { data } = await query.graph({
    entity: 'payment_session',
    fields: [
      'id',
      'payment.id',
      'payment.captured_at',
      'payment_collection.cart.id',
      'payment_collection.cart.order.id',
    ],
    filters: { id: sessionId },
  });
  if (data.length === 0) return undefined;
  const s = stateSchema.parse(data[0]);
  return {
    sessionId: s.id,
    cartId: s.payment_collection?.cart?.id,
    orderId: s.payment_collection?.cart?.order?.id,
    paymentId: s.payment?.id,
    captured: Boolean(s.payment?.captured_at),
  };
}

function isDone(record: PaymentRecord, state: MedusaPaymentState): boolean {
  const hasOrder = state.cartId === undefined || state.orderId !== undefined;
  if (!hasOrder || !state.paymentId) return false;
  return record.state === 'held' || state.captured;
}

/** One settlement per payment session at a time in this process; other processes rely on Medusa's cart lock. */
const inFlight = new Map<string, Promise<MedusaPaymentState>>();

/**
 * `settleInMedusa` as core's settle step: an invoice already settled in this state (the ledger record says so) costs
 * nothing more, so Robokassa's retries and duplicates are answered quickly and never reach Medusa's workflows.
 */
export async function ensureSettledInMedusa(container: MedusaContainer, record: PaymentRecord): Promise<void> {
  if (record.settledState === record.state) return;
  await settleInMedusa(container, record);
}

/** `ensureSettledInMedusa` bound to a request scope or the app container, as core's `onSettled`. */
export function settleStep(container: MedusaContainer): (record: PaymentRecord) => Promise<void> {
  return (record) => ensureSettledInMedusa(container, record);
}

export async function settleInMedusa(container: MedusaContainer, record: PaymentRecord): Promise<MedusaPaymentState> {
  const key = record.reference;
  const running = inFlight.get(key);
  if (running) return running;
  const work = settle(container, record).finally(() => inFlight.delete(key));
  inFlight.set(key, work);
  return work;
}

async function settle(container: MedusaContainer, record: PaymentRecord): Promise<MedusaPaymentState> {
  if (record.state !== 'paid' && record.state !== 'held') {
    throw new KassaError('INVALID_TRANSITION', 'Only paid or held invoices are settled in Medusa', {
      details: { invoiceId: record.invoiceId, state: record.state },
    });
  }
  const query = container.resolve<QueryLike>(ContainerRegistrationKeys.QUERY);
  const before = await readMedusaState(query, record.reference);
  if (!before) {
    throw new KassaError('UNKNOWN_INVOICE', 'The payment session of this invoice no longer exists in Medusa', {
      details: { invoiceId: record.invoiceId },
    });
  }
  const ledger = robokassaModule(container).ledger;
  if (isDone(record, before)) {
    await ledger.markSettled({ gateway: record.gateway, invoiceId: record.invoiceId }, record.state);
    return before;
  }

  await processPaymentWorkflow(container).run({
    input: {
      action: record.state === 'paid' ? PaymentActions.SUCCESSFUL : PaymentActions.AUTHORIZED,
      data: { session_id: record.reference, amount: formatMoney(record.amount) },
    },
  });

  // Cart completion runs with continueOnPermanentFailure inside the workflow: check that it really happened, so a
  // failure becomes a non-OK answer (Robokassa retries) instead of a silently lost order.
  const after = await readMedusaState(query, record.reference);
  if (!after || !isDone(record, after)) {
    throw new KassaError('LEDGER_CONFLICT', 'Medusa did not complete the order for this invoice', {
      details: { invoiceId: record.invoiceId, cart: after?.cartId, order: after?.orderId, payment: after?.paymentId },
    });
  }
  await ledger.markSettled({ gateway: record.gateway, invoiceId: record.invoiceId }, record.state);
  return after;
}
