import { type PaymentRecord, refreshPayment } from '@kassa/core';
import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { ContainerRegistrationKeys } from '@medusajs/framework/utils';
import { assistKey } from './assist-session';
import type { QueryLike } from './cart-query';
import { fillTemplate, rawParameters } from './http';
import { robokassaModule } from './scope';
import { ensureSettledInMedusa, readMedusaState, settleStep } from './settle';

const CONFIRMED = new Set(['paid', 'held', 'partially_refunded', 'refunded', 'refund_requested']);

/**
 * `URL_RETURN_OK` / `URL_RETURN_NO` (`https://<medusa>/assist/return/ok|no`). Assist signs neither, so the page the
 * buyer came back through decides nothing: its `ordernumber` only says which order to ask Assist about. A pending
 * order is refreshed with `orderstate` (signed by Assist's checkvalue, read over TLS) through core's settle step, so a
 * paid one gets its order at once; a paid or held one Medusa has not caught up with is settled. The buyer then goes
 * to the storefront's success page when the ledger says the money is there, to its fail page otherwise, whichever
 * URL they came back through. Failures here are logged, never shown: the notification and the reconcile job settle
 * the order anyway.
 */
export async function handleAssistReturn(req: MedusaRequest, res: MedusaResponse, page: 'success' | 'fail') {
  const plugin = robokassaModule(req.scope);
  const { gateway, log, settings } = plugin.assist();
  const { ledger } = plugin;
  const read = await gateway.readReturn(rawParameters(req), page, async () => undefined);
  let record: PaymentRecord | undefined = read.ok ? await ledger.find(assistKey(read.invoiceId)) : undefined;
  if (!record) {
    log.warn('RETURN_REJECTED', { page, reason: read.ok ? 'unknown_order' : read.detail });
    res.status(400).type('text/plain').send('bad request');
    return;
  }
  const { medusa } = settings;
  const deps = {
    gateway,
    ledger,
    logger: log,
    onSettled: settleStep(req.scope),
    notFoundMaxAgeMs: medusa.expireAfterHours * 3_600_000,
  };
  try {
    if (record.state === 'pending') record = (await refreshPayment(deps, record, 'return')).record;
    else if (record.state === 'paid' || record.state === 'held') await ensureSettledInMedusa(req.scope, record);
  } catch (error) {
    log.warn('RETURN_SETTLE_FAILED', { orderNumber: record.invoiceId, error });
  }
  const paid = CONFIRMED.has(record.state);
  const state = await readMedusaState(req.scope.resolve<QueryLike>(ContainerRegistrationKeys.QUERY), record.reference);
  const target = { cart_id: state?.cartId, order_id: state?.orderId, inv_id: record.invoiceId };
  res.setHeader('cache-control', 'no-store');
  if (!medusa.storefront) {
    const text = paid
      ? `Оплата заказа ${record.invoiceId} получена. / Payment ${record.invoiceId} received. Order: ${target.order_id ?? 'pending'}`
      : `Оплата заказа ${record.invoiceId} не завершена. / Payment ${record.invoiceId} was not completed.`;
    res.status(200).type('text/plain').send(text);
    return;
  }
  res.redirect(303, fillTemplate(paid ? medusa.storefront.successUrl : medusa.storefront.failUrl, target));
}
