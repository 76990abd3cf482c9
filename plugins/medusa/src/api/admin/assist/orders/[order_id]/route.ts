import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { ContainerRegistrationKeys } from '@medusajs/framework/utils';
import { z } from 'zod';
import { assistKey, assistRecordView, parseAssistSession } from '../../../../../lib/assist-session';
import type { QueryLike } from '../../../../../lib/cart-query';
import { robokassaModule } from '../../../../../lib/scope';

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
 * `GET /admin/assist/orders/:order_id`: the order's Assist payments as the ledger knows them (OrderNumber, state,
 * billnumber, means, captured and refunded so far) next to Medusa's payment ids, for the order widget.
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
      if (!payment.provider_id.startsWith('pp_assist')) continue;
      const session = parseAssistSession(payment.data, { optional: true });
      const record = session ? await ledger.find(assistKey(session.order_number)) : undefined;
      payments.push({
        payment_id: payment.id,
        provider_id: payment.provider_id,
        captured: Boolean(payment.captured_at),
        canceled: Boolean(payment.canceled_at),
        assist: record ? assistRecordView(record) : null,
      });
    }
  }
  res.json({ order_id: order.data.id, payments });
}
