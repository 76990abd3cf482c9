import { z } from 'zod';
import { isKassaError } from './errors.js';
import type { PaymentLedger, PaymentRecord, PaymentState, TransitionRequest } from './ledger/port.js';
import { createJsonConsoleLogger, guardLogger, type Logger } from './log.js';
import { type CurrencyCode, formatMoney, moneyEquals } from './money.js';
import { parseInput } from './robokassa/api/common.js';
import type { ApiCallOptions } from './robokassa/api/http.js';
import {
  opStateExt as defaultOpStateExt,
  type OperationStateFound,
  type OperationStateResult,
} from './robokassa/api/op-state.js';
import type { RobokassaConfig } from './robokassa/config.js';

export interface ReconcileOnPaidContext {
  /** Always `reconcile`: the ResultURL callback was lost or late and polling found the payment. */
  readonly source: 'reconcile';
  readonly operation: OperationStateFound;
}

export interface ReconcileOptions {
  config: RobokassaConfig;
  ledger: PaymentLedger;
  /** Only records not updated for this long are checked (give ResultURL its chance first). */
  olderThanMs: number;
  /** At most this many records per run (oldest first). */
  limit: number;
  /** Clock (the ledger's dates are compared with it). Default: the system clock. */
  now?: (() => Date) | undefined;
  /** Replace the OpStateExt call (tests, a shared client, a rate limiter). */
  opStateExt?:
    | ((input: { invId: number; isTest: boolean; currency: CurrencyCode }) => Promise<OperationStateResult>)
    | undefined;
  /** Transport settings for the default OpStateExt call. */
  http?: ApiCallOptions | undefined;
  /** Parallel OpStateExt calls. Default 4. */
  concurrency?: number | undefined;
  /**
   * State 10 is final only after this long (since Robokassa's StateDate, else the record's creation). Default 1 hour.
   * Robokassa uses 10 for timeouts and refusals too, and a buyer whose card was refused can still pay the same
   * invoice with another card.
   */
  cancelGraceMs?: number | undefined;
  /**
   * A `pending` record Robokassa has never heard of (result code 3) is marked `failed` once it is this old (since
   * creation). Default 48 hours. Until then "not found" is normal: the operation appears only after the buyer
   * submits the payment form.
   */
  notFoundMaxAgeMs?: number | undefined;
  /**
   * Runs once for each record this run moved to `paid` (`applied: true`): the platform creates its order here,
   * exactly as with the ResultURL handler's `onPaid`. A failure is reported in `errors` as ON_PAID_FAILED.
   */
  onPaid?: ((record: PaymentRecord, context: ReconcileOnPaidContext) => Promise<void>) | undefined;
  /** Default: JSON lines on the console (redacted). */
  logger?: Logger | undefined;
}

export interface ReconcileSummary {
  checked: number;
  paid: number;
  held: number;
  cancelled: number;
  failed: number;
  unchanged: number;
  /** One entry per record that could not be settled; the run goes on. `code` is a KassaError code or ON_PAID_FAILED. */
  errors: Array<{ invId: number; code: string }>;
}

/** Stable codes of reconciliation log lines (docs/api.md). */
export const RECONCILE_LOG_CODES = {
  transition: 'RECONCILE_TRANSITION',
  amountMismatch: 'AMOUNT_MISMATCH',
  suspended: 'RECONCILE_SUSPENDED',
  error: 'RECONCILE_ERROR',
  onPaidFailed: 'ON_PAID_FAILED',
} as const;

const STALE_STATES: readonly PaymentState[] = ['pending', 'held'];

type Outcome = 'paid' | 'held' | 'cancelled' | 'failed' | 'unchanged';

/**
 * Settles payments whose ResultURL never arrived (DESIGN §3 `reconcile`): lists `pending`/`held` records not updated
 * for `olderThanMs`, asks OpStateExt about each, and moves them through the same compare-and-set
 * `ledger.transition` the callback handler uses, so a callback and a reconciliation (or two reconciliations)
 * racing on one invoice produce exactly one `applied: true` and one `onPaid`.
 *
 * | OpStateExt | record | becomes |
 * |---|---|---|
 * | 100 paid, 50 processing (amount matches) | pending, held | paid (opKey, method, label stored) |
 * | 20 held | pending | held |
 * | 10 cancelled, after `cancelGraceMs` | pending, held | cancelled |
 * | 60 returned to the buyer | pending, held | cancelled (the shop never had the money) |
 * | 5 initiated, 80 suspended | any | unchanged |
 * | result code 3 (not found), after `notFoundMaxAgeMs` | pending | failed |
 *
 * Never throws for one record: its error lands in `summary.errors`.
 */
const reconcileOptionsSchema = z.object({
  olderThanMs: z.number().int().nonnegative(),
  limit: z.number().int().min(1),
  concurrency: z.number().int().min(1).max(64).optional(),
  cancelGraceMs: z.number().int().nonnegative().optional(),
  notFoundMaxAgeMs: z.number().int().nonnegative().optional(),
});

