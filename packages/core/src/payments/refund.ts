import { KassaError } from '../errors.js';
import type { FiscalReceipt, Gateway } from '../gateway.js';
import type { PaymentLedger, PaymentRecord } from '../ledger/port.js';
import { addMoney, compareMoney, formatMoney, type Money } from '../money.js';

export interface RefundDeps {
  gateway: Gateway;
  ledger: PaymentLedger;
}

export interface RefundRequest {
  amount: Money;
  /** The payment's receipt: a full refund repeats it (54-FZ needs the lines). */
  receipt?: FiscalReceipt | undefined;
}

/**
 * Refunds (part of) a paid invoice. The refund is written ahead — `refund_requested` with its amount — before the
 * gateway is called, so exactly one refund is in flight per invoice (the compare-and-set admits one caller), and a
 * crash between the two leaves a record `finishRefunds` finds and completes from the gateway's answer instead of
 * sending the money twice. A refund the gateway refuses puts the record back where it was.
 */
export async function refundPayment(
  deps: RefundDeps,
  record: PaymentRecord,
  request: RefundRequest,
): Promise<PaymentRecord> {
  const { gateway, ledger } = deps;
  const key = { gateway: record.gateway, invoiceId: record.invoiceId };
  if (record.state !== 'paid' && record.state !== 'partially_refunded') {
    throw new KassaError(
      'INVALID_TRANSITION',
      `Invoice ${record.invoiceId} is ${record.state}: only a paid invoice can be refunded`,
      {
        details: { ...key, state: record.state },
      },
    );
  }
  if (!gateway.capabilities.refund) {
    throw new KassaError('PASSWORD3_MISSING', 'Refunds are not set up for this gateway (see its settings)', {
      details: key,
    });
  }
  const amount = request.amount;
  if (amount.currency !== record.amount.currency || amount.minor <= 0n) {
    throw new KassaError('AMOUNT_MISMATCH', 'A refund must be above zero and in the payment currency', {
      details: key,
    });
  }
  const refunded = addMoney(record.refunded, amount);
  if (compareMoney(refunded, record.amount) > 0) {
    throw new KassaError(
      'AMOUNT_MISMATCH',
      `Refunding ${formatMoney(amount)} would exceed the ${formatMoney(record.amount)} paid`,
      {
        details: key,
      },
    );
  }
  const full = compareMoney(refunded, record.amount) === 0 && record.refunded.minor === 0n;
  if (!full && !gateway.capabilities.partialRefund) {
    throw new KassaError('REFUND_REJECTED', 'This gateway refunds only the whole payment', { details: key });
  }
  // Facts the gateway needs first (they can fail to come): asked before the write-ahead, stored with it.
  const prepared = gateway.prepareRefund ? await gateway.prepareRefund(record) : {};
  const from = record.state;
  const ahead = await ledger.transition({
    ...key,
    from: [from],
    to: 'refund_requested',
    source: 'refund',
    patch: { refundPending: amount, ...(Object.keys(prepared).length > 0 ? { details: prepared } : {}) },
  });
  if (!ahead.applied) {
    throw new KassaError(
      'LEDGER_CONFLICT',
      'Another refund or change of this invoice is in progress; refresh and try again',
      {
        details: { ...key, state: ahead.record?.state },
      },
    );
  }
  let result: Awaited<ReturnType<Gateway['refund']>>;
  try {
    result = await gateway.refund(ahead.record, { amount, full, receipt: request.receipt });
  } catch (error) {
    // Refused or unknown: only a definite refusal (a KassaError from the gateway's answer) puts the record back.
    // A timeout leaves it `refund_requested` for finishRefunds: the gateway may have taken it.
    const definite =
      error instanceof KassaError &&
      (error.code === 'REFUND_REJECTED' ||
        error.code === 'GATEWAY_RESULT_CODE' ||
        error.code === 'API_INPUT_INVALID' ||
        error.code === 'PASSWORD3_MISSING');
    if (definite) {
      await ledger.transition({
        ...key,
        from: ['refund_requested'],
        to: from,
        source: 'refund',
        patch: { refundPending: null },
      });
    }
    throw error;
  }
  const to = compareMoney(refunded, record.amount) === 0 ? 'refunded' : 'partially_refunded';
  const done = await ledger.transition({
    ...key,
    from: ['refund_requested'],
    to,
    source: 'refund',
    patch: { refunded, refundPending: null, details: result.details },
  });
  return done.record ?? ahead.record;
}

/**
 * Completes refunds a crash left `refund_requested`: asks the gateway what became of each; `done` records the refund,
 * `failed` puts the record back, `unknown` leaves it for the merchant (listed, never sent again blindly).
 */
export async function finishRefund(deps: RefundDeps, record: PaymentRecord): Promise<'done' | 'failed' | 'unknown'> {
  if (record.state !== 'refund_requested' || record.refundPending === undefined) return 'unknown';
  const verdict = await deps.gateway.refundState(record);
  const key = { gateway: record.gateway, invoiceId: record.invoiceId };
  const back = record.refunded.minor > 0n ? 'partially_refunded' : 'paid';
  if (verdict === 'done') {
    const refunded = addMoney(record.refunded, record.refundPending);
    const to = compareMoney(refunded, record.amount) === 0 ? 'refunded' : 'partially_refunded';
    await deps.ledger.transition({
      ...key,
      from: ['refund_requested'],
      to,
      source: 'reconcile',
      patch: { refunded, refundPending: null },
    });
  } else if (verdict === 'failed') {
    await deps.ledger.transition({
      ...key,
      from: ['refund_requested'],
      to: back,
      source: 'reconcile',
      patch: { refundPending: null },
    });
  }
  return verdict;
}

/**
 * The merchant's one call for a surplus payment (`PaymentRecord.surplus`: paid twice, or after the cart changed):
 * refunds it in full through the same write-ahead `refundPayment`, so two clicks send one refund.
 */
export async function refundSurplus(deps: RefundDeps, record: PaymentRecord): Promise<PaymentRecord> {
  if (record.surplus !== true) {
    throw new KassaError('INVALID_TRANSITION', `Invoice ${record.invoiceId} is not a surplus payment`, {
      details: { gateway: record.gateway, invoiceId: record.invoiceId, state: record.state },
    });
  }
  return refundPayment(deps, record, { amount: record.amount });
}
