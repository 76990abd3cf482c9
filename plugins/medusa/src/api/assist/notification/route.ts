import { handleNotification } from '@kassa/core';
import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { sendWebResponse, toWebRequest } from '../../../lib/http';
import { robokassaModule } from '../../../lib/scope';
import { settleStep } from '../../../lib/settle';

/**
 * Assist's result notification (paste into the cabinet as `https://<medusa>/assist/notification`, POST): core's
 * exactly-once notification use case with the Assist gateway. It verifies the checkvalue over the values exactly as
 * posted (the raw body is kept, see middlewares.ts), the amount and currency against the ledger, and moves the order
 * to `paid` (or `held` for `Delay=1`) exactly once; Medusa then completes the cart, and only then does Assist get
 * the `pushpaymentresult` echoing billnumber and packetdate. Bad input gets Assist's failure reply (which stops its
 * retries) and changes nothing; a failure of ours gets a 503 without XML, so Assist tries again.
 */
export async function POST(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const plugin = robokassaModule(req.scope);
  const assist = plugin.assist();
  const response = await handleNotification(toWebRequest(req), {
    gateway: assist.gateway,
    ledger: plugin.ledger,
    logger: assist.log,
    onSettled: settleStep(req.scope),
  });
  await sendWebResponse(res, response);
}
