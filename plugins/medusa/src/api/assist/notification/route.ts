import { processNotification } from '@kassa/core';
import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { sendWebResponse, toWebRequest } from '../../../lib/http';
import { recordNotification } from '../../../lib/notification-journal';
import { settleOutbox } from '../../../lib/outbox';
import { robokassaModule } from '../../../lib/scope';

/**
 * Assist's result notification (paste into the cabinet as `https://<medusa>/assist/notification`, POST): core's
 * exactly-once notification use case with the Assist gateway. It verifies the checkvalue over the values exactly as
 * posted (the raw body is kept, see middlewares.ts), the amount and currency against the ledger, and moves the order
 * to `paid` (or `held` for `Delay=1`) exactly once; Medusa then completes the cart through the settle outbox
 * (lib/outbox.ts): Assist gets the `pushpaymentresult` echoing billnumber and packetdate once the order exists or,
 * past `settleWaitMs`, once the payment is durably recorded (the order follows in the background). Bad input gets Assist's failure reply (which stops its
 * retries) and changes nothing; a failure of ours gets a 503 without XML, so Assist tries again. Every outcome goes
 * to the notification journal (the Payments page's notification health) before the reply.
 */
export async function POST(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const plugin = robokassaModule(req.scope);
  const assist = plugin.assist();
  const outcome = await processNotification(toWebRequest(req), {
    gateway: assist.gateway,
    ledger: plugin.notificationLedger,
    logger: assist.log,
    onSettled: settleOutbox(req.scope, 'assist').step,
  });
  await recordNotification(plugin.notifications, assist.gateway.id, outcome, assist.log);
  await sendWebResponse(res, assist.gateway.notificationReply(outcome));
}
