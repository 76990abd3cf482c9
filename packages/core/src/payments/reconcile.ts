import { z } from 'zod';
import { isKassaError, KassaError } from '../errors.js';
import type { Gateway } from '../gateway.js';
import type { PaymentLedger, PaymentRecord } from '../ledger/port.js';
import type { Logger } from '../log.js';
import { gatewayLogger, type SettleStep, settleRecord } from '../notification.js';
import { type RefreshDeps, type RefreshOutcome, refreshPayment } from './refresh.js';
import { finishRefund } from './refund.js';

export interface ReconcileOptions extends Omit<RefreshDeps, 'logger'> {
  gateway: Gateway;
  ledger: PaymentLedger;
  /** Only records not updated for this long are asked about (give the notification its chance first). */
  olderThanMs: number;
  /** At most this many records of each kind per run (oldest first). */
  limit: number;
  /** Parallel status calls. Default 4. */
  concurrency?: number | undefined;
  /** Settle step for payments found paid or held, and for ledger payments the platform has not settled yet. */
  onSettled?: SettleStep | undefined;
  logger?: Logger | undefined;
}

export interface ReconcileSummary {
  checked: number;
  paid: number;
  held: number;
  cancelled: number;
  failed: number;
  unchanged: number;
  /** Paid or held in the ledger but not yet in the platform: their settle step ran again. */
  resettled: number;
  /** Refunds a crash interrupted, completed or put back from the gateway's answer. */
  refundsFinished: number;
  /** One entry per record that could not be settled; the run goes on. `code` is a KassaError code or ON_PAID_FAILED. */
  errors: Array<{ invoiceId: string; code: string }>;
}

/** Stable codes of reconciliation log lines (docs/api.md). */
export const RECONCILE_LOG_CODES = {
  error: 'RECONCILE_ERROR',
  onPaidFailed: 'ON_PAID_FAILED',
  refundUnknown: 'REFUND_UNCERTAIN',
} as const;

const reconcileOptionsSchema = z.object({
  olderThanMs: z.number().int().nonnegative(),
  limit: z.number().int().min(1),
  concurrency: z.number().int().min(1).max(64).optional(),
  cancelGraceMs: z.number().int().nonnegative().optional(),
  notFoundMaxAgeMs: z.number().int().nonnegative().optional(),
});

/** Refuses nonsense numbers (a zero limit, a negative age) before anything is listed: API_INPUT_INVALID. */
function checkOptions(options: ReconcileOptions): void {
  const parsed = reconcileOptionsSchema.safeParse({
    olderThanMs: options.olderThanMs,
    limit: options.limit,
    concurrency: options.concurrency,
    cancelGraceMs: options.cancelGraceMs,
    notFoundMaxAgeMs: options.notFoundMaxAgeMs,
  });
  if (parsed.success) return;
  const issues = parsed.error.issues.map((i) => ({ key: i.path.join('.') || '(root)', problem: i.message }));
  throw new KassaError(
    'API_INPUT_INVALID',
    `Invalid reconcilePayments input: ${issues.map((i) => `${i.key} (${i.problem})`).join('; ')}`,
    { details: { endpoint: 'reconcilePayments', issues } },
  );
}

async function eachLimited<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * Lost notifications and unfinished work, for one gateway (DESIGN §3 `reconcile`):
 * 1. `pending`/`held` records not updated for `olderThanMs` are refreshed from the gateway's status API through the
 *    same settle step notifications take (`refreshPayment`);
 * 2. `paid`/`held` records the platform has not settled (its settle step failed, or the process died before it ran)
 *    get the settle step again;
 * 3. refunds left `refund_requested` by a crash are completed from the gateway's answer, never re-sent.
 * Never throws for one record: its error lands in `summary.errors`.
 */
export async function reconcilePayments(options: ReconcileOptions): Promise<ReconcileSummary> {
  checkOptions(options);
  const { gateway, ledger } = options;
  const log = gatewayLogger(gateway, options.logger);
  const now = options.now ?? (() => new Date());
  const concurrency = options.concurrency ?? 4;
  const summary: ReconcileSummary = {
    checked: 0,
    paid: 0,
    held: 0,
    cancelled: 0,
    failed: 0,
    unchanged: 0,
    resettled: 0,
    refundsFinished: 0,
    errors: [],
  };
  const olderThan = new Date(now().getTime() - options.olderThanMs);
  const fail = (record: PaymentRecord, code: string, error?: unknown) => {
    log.error(code === 'ON_PAID_FAILED' ? RECONCILE_LOG_CODES.onPaidFailed : RECONCILE_LOG_CODES.error, {
      gateway: record.gateway,
      invoiceId: record.invoiceId,
      code,
      error,
    });
    summary.errors.push({ invoiceId: record.invoiceId, code });
  };

  const stale = await ledger.listStale({
    states: ['pending', 'held'],
    olderThan,
    limit: options.limit,
    gateway: gateway.id,
  });
  await eachLimited(stale, concurrency, async (record) => {
    summary.checked += 1;
    try {
      const result = await refreshPayment({ ...options, logger: log }, record, 'reconcile');
      summary[result.outcome as RefreshOutcome] += 1;
      if (result.error) summary.errors.push({ invoiceId: record.invoiceId, code: result.error });
    } catch (error) {
      fail(record, isKassaError(error) ? error.code : 'UNEXPECTED_ERROR', error);
    }
  });

  if (options.onSettled) {
    const unsettled = await ledger.listUnsettled({ limit: options.limit, gateway: gateway.id });
    for (const record of unsettled) {
      // Just paid: the notification's own settle step is probably running right now; leave it its chance.
      if (record.updatedAt >= olderThan) continue;
      try {
        await settleRecord({ ledger, logger: log, onSettled: options.onSettled, gateway }, record, 'reconcile');
        summary.resettled += 1;
      } catch (error) {
        fail(record, 'ON_PAID_FAILED', error);
      }
    }
  }

  const refunds = await ledger.listStale({
    states: ['refund_requested'],
    olderThan,
    limit: options.limit,
    gateway: gateway.id,
  });
  for (const record of refunds) {
    try {
      const verdict = await finishRefund(options, record);
      if (verdict === 'unknown') {
        log.error(RECONCILE_LOG_CODES.refundUnknown, { gateway: record.gateway, invoiceId: record.invoiceId });
      } else summary.refundsFinished += 1;
    } catch (error) {
      fail(record, isKassaError(error) ? error.code : 'UNEXPECTED_ERROR', error);
    }
  }
  return summary;
}
