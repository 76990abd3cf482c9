import { type ReconcileSummary, reconcilePayments } from '@kassa/core';
import type { MedusaContainer } from '@medusajs/framework/types';
import { robokassaModule } from './scope';
import { settleStep } from './settle';

export interface ReconcileRunOptions {
  /** Override the configured `reconcileAfterMinutes` (tests, a manual run from the admin). */
  olderThanMs?: number | undefined;
  limit?: number | undefined;
}

/**
 * Core's reconciliation with Medusa's settle step: payments still `pending` (or `held`) after
 * `reconcileAfterMinutes` are refreshed from OpStateExt (a paid one gets its order, a held one an order with an
 * authorized payment, old pending invoices Robokassa never saw are marked failed); paid or held payments Medusa has
 * not caught up with are settled again; refunds a crash interrupted are finished from Robokassa's answer.
 */
export async function reconcileRobokassa(
  container: MedusaContainer,
  options: ReconcileRunOptions = {},
): Promise<ReconcileSummary> {
  const robokassa = robokassaModule(container);
  const { medusa } = robokassa.settings();
  return reconcilePayments({
    gateway: robokassa.gateway(),
    ledger: robokassa.ledger,
    olderThanMs: options.olderThanMs ?? medusa.reconcileAfterMinutes * 60_000,
    limit: options.limit ?? 100,
    notFoundMaxAgeMs: medusa.expireAfterHours * 3_600_000,
    logger: robokassa.log(),
    onSettled: settleStep(container),
  });
}
