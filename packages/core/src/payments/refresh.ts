import type { Gateway, GatewayStatus, PaymentEvent } from '../gateway.js';
import type { PaymentLedger, PaymentRecord, PaymentState, TransitionSource } from '../ledger/port.js';
import type { Logger } from '../log.js';
import { formatMoney, type Money, moneyEquals } from '../money.js';
import { applyPaymentEvent, type EventOutcome, gatewayLogger, type SettleStep, settleRecord } from '../notification.js';

export interface RefreshDeps {
  gateway: Gateway;
  ledger: PaymentLedger;
  logger?: Logger | undefined;
  /** The platform's settle step, run when the refresh learns of a payment (see `applyPaymentEvent`). */
  onSettled?: SettleStep | undefined;
  /** Clock (compared with the record's dates and the gateway's). Default: the system clock. */
  now?: (() => Date) | undefined;
  /**
   * A `cancelled` status is final only after this long (since the gateway's state date, else the record's
   * creation). Default 1 hour: Robokassa uses its state 10 for refusals too, and a buyer whose card was refused can
   * still pay the same invoice with another card.
   */
  cancelGraceMs?: number | undefined;
  /** A `pending` record the gateway has never heard of is marked `failed` once it is this old. Default 48 hours. */
  notFoundMaxAgeMs?: number | undefined;
}

export type RefreshOutcome = 'paid' | 'held' | 'cancelled' | 'failed' | 'unchanged';

export interface RefreshResult {
  readonly outcome: RefreshOutcome;
  readonly record: PaymentRecord;
  /** Set when a payment was found but could not be applied (e.g. `AMOUNT_MISMATCH`, `ON_PAID_FAILED`). */
  readonly error?: string | undefined;
}

/** Stable codes of refresh log lines (docs/api.md). */
export const REFRESH_LOG_CODES = {
  transition: 'REFRESH_TRANSITION',
  amountMismatch: 'AMOUNT_MISMATCH',
  suspended: 'REFRESH_SUSPENDED',
} as const;

const OPEN: readonly PaymentState[] = ['pending', 'held'];

/** Which of the amounts the gateway reports pays this record: exactly, or a partial capture of a hold. */
function paidAmount(record: PaymentRecord, amounts: readonly Money[]): Money | undefined {
  const exact = amounts.find((amount) => moneyEquals(amount, record.amount));
  if (exact) return exact;
  if (record.state !== 'held') return undefined;
  return amounts.find(
    (amount) => amount.currency === record.amount.currency && amount.minor > 0n && amount.minor <= record.amount.minor,
  );
}

/**
 * Brings one `pending` or `held` record up to date with the gateway's status API, through the same settle step a
 * notification takes (`applyPaymentEvent`), so whichever of notification, buyer's return, reconciliation or an
 * admin's refresh gets there first wins, once. One rule for every caller:
 *
 * | gateway says | record | becomes |
 * |---|---|---|
 * | paid (an amount matches; a hold may be captured partially) | pending, held | paid |
 * | held (the amount matches) | pending | held |
 * | cancelled, after `cancelGraceMs` | pending, held | cancelled |
 * | refunded before the shop was credited | pending, held | cancelled |
 * | declined, pending, suspended | any | unchanged |
 * | not found, after `notFoundMaxAgeMs` | pending | failed |
 */
