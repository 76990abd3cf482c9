import type { InvoiceKey, PaymentRecord } from '@kassa/core';
import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { ContainerRegistrationKeys } from '@medusajs/framework/utils';
import { z } from 'zod';
import type { QueryLike } from './cart-query';
import { robokassaModule } from './scope';

/**
 * What the admin routes of both gateways need from a request: this Medusa's public URL (for the URLs to paste into a
 * gateway's cabinet) and an order's payments of one gateway's providers (for the order widget).
 */

/** The public URL of this Medusa as the admin sees it (or `backendUrl` from the options). */
export function backendUrl(req: MedusaRequest, configured: string | undefined): string {
  if (configured) return configured;
  const proto = (req.headers['x-forwarded-proto'] as string | undefined)?.split(',')[0]?.trim() ?? req.protocol;
  const host = (req.headers['x-forwarded-host'] as string | undefined)?.split(',')[0]?.trim() ?? req.get('host');
  return `${proto}://${host}`;
}

const paymentSchema = z
  .object({
    id: z.string(),
    provider_id: z.string(),
    captured_at: z.unknown().nullish(),
    canceled_at: z.unknown().nullish(),
    data: z.record(z.string(), z.unknown()).nullish(),
  })
  .loose();

const orderSchema = z
  .object({
    id: z.string(),
    payment_collections: z.array(z.object({ payments: z.array(paymentSchema).nullish() }).loose()).nullish(),
  })
  .loose();

export type OrderPayment = z.output<typeof paymentSchema>;

/** The order's payments made by providers whose id starts with `providerPrefix` (`pp_assist`), or undefined. */
export async function orderPayments(
  req: MedusaRequest,
  orderId: string | undefined,
  providerPrefix: string,
): Promise<{ orderId: string; payments: OrderPayment[] } | undefined> {
  const query = req.scope.resolve<QueryLike>(ContainerRegistrationKeys.QUERY);
  const { data } = await query.graph({
    entity: 'order',
    fields: [
      'id',
      'payment_collections.payments.id',
      'payment_collections.payments.provider_id',
      'payment_collections.payments.captured_at',
      'payment_collections.payments.canceled_at',
      'payment_collections.payments.data',
    ],
    filters: { id: orderId },
  });
  const order = orderSchema.safeParse(data[0]);
  if (!order.success) return undefined;
  const payments = (order.data.payment_collections ?? [])
    .flatMap((c) => c.payments ?? [])
    .filter((p) => p.provider_id.startsWith(providerPrefix));
  return { orderId: order.data.id, payments };
}

/** How one gateway's payments read: which providers are its, its invoice in a payment's data, its ledger view. */
export interface OrderWidgetGateway<View> {
  /** Provider ids of the gateway start with it (`pp_robokassa`, `pp_assist`). */
  providerPrefix: string;
  /** The ledger key of the invoice in a payment's data; undefined for a payment without one. */
  invoiceOf(data: unknown): InvoiceKey | undefined;
  view(record: PaymentRecord): View;
}

/**
 * `GET /admin/<gateway>/orders/:order_id`, the order widget's data: the order's payments of one gateway's providers
 * next to what the ledger knows of each one's invoice (under the gateway's name: `robokassa`, `assist`; null when
 * the ledger has none), or 404 for an unknown order.
 */
export async function sendOrderPayments<View>(
  req: MedusaRequest,
  res: MedusaResponse,
  name: string,
  gateway: OrderWidgetGateway<View>,
): Promise<void> {
  const order = await orderPayments(req, req.params.order_id, gateway.providerPrefix);
  if (!order) {
    res.status(404).json({ type: 'not_found', message: 'Order not found' });
    return;
  }
  const ledger = robokassaModule(req.scope).ledger;
  const payments = [];
  for (const payment of order.payments) {
    const key = gateway.invoiceOf(payment.data);
    const record = key ? await ledger.find(key) : undefined;
    payments.push({
      payment_id: payment.id,
      provider_id: payment.provider_id,
      captured: Boolean(payment.captured_at),
      canceled: Boolean(payment.canceled_at),
      [name]: record ? gateway.view(record) : null,
    });
  }
  res.json({ order_id: order.orderId, payments });
}
