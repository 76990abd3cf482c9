import { FIXED_BODIES } from '@kassa/core';
import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { fillTemplate, readParameters } from '../../../lib/http';
import { invoiceKey } from '../../../lib/record-view';
import { cartAndOrder } from '../../../lib/return-target';
import { robokassaModule } from '../../../lib/scope';

/**
 * FailURL (`https://<medusa>/robokassa/fail`). Unsigned, so nothing changes here: the buyer is sent back to the
 * storefront's checkout for the same cart and can pay again (a new session, a new InvId). Whether money moved is
 * decided by ResultURL and the reconcile job only.
 */
async function handle(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const robokassa = robokassaModule(req.scope);
  const { medusa } = robokassa.settings();
  const find = (invoiceId: string) => robokassa.ledger.find(invoiceKey(invoiceId));
  const text = await readParameters(req);
  if (text === undefined) {
    res.status(413).type('text/plain').send(FIXED_BODIES[413]);
    return;
  }
  const hint = await robokassa.gateway().readReturn(text, 'fail', find);
  const target = await cartAndOrder(req.scope, hint.ok ? await find(hint.invoiceId) : undefined);
  if (!medusa.storefront) {
    res.status(200).type('text/plain').send('Payment was not completed. Return to the shop to try again.');
    return;
  }
  res.redirect(303, fillTemplate(medusa.storefront.failUrl, target));
}

export const GET = handle;
export const POST = handle;
