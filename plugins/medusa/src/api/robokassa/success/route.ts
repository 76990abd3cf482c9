import { verifySuccessRedirect } from '@kassa/core';
import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { ContainerRegistrationKeys } from '@medusajs/framework/utils';
import { syncWithGateway } from '../../../lib/gateway-state';
import { fillTemplate, rawParameters } from '../../../lib/http';
import { kassaLogger } from '../../../lib/logger';
import { cartAndOrder, recordFromRedirect } from '../../../lib/return-target';
import { robokassaModule } from '../../../lib/scope';
import { settleInMedusa } from '../../../lib/settle';

/**
 * SuccessURL (`https://<medusa>/robokassa/success`). The redirect proves nothing about money by itself, but a valid
 * Password #1 signature tells us which invoice the buyer paid: if ResultURL has not arrived yet we ask OpStateExt and,
 * when Robokassa confirms, complete the order right away. Then the buyer goes to the storefront's confirmation page.
 */
async function handle(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const robokassa = robokassaModule(req.scope);
  const { robokassa: config, medusa } = robokassa.settings();
  const log = kassaLogger(req.scope.resolve(ContainerRegistrationKeys.LOGGER));
  const parameters = rawParameters(req);
  let record = await recordFromRedirect(robokassa.ledger, parameters);
  const verified = verifySuccessRedirect(config, parameters, {
    isTest: record?.isTest,
    currency: record?.amount.currency,
  });
  if (!record || !verified.ok || verified.redirect.invId !== record.invId) {
    log.warn('SUCCESS_URL_REJECTED', {
      known: Boolean(record),
      reason: verified.ok ? 'unknown_invoice' : verified.reason,
    });
    res.status(400).type('text/plain').send('bad request');
    return;
  }
  if (record.state === 'pending') {
    try {
      record = await syncWithGateway({ config, ledger: robokassa.ledger }, record);
    } catch (error) {
      log.warn('SUCCESS_URL_STATE_CHECK_FAILED', { invId: record.invId, error });
    }
  }
  if (record.state === 'paid' || record.state === 'held') {
    try {
      await settleInMedusa(req.scope, record);
    } catch (error) {
      // The storefront's confirmation page retries completion; ResultURL and the reconcile job settle it anyway.
      log.warn('SUCCESS_URL_SETTLE_FAILED', { invId: record.invId, error });
    }
  }
  const target = await cartAndOrder(req.scope, record);
  if (!medusa.storefront) {
    res
      .status(200)
      .type('text/plain')
      .send(`Payment ${record.invId} received. Order: ${target.order_id ?? 'pending'}`);
    return;
  }
  res.redirect(303, fillTemplate(medusa.storefront.successUrl, target));
}

export const GET = handle;
export const POST = handle;
