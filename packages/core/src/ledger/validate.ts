import { KassaError } from '../errors.js';
import { isCurrencyCode, MAX_MINOR_UNITS, type Money } from '../money.js';
import {
  GATEWAY_IDS,
  type GatewayId,
  type InvoiceKey,
  MAX_ALLOCATED_INVOICE_ID,
  MAX_INVOICE_ID_LENGTH,
  type NewPayment,
  PAYMENT_STATES,
  type PaymentDetails,
  type PaymentState,
  TRANSITION_SOURCES,
  type TransitionRequest,
} from './port.js';

/**
 * The input rules every ledger adapter shares (memory, SQL): one place, so an adapter cannot accept what another
 * refuses. Internal to `ledger/`; not part of the public surface.
 */

export const MAX_REFERENCE_LENGTH = 255;
/** Details are short facts (`opKey`, `billnumber`…): at most this many keys, each value at most this long. */
export const MAX_DETAIL_KEYS = 64;
export const MAX_DETAIL_VALUE_LENGTH = 4096;
const DETAIL_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/** Control, format (zero-width, bidi overrides), line/paragraph separator characters and lone surrogates. */
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
const CANONICAL_DECIMAL = /^[1-9][0-9]{0,9}$/;

export function isGatewayId(value: unknown): value is GatewayId {
  return typeof value === 'string' && (GATEWAY_IDS as readonly string[]).includes(value);
}

export function isPaymentState(value: unknown): value is PaymentState {
  return typeof value === 'string' && (PAYMENT_STATES as readonly string[]).includes(value);
}

/**
 * An invoice id a ledger may store: 1..128 UTF-16 code units, well-formed, printable (no control, format or
 * separator characters) and without leading or trailing white space (gateways and forms trim).
 */
export function isStorableInvoiceId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= MAX_INVOICE_ID_LENGTH &&
    !NOT_PRINTABLE.test(value) &&
    value.trim() === value
  );
}

/** A decimal integer id in the allocated range, written canonically (`"42"`, never `"042"` or `"4.2e1"`). */
export function isAllocatedInvoiceId(value: string): boolean {
  return CANONICAL_DECIMAL.test(value) && Number(value) <= MAX_ALLOCATED_INVOICE_ID;
}

export function isInvoiceKey(key: unknown): key is InvoiceKey {
  const k = key as Partial<InvoiceKey> | null | undefined;
  return typeof k === 'object' && k !== null && isGatewayId(k.gateway) && isStorableInvoiceId(k.invoiceId);
}

function isDetails(value: unknown): value is PaymentDetails {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const entries = Object.entries(value);
  return (
    entries.length <= MAX_DETAIL_KEYS &&
    entries.every(([k, v]) => DETAIL_KEY.test(k) && typeof v === 'string' && v.length <= MAX_DETAIL_VALUE_LENGTH)
  );
}

function isMoney(value: unknown, { allowZero }: { allowZero: boolean }): value is Money {
  const m = value as Partial<Money> | null | undefined;
  return (
    typeof m === 'object' &&
    m !== null &&
    isCurrencyCode(m.currency) &&
    typeof m.minor === 'bigint' &&
    m.minor >= (allowZero ? 0n : 1n) &&
    m.minor <= MAX_MINOR_UNITS
  );
}

/** A detached copy with only string values, safe to store (no prototype tricks, no shared references). */
export function copyDetails(details: PaymentDetails | undefined): Record<string, string> {
  const copy: Record<string, string> = {};
  if (details) for (const [k, v] of Object.entries(details)) copy[k] = v;
  return copy;
}

