import type { GatewayId, Logger, NotificationHealth, NotificationJournal, NotificationOutcome } from '@kassa/core';

/**
 * Records a notification's outcome in the journal the admin's notification health reads. The journal is
 * bookkeeping: a failure to write it is logged and swallowed, so it can never change the reply the gateway gets
 * (and with it whether the gateway retries).
 */
export async function recordNotification(
  journal: NotificationJournal,
  gateway: GatewayId,
  outcome: NotificationOutcome,
  log: Logger,
): Promise<void> {
  try {
    await journal.record(gateway, { kind: outcome.kind, ...('code' in outcome ? { code: outcome.code } : {}) });
  } catch (error) {
    log.warn('KASSA_NOTIFICATION_JOURNAL_FAILED', {
      gateway,
      outcome: outcome.kind,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
}

/** The JSON the admin's Payments page reads (`health` of GET /admin/kassa/payments, per gateway). */
export function healthView(health: NotificationHealth) {
  return {
    last_received_at: health.lastReceivedAt?.toISOString() ?? null,
    last_ok_at: health.lastOkAt?.toISOString() ?? null,
    failures_24h: health.failures24h,
  };
}