export async function reconcilePending(options: ReconcileOptions): Promise<ReconcileSummary> {
  parseInput('reconcilePending', reconcileOptionsSchema, {
    olderThanMs: options.olderThanMs,
    limit: options.limit,
    concurrency: options.concurrency,
    cancelGraceMs: options.cancelGraceMs,
    notFoundMaxAgeMs: options.notFoundMaxAgeMs,
  });
  const { config, ledger } = options;
  const now = options.now ?? (() => new Date());
  const log = guardLogger(options.logger ?? createJsonConsoleLogger(), [
    config.password1,
    config.password2,
    config.testPassword1,
    config.testPassword2,
    config.password3,
  ]);
  const cancelGrace = options.cancelGraceMs ?? 60 * 60_000;
  const notFoundMaxAge = options.notFoundMaxAgeMs ?? 48 * 60 * 60_000;
  const concurrency = options.concurrency ?? 4;
  const queryState =
    options.opStateExt ??
    ((input: { invId: number; isTest: boolean; currency: CurrencyCode }) =>
      defaultOpStateExt(config, input, options.http));

  const summary: ReconcileSummary = { checked: 0, paid: 0, held: 0, cancelled: 0, failed: 0, unchanged: 0, errors: [] };
  const startedAt = now();
  const records = await ledger.listStale({
    states: STALE_STATES,
    olderThan: new Date(startedAt.getTime() - options.olderThanMs),
    limit: options.limit,
  });

  const move = async (
    record: PaymentRecord,
    to: PaymentState,
    from: readonly PaymentState[],
    patch?: TransitionRequest['patch'],
  ) => {
    const request: TransitionRequest = { invId: record.invId, from, to, source: 'reconcile' };
    if (patch) request.patch = patch;
    const result = await ledger.transition(request);
    if (result.applied) {
      log.info(RECONCILE_LOG_CODES.transition, { invId: record.invId, from: record.state, to });
    }
    return result;
  };

  const settle = async (record: PaymentRecord): Promise<Outcome> => {
    const state = await queryState({ invId: record.invId, isTest: record.isTest, currency: record.amount.currency });
    const at = now().getTime();
    if (!state.found) {
      if (record.state !== 'pending' || at - record.createdAt.getTime() < notFoundMaxAge) return 'unchanged';
      return (await move(record, 'failed', ['pending'])).applied ? 'failed' : 'unchanged';
    }
    switch (state.status) {
      case 'paid':
      case 'processing': {
        const info = state.info;
        const sums = [info?.outSum, info?.incSum];
        // A pending invoice must be paid exactly; a hold may have been captured partially (Confirm with a smaller
        // OutSum), so a held record accepts a sum above zero and up to the held amount.
        const exact = sums.some((sum) => sum !== undefined && moneyEquals(sum, record.amount));
        const partial =
          record.state === 'held' &&
          sums.some(
            (sum) =>
              sum !== undefined &&
              sum.currency === record.amount.currency &&
              sum.minor > 0n &&
              sum.minor <= record.amount.minor,
          );
        const matches = exact || partial;
        if (!matches) {
          log.error(RECONCILE_LOG_CODES.amountMismatch, {
            invId: record.invId,
            expected: formatMoney(record.amount),
            outSum: info?.raw.outSum,
            incSum: info?.raw.incSum,
          });
          summary.errors.push({ invId: record.invId, code: 'AMOUNT_MISMATCH' });
          return 'unchanged';
        }
        // Only facts Robokassa reported: an absent field must not erase what a callback already stored.
        const patch: TransitionRequest['patch'] = {
          ...(info?.opKey ? { opKey: info.opKey } : {}),
          ...(info?.paymentMethod?.code ? { paymentMethod: info.paymentMethod.code } : {}),
          ...(info?.incCurrLabel ? { incCurrLabel: info.incCurrLabel } : {}),
        };
        const result = await move(record, 'paid', exact ? STALE_STATES : ['held'], patch);
        if (!result.applied) return 'unchanged';
        if (options.onPaid) {
          try {
            await options.onPaid(result.record, { source: 'reconcile', operation: state });
          } catch (error) {
            log.error(RECONCILE_LOG_CODES.onPaidFailed, { invId: record.invId, error });
            summary.errors.push({ invId: record.invId, code: 'ON_PAID_FAILED' });
          }
        }
        return 'paid';
      }
      case 'held': {
        if (record.state !== 'pending') return 'unchanged';
        const patch = state.info?.opKey ? { opKey: state.info.opKey } : undefined;
        return (await move(record, 'held', ['pending'], patch)).applied ? 'held' : 'unchanged';
      }
      case 'cancelled': {
        const since = (state.stateDate ?? record.createdAt).getTime();
        if (at - since < cancelGrace) return 'unchanged';
        return (await move(record, 'cancelled', STALE_STATES)).applied ? 'cancelled' : 'unchanged';
      }
      case 'refunded':
        // 60: the money went back to the buyer before the shop was credited (hold cancelled, double payment, expiry).
        return (await move(record, 'cancelled', STALE_STATES)).applied ? 'cancelled' : 'unchanged';
      case 'suspended':
        log.warn(RECONCILE_LOG_CODES.suspended, { invId: record.invId });
        return 'unchanged';
      case 'initiated':
        return 'unchanged';
    }
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < records.length) {
      const record = records[next++] as PaymentRecord;
      summary.checked += 1;
      try {
        summary[await settle(record)] += 1;
      } catch (error) {
        const code = isKassaError(error) ? error.code : 'UNEXPECTED_ERROR';
        log.error(RECONCILE_LOG_CODES.error, { invId: record.invId, code, error });
        summary.errors.push({ invId: record.invId, code });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, records.length) }, worker));
  return summary;
}
