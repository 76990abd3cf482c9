import { type PaymentLedger, type PaymentRecord, type ReconcileSummary, reconcilePending } from '@kassa/core';
import type { MedusaContainer } from '@medusajs/framework/types';
import { ContainerRegistrationKeys } from '@medusajs/framework/utils';
import { kassaLogger } from './logger';
import { robokassaModule } from './scope';
import { settleInMedusa } from './settle';

export interface ReconcileRunOptions {
  /** Override the configured `reconcileAfterMinutes` (tests, a manual run from the admin). */
  olderThanMs?: number | undefined;
  limit?: number | undefined;
}

/** Records the job moved to `held`: core's reconciliation settles `paid` through onPaid; holds need Medusa too. */
function watchHolds(ledger: PaymentLedger, held: PaymentRecord[]): PaymentLedger {
  return {
    create: (payment) => ledger.create(payment),
    findByInvId: (invId) => ledger.findByInvId(invId),
    findByReference: (reference) => ledger.findByReference(reference),
    listStale: (options) => ledger.listStale(options),
    transition: async (request) => {
      const result = await ledger.transition(request);
      if (result.applied && result.record.state === 'held') held.push(result.record);
      return result;
    },
  };
}

/**
 * Lost callbacks: payments still `pending` (or `held`) after `reconcileAfterMinutes` are checked with OpStateExt and
 * settled through the same exactly-once transitions as ResultURL; a paid one gets its order here, a held one an
 * order with an authorized payment. Old pending invoices Robokassa never saw are marked failed.
 */
export async function reconcileRobokassa(
  container: MedusaContainer,
  options: ReconcileRunOptions = {},
): Promise<ReconcileSummary> {
  const robokassa = robokassaModule(container);
  const { robokassa: config, medusa } = robokassa.settings();
  const logger = kassaLogger(container.resolve(ContainerRegistrationKeys.LOGGER));
  const held: PaymentRecord[] = [];
  const summary = await reconcilePending({
    config,
    ledger: watchHolds(robokassa.ledger, held),
    olderThanMs: options.olderThanMs ?? medusa.reconcileAfterMinutes * 60_000,
    limit: options.limit ?? 100,
    notFoundMaxAgeMs: medusa.expireAfterHours * 3_600_000,
    logger,
    onPaid: async (record) => {
      await settleInMedusa(container, record);
    },
  });
  for (const record of held) {
    try {
      await settleInMedusa(container, record);
    } catch (error) {
      logger.error('ON_HELD_FAILED', { invId: record.invId, error });
      summary.errors.push({ invId: record.invId, code: 'ON_HELD_FAILED' });
    }
  }
  return summary;
}
