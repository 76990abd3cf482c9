import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { orderPayments } from '../../../../../lib/admin-request';
import { invoiceKey, recordView } from '../../../../../lib/record-view';
import { robokassaModule } from '../../../../../lib/scope';
import { parseSessionData } from '../../../../../lib/session-data';

/**
 * `GET /admin/robokassa/orders/:order_id`: the order's Robokassa payments as the ledger knows them (InvId, state,
 * method, fee, refunded so far) next to Medusa's payment ids, for the order widget.
 */
export async function GET(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const order = await orderPayments(req, req.params.order_id, 'pp_robokassa');
  if (!order) {
    res.status(404).json({ type: 'not_found', message: 'Order not found' });
    return;
  }
  const ledger = robokassaModule(req.scope).ledger;
  const payments = [];
  for (const payment of order.payments) {
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
  res.json({ order_id: order.orderId, payments });
}
