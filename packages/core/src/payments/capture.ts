import { KassaError } from '../errors.js';
import type { Gateway } from '../gateway.js';
import type { PaymentLedger, PaymentRecord } from '../ledger/port.js';
import { compareMoney, formatMoney, type Money } from '../money.js';
import { refreshPayment } from './refresh.js';

export interface OperationDeps {
  gateway: Gateway;
  ledger: PaymentLedger;
}

/** States in which the money is the shop's: a capture or cancel asked again is answered, not refused. */
const SETTLED = new Set(['paid', 'refund_requested', 'partially_refunded', 'refunded']);

/**
 * Captures a held payment (fully, or partially where `gateway.capabilities.partialCapture`). A `pending` record is
 * refreshed first (the hold's notification may be late). Capturing an already captured payment is a no-op. The
 * gateway call comes before the ledger's (it may fail), so two concurrent captures may both reach it: the gateway
 * allows one Confirm and refuses the other, which then finds the record `paid` and returns it.
 */
export async function capturePayment(
  deps: OperationDeps,
  record: PaymentRecord,
  amount?: Money,
): Promise<PaymentRecord> {
  let current = record;
  if (current.state === 'pending') current = (await refreshPayment(deps, current)).record;
  if (SETTLED.has(current.state)) return current;
  if (current.state !== 'held') {
    throw new KassaError(
      'INVALID_TRANSITION',
      `Invoice ${current.invoiceId} is ${current.state}: there is nothing to capture`,
      {
        details: { gateway: current.gateway, invoiceId: current.invoiceId, state: current.state },
      },
    );
  }
  if (amount !== undefined) {
    const partial = compareMoney(amount, current.amount) !== 0;
    if (compareMoney(amount, current.amount) > 0 || amount.minor <= 0n) {
      throw new KassaError(
        'AMOUNT_MISMATCH',
        `A capture of ${formatMoney(amount)} exceeds the ${formatMoney(current.amount)} held`,
        {
          details: { invoiceId: current.invoiceId },
        },
      );
    }
    if (partial && !deps.gateway.capabilities.partialCapture) {
      throw new KassaError('HOLD_REJECTED', 'This gateway captures a hold only in full', {
        details: { gateway: current.gateway, invoiceId: current.invoiceId },
      });
    }
  }
  let captured: Awaited<ReturnType<Gateway['capture']>>;
  try {
    captured = await deps.gateway.capture(current, amount);
  } catch (error) {
    // A second capture is refused by the gateway; if the first one won meanwhile, that is success, not an error.
    const now = await deps.ledger.find({ gateway: current.gateway, invoiceId: current.invoiceId });
    if (now && SETTLED.has(now.state)) return now;
    throw error;
  }
  const moved = await deps.ledger.transition({
    gateway: current.gateway,
    invoiceId: current.invoiceId,
    from: ['held'],
    to: 'paid',
    source: 'capture',
    patch: { details: { ...captured.details, captured: formatMoney(captured.amount) } },
  });
  return moved.record ?? current;
}

/**
 * Cancels a payment that has not been captured: a hold is released at the gateway, a pending invoice is closed in
 * the ledger (a payment arriving later is still accepted: see `applyPaymentEvent`). A paid invoice is refunded, not
 * cancelled.
 */
export async function cancelPayment(deps: OperationDeps, record: PaymentRecord): Promise<PaymentRecord> {
  let current = record;
  if (current.state === 'pending') current = (await refreshPayment(deps, current)).record;
  const key = { gateway: current.gateway, invoiceId: current.invoiceId };
  if (current.state === 'held') {
    await deps.gateway.cancel(current);
    return (
      (await deps.ledger.transition({ ...key, from: ['held'], to: 'cancelled', source: 'cancel' })).record ?? current
    );
  }
  if (current.state === 'pending') {
    return (
      (await deps.ledger.transition({ ...key, from: ['pending'], to: 'cancelled', source: 'cancel' })).record ?? current
    );
  }
  if (current.state === 'cancelled' || current.state === 'failed') return current;
  throw new KassaError(
    'INVALID_TRANSITION',
    `Invoice ${current.invoiceId} is ${current.state}: a paid invoice is refunded, not cancelled`,
    {
      details: { gateway: current.gateway, invoiceId: current.invoiceId, state: current.state },
    },
  );
}
