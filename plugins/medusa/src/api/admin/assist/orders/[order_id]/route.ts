import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { orderPayments } from '../../../../../lib/admin-request';
import { assistKey, assistRecordView, parseAssistSession } from '../../../../../lib/assist-session';
import { robokassaModule } from '../../../../../lib/scope';

/**
 * `GET /admin/assist/orders/:order_id`: the order's Assist payments as the ledger knows them (OrderNumber, state,
 * billnumber, means, captured and refunded so far) next to Medusa's payment ids, for the order widget.
 */
export async function GET(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const order = await orderPayments(req, req.params.order_id, 'pp_assist');
  if (!order) {
    res.status(404).json({ type: 'not_found', message: 'Order not found' });
    return;
  }
  const ledger = robokassaModule(req.scope).ledger;
  const payments = [];
  for (const payment of order.payments) {
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
  res.json({ order_id: order.orderId, payments });
}
