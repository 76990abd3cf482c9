import type { MedusaContainer } from '@medusajs/framework/types';
import { reconcileAssist } from '../lib/reconcile-assist';
import { robokassaModule } from '../lib/scope';

/**
 * Every five minutes: settle Assist orders whose notification never arrived (see lib/reconcile-assist.ts).
 *
 * A job of its own rather than a second half of `robokassa-reconcile`: each gateway has its own settings, and a shop
 * may configure only one of them, so one job would fail on the missing gateway's settings every run (and an outage
 * of one gateway would delay the other's reconciliation). Separate jobs also log and alert under their own names.
 * A shop without Assist skips this job silently.
 */
export default async function reconcileAssistJob(container: MedusaContainer): Promise<void> {
  const plugin = robokassaModule(container);
  if (!plugin.hasAssist()) return;
  const summary = await reconcileAssist(container);
  if (summary.checked > 0 || summary.resettled > 0 || summary.refundsFinished > 0) {
    plugin.assist().log.info('RECONCILE_RUN', { ...summary, errors: summary.errors.length });
  }
}

export const config = {
  name: 'assist-reconcile',
  schedule: '*/5 * * * *',
};
