import { createSettleOutbox, type DrainSummary, type GatewayId, type SettleOutbox } from '@kassa/core';
import type { MedusaContainer } from '@medusajs/framework/types';
import type RobokassaModuleService from '../modules/robokassa/service';
import { robokassaModule } from './scope';
import { settleStep } from './settle';

/**
 * Core's settle outbox for each gateway, one per process (issue #11, "Measured"): the notification routes record the
 * payment in the ledger, wait at most `settleWaitMs` for Medusa's cart completion, and answer; the order is finished
 * in the background, two at a time (Medusa's cart completion is the heavy part, and more at once only queue inside
 * it on a small server). The ledger is the outbox itself, so a process that dies after answering loses nothing: the
 * `kassa-settle-outbox` job drains what is left every minute, and reconciliation remains the last net.
 *
 * Kept per module instance (one per Medusa process) rather than per request: the queue must outlive the request that
 * filled it. The settle step is bound to the container of the first caller; Medusa's request scopes resolve the same
 * singletons (Query, workflows) as the app container.
 */
const outboxes = new WeakMap<RobokassaModuleService, Map<GatewayId, SettleOutbox>>();

/** Settlements of one gateway running at once in this process. */
const CONCURRENCY = 2;

export function settleOutbox(container: MedusaContainer, gatewayId: GatewayId): SettleOutbox {
  const plugin = robokassaModule(container);
  let byGateway = outboxes.get(plugin);
  if (!byGateway) {
    byGateway = new Map();
    outboxes.set(plugin, byGateway);
  }
  let outbox = byGateway.get(gatewayId);
  if (!outbox) {
    const { gateway, log, settling } = plugin.port(gatewayId);
    outbox = createSettleOutbox({
      ledger: plugin.ledger,
      gateway,
      logger: log,
      waitMs: settling.settleWaitMs,
      concurrency: CONCURRENCY,
      onSettled: settleStep(container),
    });
    byGateway.set(gatewayId, outbox);
  }
  return outbox;
}

/**
 * Settles every paid or held invoice Medusa has not caught up with and that nobody touched for `olderThanMs` (a
 * younger one is probably being settled by its notification right now).
 */
export async function drainSettleOutboxes(
  container: MedusaContainer,
  options: { olderThanMs: number; limit?: number | undefined },
): Promise<Partial<Record<GatewayId, DrainSummary>>> {
  const summary: Partial<Record<GatewayId, DrainSummary>> = {};
  for (const gateway of robokassaModule(container).configuredGateways()) {
    summary[gateway] = await settleOutbox(container, gateway).drain(options);
  }
  return summary;
}
