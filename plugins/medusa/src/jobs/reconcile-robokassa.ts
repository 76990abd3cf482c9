import type { MedusaContainer } from '@medusajs/framework/types';
import { reconcileRobokassa } from '../lib/reconcile';
import { robokassaModule } from '../lib/scope';

/** Every five minutes: settle Robokassa payments whose ResultURL never arrived (see lib/reconcile.ts). */
export default async function reconcileRobokassaJob(container: MedusaContainer): Promise<void> {
  // A shop with Assist only has no Robokassa settings to reconcile with (see jobs/reconcile-assist.ts).
  if (!robokassaModule(container).hasRobokassa()) return;
  const summary = await reconcileRobokassa(container);
  if (summary.checked > 0 || summary.resettled > 0 || summary.refundsFinished > 0) {
    robokassaModule(container)
      .log()
      .info('RECONCILE_RUN', { ...summary, errors: summary.errors.length });
  }
}

export const config = {
  name: 'robokassa-reconcile',
  schedule: '*/5 * * * *',
};
