import { type ReconcileSummary, reconcilePayments } from '@kassa/core';
import type { MedusaContainer } from '@medusajs/framework/types';
import type { ReconcileRunOptions } from './reconcile';
import { robokassaModule } from './scope';
import { settleStep } from './settle';

/**
 * Core's reconciliation for the Assist rows of the ledger, with the same settle step as Robokassa's: orders still
 * `pending` (or `held`) after `reconcileAfterMinutes` are asked about with `orderstate` (a paid one gets its Medusa
 * order, a held one an order with an authorized payment, old orders Assist never saw are marked failed), and paid or
 * held orders Medusa has not caught up with are settled again. Core lists records by the gateway's id, so this run
 * never touches a Robokassa row.
 */
export async function reconcileAssist(
  container: MedusaContainer,
  options: ReconcileRunOptions = {},
): Promise<ReconcileSummary> {
  const plugin = robokassaModule(container);
  const { settings, gateway, log } = plugin.assist();
  return reconcilePayments({
    gateway,
    ledger: plugin.ledger,
    olderThanMs: options.olderThanMs ?? settings.medusa.reconcileAfterMinutes * 60_000,
    limit: options.limit ?? 100,
    notFoundMaxAgeMs: settings.medusa.expireAfterHours * 3_600_000,
    logger: log,
    onSettled: settleStep(container),
  });
}
