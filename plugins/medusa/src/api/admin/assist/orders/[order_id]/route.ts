import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { sendOrderPayments } from '../../../../../lib/admin-request';
import { assistKey, assistRecordView, parseAssistSession } from '../../../../../lib/assist-session';

/**
 * `GET /admin/assist/orders/:order_id`: the order's Assist payments as the ledger knows them (OrderNumber, state,
 * billnumber, means, captured and refunded so far) next to Medusa's payment ids, for the order widget.
 */
export async function GET(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  await sendOrderPayments(req, res, 'assist', {
    providerPrefix: 'pp_assist',
    invoiceOf: (data) => {
      const session = parseAssistSession(data, { optional: true });
      return session && assistKey(session.order_number);
    },
    view: assistRecordView,
  });
}