export async function refreshPayment(
  deps: RefreshDeps,
  record: PaymentRecord,
  source: TransitionSource = 'refresh',
): Promise<RefreshResult> {
  const log = gatewayLogger(deps.gateway, deps.logger);
  if (
    record.state === 'paid' &&
    record.settledState !== 'paid' &&
    record.surplus !== true &&
    deps.onSettled !== undefined
  ) {
    // Known paid but the platform has not caught up (its settle step failed, or the process died before
    // it ran): nothing to ask the gateway, the settle step runs again — the same one a notification takes.
    try {
      const settled = await settleRecord(
        { ledger: deps.ledger, logger: log, onSettled: deps.onSettled, gateway: deps.gateway },
        record,
        source,
      );
      return { outcome: 'unchanged', record: (await deps.ledger.find(settled)) ?? settled };
    } catch (error) {
      log.error('ON_PAID_FAILED', { gateway: record.gateway, invoiceId: record.invoiceId, source, error });
      return { outcome: 'unchanged', record, error: 'ON_PAID_FAILED' };
    }
  }
  if (!OPEN.includes(record.state)) return { outcome: 'unchanged', record };
  const now = (deps.now ?? (() => new Date()))().getTime();
  const status: GatewayStatus = await deps.gateway.status(record);
  const where = { gateway: record.gateway, invoiceId: record.invoiceId };

  const move = async (to: PaymentState): Promise<RefreshResult> => {
    const result = await deps.ledger.transition({
      gateway: record.gateway,
      invoiceId: record.invoiceId,
      from: OPEN,
      to,
      source,
      ...(status.kind === 'not_found' ? {} : { patch: { details: status.details } }),
    });
    if (!result.applied) return { outcome: 'unchanged', record: result.record ?? record };
    log.info(REFRESH_LOG_CODES.transition, { ...where, from: record.state, to, source });
    return { outcome: to as RefreshOutcome, record: result.record };
  };

  if (status.kind === 'not_found') {
    const maxAge = deps.notFoundMaxAgeMs ?? 48 * 60 * 60_000;
    if (record.state !== 'pending' || now - record.createdAt.getTime() < maxAge)
      return { outcome: 'unchanged', record };
    const result = await deps.ledger.transition({ ...where, from: ['pending'], to: 'failed', source });
    return result.applied
      ? { outcome: 'failed', record: result.record }
      : { outcome: 'unchanged', record: result.record ?? record };
  }

  switch (status.kind) {
    case 'paid':
    case 'held': {
      const amount = paidAmount(record, status.amounts);
      if (amount === undefined || (status.kind === 'held' && !moneyEquals(amount, record.amount))) {
        // A different amount is not this invoice's payment: leave it for a human (notifications refuse it too).
        log.error(REFRESH_LOG_CODES.amountMismatch, {
          ...where,
          expected: formatMoney(record.amount),
          reported: status.amounts.map(formatMoney),
        });
        return { outcome: 'unchanged', record, error: 'AMOUNT_MISMATCH' };
      }
      if (status.kind === 'held' && record.state !== 'pending') return { outcome: 'unchanged', record };
      const event: PaymentEvent = { kind: status.kind, amount, isTest: record.isTest, details: status.details };
      const applied: EventOutcome = await applyPaymentEvent(
        { ledger: deps.ledger, logger: log, onSettled: deps.onSettled, gateway: deps.gateway },
        record,
        event,
        source,
      );
      switch (applied.kind) {
        case 'paid':
          log.info(REFRESH_LOG_CODES.transition, { ...where, from: record.state, to: applied.record.state, source });
          return { outcome: status.kind, record: applied.record };
        case 'replay':
        case 'declined':
        case 'after-refund':
          return { outcome: 'unchanged', record: applied.record };
        case 'retry':
          if (applied.moved) {
            // The record moved and only the platform's settle step failed: it counts as moved (the settle step runs
            // again from `reconcilePayments`' unsettled pass), and the failure is reported.
            log.info(REFRESH_LOG_CODES.transition, { ...where, from: record.state, to: applied.moved.state, source });
            return { outcome: status.kind, record: applied.moved, error: applied.code };
          }
          return { outcome: 'unchanged', record: (await deps.ledger.find(where)) ?? record, error: applied.code };
        case 'rejected':
          return { outcome: 'unchanged', record: (await deps.ledger.find(where)) ?? record, error: applied.code };
      }
      break;
    }
    case 'cancelled': {
      const since = (status.since ?? record.createdAt).getTime();
      if (now - since < (deps.cancelGraceMs ?? 60 * 60_000)) return { outcome: 'unchanged', record };
      return move('cancelled');
    }
    case 'refunded':
      // The money went back to the buyer before the shop was credited (hold cancelled, double payment, expiry).
      return move('cancelled');
    case 'suspended':
      log.warn(REFRESH_LOG_CODES.suspended, where);
      return { outcome: 'unchanged', record };
    case 'pending':
    case 'declined':
      return { outcome: 'unchanged', record };
  }
  return { outcome: 'unchanged', record };
}
