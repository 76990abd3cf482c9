import type { MedusaContainer } from '@medusajs/framework/types';
import { drainSettleOutboxes } from '../lib/outbox';
import { robokassaModule } from '../lib/scope';

/**
 * Every minute: finish the orders of payments that were recorded and answered but not settled in Medusa — a process
 * that died right after answering the gateway, or a settlement whose retries ran out (see lib/outbox.ts). A payment
 * younger than a minute is left to the notification settling it now. The reconcile jobs do the same every five
 * minutes as the last net; this one makes the wait after a crash a minute, not `reconcileAfterMinutes`.
 */
export default async function settleOutboxJob(container: MedusaContainer): Promise<void> {
  const summary = await drainSettleOutboxes(container, { olderThanMs: 60_000 });
  for (const [gateway, drained] of Object.entries(summary)) {
    if (drained.found > 0)
      robokassaModule(container)
        .log()
        .info('SETTLE_OUTBOX_DRAINED', { gateway, ...drained });
  }
}

export const config = {
  name: 'kassa-settle-outbox',
  schedule: '* * * * *',
};
