import { DEFAULT_MAX_BODY_BYTES as MAX_BODY_BYTES, processNotification } from '@kassa/core';
import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { sendWebResponse, toBufferedWebRequest } from '../../../lib/http';
import { recordNotification } from '../../../lib/notification-journal';
import { settleOutbox } from '../../../lib/outbox';
import { robokassaModule } from '../../../lib/scope';

/**
 * ResultURL (paste into the cabinet as `https://<medusa>/robokassa/result`, GET or POST): core's exactly-once
 * notification use case. It verifies the Password #2 signature and the amount against the ledger and moves the
 * invoice to `paid` exactly once; Medusa then completes the cart (also when the buyer never comes back) through the
 * settle outbox (lib/outbox.ts): Robokassa gets `OK{InvId}` once the order exists or, past `settleWaitMs`, once the
 * payment is durably recorded — the order then follows in the background, never lost. A genuine payment on a superseded or expired invoice is accepted too (it makes
 * the order if the cart is still open, else it is a surplus core refunds or lists). Medusa's body parser is off for
 * this route: core reads the raw body, so every bad request gets a fixed 4xx body and changes nothing; a failure
 * while creating the order within the wait gets 500 so Robokassa retries (the outbox retries too). Every outcome goes to the notification journal (the
 * Payments page's notification health) before the reply.
 */
async function handle(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const robokassa = robokassaModule(req.scope);
  const gateway = robokassa.gateway();
  const logger = robokassa.log();
  const outcome = await processNotification(await toBufferedWebRequest(req, MAX_BODY_BYTES), {
    gateway,
    ledger: robokassa.notificationLedger,
    logger,
    onSettled: settleOutbox(req.scope, 'robokassa').step,
  });
  await recordNotification(robokassa.notifications, gateway.id, outcome, logger);
  await sendWebResponse(res, gateway.notificationReply(outcome));
}

export const GET = handle;
export const POST = handle;
