import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { sendOrderPayments } from '../../../../../lib/admin-request';
import { invoiceKey, recordView } from '../../../../../lib/record-view';
import { parseSessionData } from '../../../../../lib/session-data';

/**
 * `GET /admin/robokassa/orders/:order_id`: the order's Robokassa payments as the ledger knows them (InvId, state,
 * method, fee, refunded so far) next to Medusa's payment ids, for the order widget.
 */
export async function GET(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  await sendOrderPayments(req, res, 'robokassa', {
    providerPrefix: 'pp_robokassa',
    invoiceOf: (data) => {
      const session = parseSessionData(data, { optional: true });
      return session && invoiceKey(session.inv_id);
    },
    view: recordView,
  });
}
