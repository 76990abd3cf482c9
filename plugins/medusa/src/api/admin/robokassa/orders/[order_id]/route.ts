import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { ContainerRegistrationKeys } from '@medusajs/framework/utils';
import { z } from 'zod';
import type { QueryLike } from '../../../../../lib/cart-query';
import { invoiceKey, recordView } from '../../../../../lib/record-view';
import { robokassaModule } from '../../../../../lib/scope';
import { parseSessionData } from '../../../../../lib/session-data';

const orderSchema = z
  .object({
    id: z.string(),
    payment_collections: z
      .array(
        z
          .object({
            payments: z
              .array(
                z
                  .object({
                    id: z.string(),
                    provider_id: z.string(),
                    captured_at: z.unknown().nullish(),
                    canceled_at: z.unknown().nullish(),
                    data: z.record(z.string(), z.unknown()).nullish(),
                  })
                  .loose(),
              )
              .nullish(),
          })
          .loose(),
      )
      .nullish(),
  })
  .loose();

/**
 * `GET /admin/robokassa/orders/:order_id`: the order's Robokassa payments as the ledger knows them (InvId, state,
 * method, fee, refunded so far) next to Medusa's payment ids, for the order widget.
 */
export async function GET(req: MedusaRequest, res: MedusaResponse): Promise<void> {
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
    filters: { id: req.params.order_id },
  });
  const order = orderSchema.safeParse(data[0]);
  if (!order.success) {
    res.status(404).json({ type: 'not_found', message: 'Order not found' });
    return;
  }
  const ledger = robokassaModule(req.scope).ledger;
  const payments = [];
  for (const collection of order.data.payment_collections ?? []) {
    for (const payment of collection.payments ?? []) {
      if (!payment.provider_id.startsWith('pp_robokassa')) continue;
      const session = parseSessionData(payment.data, { optional: true });
      const record = session ? await ledger.find(invoiceKey(session.inv_id)) : undefined;
      payments.push({
        payment_id: payment.id,
        provider_id: payment.provider_id,
        captured: Boolean(payment.captured_at),
        canceled: Boolean(payment.canceled_at),
        robokassa: record ? recordView(record) : null,
      });
    }
  }
  res.json({ order_id: order.data.id, payments });
}