/** Throws `PAYMENT_INVALID` (or `INVOICE_ID_OUT_OF_RANGE` for a Robokassa InvId) for input no ledger stores. */
export function checkNewPayment(payment: NewPayment): void {
  const p = (payment ?? {}) as Partial<NewPayment>;
  const bad: string[] = [];
  if (!isGatewayId(p.gateway)) bad.push('gateway');
  if (typeof p.reference !== 'string' || p.reference.length < 1 || p.reference.length > MAX_REFERENCE_LENGTH) {
    bad.push('reference');
  }
  if (!isMoney(p.amount, { allowZero: false })) bad.push('amount');
  if (typeof p.isTest !== 'boolean') bad.push('isTest');
  if (p.invoiceId !== undefined && !isStorableInvoiceId(p.invoiceId)) bad.push('invoiceId');
  if (p.details !== undefined && !isDetails(p.details)) bad.push('details');
  if (bad.length > 0) {
    throw new KassaError('PAYMENT_INVALID', 'Invalid new payment for the ledger', { details: { fields: bad } });
  }
  // Robokassa's InvId is an integer: an explicit one must be the canonical decimal of 1..2^31−1.
  if (p.gateway === 'robokassa' && p.invoiceId !== undefined && !isAllocatedInvoiceId(p.invoiceId)) {
    throw new KassaError(
      'INVOICE_ID_OUT_OF_RANGE',
      `A Robokassa InvId must be a decimal integer from 1 to ${MAX_ALLOCATED_INVOICE_ID}`,
      { details: { invoiceId: p.invoiceId.slice(0, 32) } },
    );
  }
}

/**
 * Throws `INVALID_TRANSITION` for a malformed request. The rules that need the stored record (currency of the patch,
 * refunds within the amount) are checked by `checkPatchAgainst` inside the compare-and-set.
 */
export function checkTransition(request: TransitionRequest): void {
  const r = (request ?? {}) as Partial<TransitionRequest>;
  const bad: string[] = [];
  if (!isGatewayId(r.gateway)) bad.push('gateway');
  if (!isStorableInvoiceId(r.invoiceId)) bad.push('invoiceId');
  if (!Array.isArray(r.from) || r.from.length === 0 || !r.from.every(isPaymentState)) bad.push('from');
  if (!isPaymentState(r.to)) bad.push('to');
  if (typeof r.source !== 'string' || !(TRANSITION_SOURCES as readonly string[]).includes(r.source)) {
    bad.push('source');
  }
  const patch = r.patch;
  if (patch !== undefined && (typeof patch !== 'object' || patch === null)) bad.push('patch');
  else if (patch) {
    if (patch.details !== undefined && !isDetails(patch.details)) bad.push('patch.details');
    if (patch.refunded !== undefined && !isMoney(patch.refunded, { allowZero: true })) bad.push('patch.refunded');
    if (patch.refundPending !== undefined && patch.refundPending !== null) {
      if (!isMoney(patch.refundPending, { allowZero: false })) bad.push('patch.refundPending');
    }
  }
  // The write-ahead invariant: a refund amount is pending exactly while the record is `refund_requested`.
  if (r.to === 'refund_requested' && !(patch?.refundPending && typeof patch.refundPending === 'object')) {
    bad.push('patch.refundPending');
  }
  if (r.to !== 'refund_requested' && patch?.refundPending) bad.push('patch.refundPending');
  if (bad.length > 0) {
    throw new KassaError('INVALID_TRANSITION', 'Invalid transition request', {
      details: { fields: [...new Set(bad)] },
    });
  }
}

/** The patch's amounts must be in the record's currency and within its amount. */
export function patchFits(patch: TransitionRequest['patch'], amount: Money): boolean {
  for (const money of [patch?.refunded, patch?.refundPending]) {
    if (!money) continue;
    if (money.currency !== amount.currency || money.minor > amount.minor) return false;
  }
  return true;
}

export function patchMismatch(request: TransitionRequest, amount: Money): KassaError {
  return new KassaError(
    'INVALID_TRANSITION',
    'The transition patch does not fit the record: a refund amount in another currency or above the payment',
    {
      details: { gateway: request.gateway, invoiceId: request.invoiceId, currency: amount.currency },
    },
  );
}

export function checkSettled(key: InvoiceKey, state: PaymentState): void {
  const bad: string[] = [];
  if (!isInvoiceKey(key)) bad.push('key');
  if (!isPaymentState(state)) bad.push('state');
  if (bad.length > 0) {
    throw new KassaError('INVALID_TRANSITION', 'Invalid markSettled request', { details: { fields: bad } });
  }
}

/** A non-negative integer limit (floats floored, anything else zero). */
export function normalizeLimit(limit: unknown): number {
  return typeof limit === 'number' && Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : 0;
}
