import { FIXED_BODIES, type PaymentRecord, refreshPayment, settleRecord } from '@kassa/core';
import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { fillTemplate, readParameters } from '../../../lib/http';
import { invoiceKey } from '../../../lib/record-view';
import { cartAndOrder } from '../../../lib/return-target';
import { robokassaModule } from '../../../lib/scope';
import { settleStep } from '../../../lib/settle';

/**
 * SuccessURL (`https://<medusa>/robokassa/success`). The redirect proves nothing about money, but its Password #1
 * signature (verified by the gateway) says which invoice the buyer paid: a pending one is refreshed from OpStateExt
 * through core's settle step (the order is made at once), a paid or held one Medusa has not caught up with is
 * settled. Then the buyer goes to the storefront's confirmation page. Failures here are logged, never shown: the
 * storefront retries completion, and ResultURL and the reconcile job settle it anyway.
 */
async function handle(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const robokassa = robokassaModule(req.scope);
  const { ledger } = robokassa;
  const log = robokassa.log();
  let record: PaymentRecord | undefined;
  const text = await readParameters(req);
  if (text === undefined) {
    res.status(413).type('text/plain').send(FIXED_BODIES[413]);
    return;
  }
  const read = await robokassa.gateway().readReturn(text, 'success', async (invoiceId) => {
    record = await ledger.find(invoiceKey(invoiceId));
    return record;
  });
  if (!read.ok || !record) {
    log.warn('SUCCESS_URL_REJECTED', { known: Boolean(record), reason: read.ok ? 'unknown_invoice' : read.detail });
    res.status(400).type('text/plain').send(FIXED_BODIES[400]);
    return;
  }
  const deps = { gateway: robokassa.gateway(), ledger, logger: log, onSettled: settleStep(req.scope) };
  try {
    if (record.state === 'pending') record = (await refreshPayment(deps, record, 'return')).record;
    else if (record.state === 'paid' || record.state === 'held') record = await settleRecord(deps, record, 'return');
  } catch (error) {
    log.warn('SUCCESS_URL_SETTLE_FAILED', { invoiceId: record.invoiceId, error });
  }
  const target = await cartAndOrder(req.scope, record);
  const { storefront } = robokassa.settings().medusa;
  if (!storefront) {
    res
      .status(200)
      .type('text/plain')
      .send(`Payment ${record.invoiceId} received. Order: ${target.order_id ?? 'pending'}`);
    return;
  }
  res.redirect(303, fillTemplate(storefront.successUrl, target));
}

export const GET = handle;
export const POST = handle;
