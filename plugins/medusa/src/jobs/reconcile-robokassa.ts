import type { MedusaContainer } from '@medusajs/framework/types';
import { ContainerRegistrationKeys } from '@medusajs/framework/utils';
import { reconcileRobokassa } from '../lib/reconcile';

/** Every five minutes: settle Robokassa payments whose ResultURL never arrived (see lib/reconcile.ts). */
export default async function reconcileRobokassaJob(container: MedusaContainer): Promise<void> {
  const summary = await reconcileRobokassa(container);
  if (summary.checked > 0) {
    container
      .resolve(ContainerRegistrationKeys.LOGGER)
      .info(`robokassa RECONCILE_RUN ${JSON.stringify({ ...summary, errors: summary.errors.length })}`);
  }
}

export const config = {
  name: 'robokassa-reconcile',
  schedule: '*/5 * * * *',
};
