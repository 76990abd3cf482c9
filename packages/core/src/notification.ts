/**
 * The exactly-once notification use case, for every gateway (DESIGN §8): read the request once → let the gateway
 * parse it → find the shop's record → let the gateway verify it against that record → compare amount and currency
 * with the record → one compare-and-set in the ledger → the platform's settle step → a typed outcome, which the
 * gateway turns into the exact bytes it expects (`Gateway.notificationReply`).
 *
 * Every other path that learns of a payment (a hold notification, the buyer's return, reconciliation, an admin's
 * refresh) goes through `applyPaymentEvent`, the same settle step.
 */
import type { Gateway, NotificationOutcome, PaymentEvent, RejectCode, RejectStatus, RetryCode } from './gateway.js';
import { DEFAULT_MAX_BODY_BYTES, rawQuery, readBodyText } from './http.js';
import type { PaymentLedger, PaymentRecord, PaymentState, TransitionSource } from './ledger/port.js';
import { createJsonConsoleLogger, guardLogger, type Logger, silentLogger } from './log.js';
import { formatMoney, type Money, moneyEquals } from './money.js';
import { refundPayment } from './payments/refund.js';

export interface SettleContext {
  /**
   * True only for the call that moved the record. False for every later notification of the same invoice (retries,
   * duplicates, a retry after your settle step failed): the step must be idempotent ("create the order for this
   * reference unless it exists").
   */
  readonly firstTime: boolean;
  readonly event: PaymentEvent;
  readonly source: TransitionSource;
  /** The gateway's verified message (e.g. Robokassa's `ResultCallback`), for plugins that need more than the event. */
  readonly message?: unknown;
}

/**
 * What the platform's settle step made of a payment. `settled` (or nothing): the platform reflects it. `surplus`:
 * a genuine payment the platform cannot use — its cart was already paid through another invoice, or changed so the
 * amount no longer matches. Core then flags the record once (`PaymentLedger.markSurplus`) and gives the money back
 * through the gateway's refund when it can (`capabilities.refund`), else leaves it listed for the merchant.
 */
export type SettleVerdict = 'settled' | 'surplus';

/** The platform's settle step: create the order / authorize or capture the payment. Runs before the gateway's OK. */
export type SettleStep = (record: PaymentRecord, context: SettleContext) => Promise<void | SettleVerdict>;

export interface NotificationDeps {
  gateway: Gateway;
  ledger: PaymentLedger;
  /** Default: JSON lines on the console. Whatever you pass only ever receives redacted fields. */
  logger?: Logger | undefined;
  /**
   * Runs after the ledger says `paid` or `held` and before the gateway gets its OK. If it throws, the outcome is
   * `retry` (the gateway sends the notification again); the ledger keeps its state and the retry calls it again with
   * `firstTime: false`.
   */
  onSettled?: SettleStep | undefined;
  /** Largest body (and query string) accepted. Default 64 KiB; a real notification is a few hundred bytes. */
  maxBodyBytes?: number | undefined;
}

/** Stable codes of the use case's log lines (docs/callbacks.md). */
export const NOTIFICATION_LOG_CODES = {
  paid: 'PAYMENT_PAID',
  held: 'PAYMENT_HELD',
  replay: 'PAYMENT_REPLAY',
  afterRefund: 'PAYMENT_AFTER_REFUND',
  declined: 'PAYMENT_DECLINED',
  methodNotAllowed: 'CALLBACK_METHOD_NOT_ALLOWED',
  tooLarge: 'CALLBACK_TOO_LARGE',
  unsupportedMediaType: 'CALLBACK_UNSUPPORTED_MEDIA_TYPE',
  malformed: 'CALLBACK_MALFORMED',
  signatureMismatch: 'SIGNATURE_MISMATCH',
  unknownInvoice: 'UNKNOWN_INVOICE',
  amountMismatch: 'AMOUNT_MISMATCH',
  currencyMismatch: 'CURRENCY_MISMATCH',
  stateConflict: 'CALLBACK_STATE_CONFLICT',
  late: 'PAYMENT_ON_CLOSED_INVOICE',
  surplus: 'PAYMENT_SURPLUS',
  surplusRefunded: 'PAYMENT_SURPLUS_REFUNDED',
  surplusRefundFailed: 'PAYMENT_SURPLUS_REFUND_FAILED',
  testPasswordsMissing: 'TEST_PASSWORDS_MISSING',
  ledgerError: 'LEDGER_ERROR',
  onPaidFailed: 'ON_PAID_FAILED',
} as const;

const C = NOTIFICATION_LOG_CODES;

const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

function isFormContentType(value: string | null): boolean {
  if (value === null || value.trim() === '') return true;
  return value.split(';')[0]?.trim().toLowerCase() === FORM_CONTENT_TYPE;
}

/** Guarded loggers by the logger they wrap and the gateway whose secrets they mask: made once, not per request. */
const guarded = new WeakMap<object, WeakMap<Gateway, Logger>>();
const defaultLoggers = new WeakMap<Gateway, Logger>();

/** The caller's logger (or JSON lines on the console) behind `guardLogger` with the gateway's secrets. */
export function gatewayLogger(gateway: Gateway, logger: Logger | undefined): Logger {
  if (logger === silentLogger) return silentLogger;
  if (logger === undefined) {
    let made = defaultLoggers.get(gateway);
    if (!made) {
      made = guardLogger(createJsonConsoleLogger(), gateway.secrets);
      defaultLoggers.set(gateway, made);
    }
    return made;
  }
  let byGateway = guarded.get(logger);
  if (!byGateway) {
    byGateway = new WeakMap();
    guarded.set(logger, byGateway);
  }
  let made = byGateway.get(gateway);
  if (!made) {
    made = guardLogger(logger, gateway.secrets);
    byGateway.set(gateway, made);
  }
  return made;
}

function rejected(code: RejectCode, status: RejectStatus = 400, message?: unknown): NotificationOutcome {
  return message === undefined ? { kind: 'rejected', code, status } : { kind: 'rejected', code, status, message };
}

function retry(code: RetryCode, message?: unknown): NotificationOutcome {
  return message === undefined ? { kind: 'retry', code } : { kind: 'retry', code, message };
}

/** Reads the notification's text: the query of a GET, the form body of a POST (bounded, UTF-8). */
async function readTransport(
  request: Request,
  gateway: Gateway,
  maxBytes: number,
  log: Logger,
): Promise<{ ok: true; text: string } | { ok: false; outcome: NotificationOutcome }> {
  const received = request.method;
  const method = received === 'GET' || received === 'POST' ? received : received.toUpperCase();
  if (method !== 'GET' && method !== 'POST') {
    log.warn(C.methodNotAllowed, { gateway: gateway.id, method: method.slice(0, 16) });
    return { ok: false, outcome: rejected('CALLBACK_METHOD_NOT_ALLOWED', 405) };
  }
  if (!gateway.notificationMethods.includes(method)) {
    log.warn(C.methodNotAllowed, { gateway: gateway.id, method });
    return { ok: false, outcome: rejected('CALLBACK_METHOD_NOT_ALLOWED', 405) };
  }
  if (method === 'GET') {
    const text = rawQuery(request);
    if (text.length > maxBytes) {
      log.warn(C.tooLarge, { gateway: gateway.id, method });
      return { ok: false, outcome: rejected('CALLBACK_TOO_LARGE', 414) };
    }
    return { ok: true, text };
  }
  if (!isFormContentType(request.headers.get('content-type'))) {
    // The body is left unread rather than cancelled: cancelling a body the runtime is still producing (undici's
    // multipart encoder) raises an unhandled error in Node.
    log.warn(C.unsupportedMediaType, { gateway: gateway.id, method });
    return { ok: false, outcome: rejected('CALLBACK_UNSUPPORTED_MEDIA_TYPE', 415) };
  }
  const body = await readBodyText(request, maxBytes);
  if (!body.ok) {
    log.warn(body.status === 413 ? C.tooLarge : C.malformed, { gateway: gateway.id, method, detail: body.detail });
    return {
      ok: false,
      outcome: rejected(body.status === 413 ? 'CALLBACK_TOO_LARGE' : 'CALLBACK_MALFORMED', body.status),
    };
  }
  return { ok: true, text: body.text };
}

/**
 * The use case on a web-standard Request: never throws, always a typed outcome. See `handleNotification` for the
 * Response, and docs/callbacks.md for every case and why.
 */
export async function processNotification(request: Request, deps: NotificationDeps): Promise<NotificationOutcome> {
  const { gateway, ledger } = deps;
  const log = gatewayLogger(gateway, deps.logger);

  const transport = await readTransport(request, gateway, deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, log);
  if (!transport.ok) return transport.outcome;

  const read = gateway.readNotification(transport.text);
  if (!read.ok) {
    log.warn(C.malformed, { gateway: gateway.id, detail: read.detail, invoiceId: read.invoiceId });
    return rejected('CALLBACK_MALFORMED');
  }
  const { invoiceId, message } = read;

  let record: PaymentRecord | undefined;
  try {
    record = await ledger.find({ gateway: gateway.id, invoiceId });
  } catch (error) {
    log.error(C.ledgerError, { gateway: gateway.id, invoiceId, operation: 'find', error });
    return retry('LEDGER_ERROR', message);
  }
  if (record === undefined) {
    // Whatever the signature says: if it is genuine, the gateway took money for an invoice this shop cannot match;
    // its retries and then its e-mail to the merchant put a human on it.
    log.error(C.unknownInvoice, { gateway: gateway.id, invoiceId });
    return rejected('UNKNOWN_INVOICE', 400, message);
  }

  // The record decides which secrets are valid: a free test payment must never settle a real invoice.
  const verified = gateway.verifyNotification(message, record);
  if (!verified.ok) {
    if (verified.reason === 'test_credentials_missing') {
      log.error(C.testPasswordsMissing, { gateway: gateway.id, invoiceId });
      return retry('TEST_PASSWORDS_MISSING', message);
    }
    if (verified.reason === 'malformed') {
      log.warn(C.malformed, { gateway: gateway.id, invoiceId, detail: verified.detail });
      return rejected('CALLBACK_MALFORMED', 400, message);
    }
    log.warn(C.signatureMismatch, { gateway: gateway.id, invoiceId, isTest: record.isTest, detail: verified.detail });
    return rejected('SIGNATURE_MISMATCH', 400, message);
  }
  const applied = await applyPaymentEvent(
    { ledger, logger: log, onSettled: deps.onSettled, gateway },
    record,
    verified.event,
    'notification',
    verified.message,
  );
  return withMessage(applied, message);
}

function withMessage(outcome: EventOutcome, message: unknown): NotificationOutcome {
  switch (outcome.kind) {
    case 'rejected':
      return rejected(outcome.code, 400, message);
    case 'retry':
      return retry(outcome.code, message);
    case 'after-refund':
      return { kind: 'after-refund', record: outcome.record, message };
    default:
      return { ...outcome, message };
  }
}

/** The use case with the gateway's reply: `app.post('/assist/notify', (req) => handleNotification(req, deps))`. */
export async function handleNotification(request: Request, deps: NotificationDeps): Promise<Response> {
  return deps.gateway.notificationReply(await processNotification(request, deps));
}

/** What applying one verified event did. */
export type EventOutcome =
  | { readonly kind: 'paid' | 'replay' | 'declined'; readonly record: PaymentRecord; readonly event: PaymentEvent }
  | { readonly kind: 'after-refund'; readonly record: PaymentRecord }
  | { readonly kind: 'rejected'; readonly code: RejectCode }
  | {
      readonly kind: 'retry';
      readonly code: RetryCode;
      /**
       * Set when this call did move the record (to `paid` or `held`) and only the settle step after it failed: the
       * record as the transition left it. A reconciliation counts it as moved and reports the settle failure.
       */
      readonly moved?: PaymentRecord | undefined;
    };

export interface ApplyEventDeps {
  ledger: PaymentLedger;
  /** Already guarded (see `gatewayLogger`). */
  logger: Logger;
  onSettled?: SettleStep | undefined;
  /**
   * The record's gateway: with it, a surplus payment (see `SettleVerdict`) is refunded at once when the gateway can
   * refund (`capabilities.refund`: Robokassa with Password #3). Without it the record is only flagged.
   */
  gateway?: Gateway | undefined;
}

/** The rouble's legacy code is RUR (Robokassa still writes it). */
export function sameCurrency(received: string, expected: string): boolean {
  const r = received.trim().toUpperCase();
  return r === expected || (expected === 'RUB' && r === 'RUR');
}

/**
 * States in which a paying event may carry less than the record's amount: a hold (captured partially) and the states
 * a captured hold moves on to, so that retries of the same notification are still answered. `pending` is not among
 * them: an ordinary payment must match exactly.
 */
const CAPTURABLE: ReadonlySet<PaymentState> = new Set([
  'held',
  'paid',
  'refund_requested',
  'partially_refunded',
  'refunded',
]);

/** A partial capture of a hold: above zero, at most the held amount, same currency. */
function acceptsCapture(record: PaymentRecord, amount: Money): boolean {
  return (
    CAPTURABLE.has(record.state) &&
    amount.currency === record.amount.currency &&
    amount.minor > 0n &&
    amount.minor <= record.amount.minor
  );
}

function amountMismatch(log: Logger, record: PaymentRecord, event: PaymentEvent): EventOutcome {
  log.error(C.amountMismatch, {
    gateway: record.gateway,
    invoiceId: record.invoiceId,
    expected: formatMoney(record.amount),
    received: formatMoney(event.amount),
    currency: record.amount.currency,
  });
  return { kind: 'rejected', code: 'AMOUNT_MISMATCH' };
}

/**
 * The one settle step (DESIGN §8): a verified event about `record` → checks against the shop's record → one
 * compare-and-set → `onSettled`. Whoever loses a race sees the winner's state and answers as a replay, so N copies of
 * one notification, a reconciliation and the buyer's return racing on one invoice produce exactly one `paid`.
 */
export async function applyPaymentEvent(
  deps: ApplyEventDeps,
  record: PaymentRecord,
  event: PaymentEvent,
  source: TransitionSource,
  message?: unknown,
): Promise<EventOutcome> {
  const { ledger, logger: log } = deps;
  const key = { gateway: record.gateway, invoiceId: record.invoiceId };
  const where = { gateway: record.gateway, invoiceId: record.invoiceId };

  if (
    (event.currency !== undefined && !sameCurrency(event.currency, record.amount.currency)) ||
    event.amount.currency !== record.amount.currency
  ) {
    log.error(C.currencyMismatch, {
      ...where,
      expected: record.amount.currency,
      received: (event.currency ?? event.amount.currency).slice(0, 8),
    });
    return { kind: 'rejected', code: 'CURRENCY_MISMATCH' };
  }

  if (event.kind === 'declined' || event.kind === 'cancelled') {
    // A declined attempt changes nothing: the buyer may pay the same invoice with another card. A hold the gateway
    // reports cancelled is released once; whoever already moved it wins.
    let current = record;
    if (event.kind === 'cancelled' && record.state === 'held') {
      try {
        const moved = await ledger.transition({
          ...key,
          from: ['held'],
          to: 'cancelled',
          source,
          patch: { details: event.details },
        });
        current = moved.record ?? record;
      } catch (error) {
        log.error(C.ledgerError, { ...where, operation: 'transition', error });
        return { kind: 'retry', code: 'LEDGER_ERROR' };
      }
    }
    log.info(C.declined, { ...where, event: event.kind, state: current.state });
    return { kind: 'declined', record: current, event };
  }

  // A pending invoice must be paid (or held) exactly. A hold may be captured partially, after which the gateway
  // reports the captured amount: once the record is `held` (or settled from a hold), any amount above zero and up to
  // the held one is accepted. Never more than the record.
  const exact = moneyEquals(event.amount, record.amount);
  if (!exact && (event.kind === 'held' || !acceptsCapture(record, event.amount))) {
    return amountMismatch(log, record, event);
  }

  const target: PaymentState = event.kind === 'held' ? 'held' : 'paid';
  const captured = exact ? {} : { captured: formatMoney(event.amount), held: formatMoney(record.amount) };
  let current = record;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    switch (current.state) {
      case 'pending':
      case 'held': {
        if (current.state === 'held' && target === 'held') return settled(deps, current, event, false, source, message);
        if (!exact && current.state === 'pending') return amountMismatch(log, record, event);
        let result: Awaited<ReturnType<PaymentLedger['transition']>>;
        try {
          const from: readonly PaymentState[] =
            target === 'held' ? ['pending'] : exact ? ['pending', 'held'] : ['held'];
          result = await ledger.transition({ ...key, from, to: target, source, patch: { details: event.details } });
        } catch (error) {
          log.error(C.ledgerError, { ...where, operation: 'transition', error });
          return { kind: 'retry', code: 'LEDGER_ERROR' };
        }
        if (result.applied) {
          log.info(target === 'held' ? C.held : C.paid, {
            ...where,
            isTest: event.isTest,
            from: current.state,
            source,
            ...captured,
          });
          return settled(deps, result.record, event, true, source, message);
        }
        if (result.record === undefined) {
          log.error(C.ledgerError, { ...where, operation: 'transition', detail: 'record vanished' });
          return { kind: 'retry', code: 'LEDGER_ERROR' };
        }
        current = result.record;
        continue;
      }
      case 'paid':
        log.info(C.replay, { ...where, isTest: event.isTest, source, ...captured });
        return settled(deps, current, event, false, source, message);
      case 'refund_requested':
      case 'partially_refunded':
      case 'refunded':
        // The payment did happen and was refunded later: confirm receipt so the gateway stops retrying, but do not
        // settle an order the shop has already refunded.
        log.info(C.afterRefund, { ...where, state: current.state, ...captured });
        return { kind: 'after-refund', record: current };
      case 'cancelled':
      case 'failed': {
        // The shop gave up on this invoice (superseded by a newer one, the cart changed, expired) yet the gateway
        // reports money received. A payment page cannot be withdrawn once issued, so a genuine, verified payment is
        // never refused: the record becomes `paid` once (compare-and-set), and the platform's settle step decides
        // whether it completes the order (the cart is still open and the amount matches) or is a surplus to give
        // back. A hold on a closed invoice is still refused: no money is taken, and the gateway releases it.
        if (target !== 'paid' || !exact) {
          log.error(C.stateConflict, { ...where, state: current.state, event: event.kind });
          return { kind: 'rejected', code: 'CALLBACK_STATE_CONFLICT' };
        }
        let result: Awaited<ReturnType<PaymentLedger['transition']>>;
        try {
          result = await ledger.transition({
            ...key,
            from: ['cancelled', 'failed'],
            to: 'paid',
            source,
            patch: { details: event.details },
          });
        } catch (error) {
          log.error(C.ledgerError, { ...where, operation: 'transition', error });
          return { kind: 'retry', code: 'LEDGER_ERROR' };
        }
        if (result.applied) {
          log.warn(C.late, { ...where, isTest: event.isTest, from: current.state, source });
          return settled(deps, result.record, event, true, source, message);
        }
        if (result.record === undefined) {
          log.error(C.ledgerError, { ...where, operation: 'transition', detail: 'record vanished' });
          return { kind: 'retry', code: 'LEDGER_ERROR' };
        }
        current = result.record;
        continue;
      }
    }
  }
  log.error(C.ledgerError, { ...where, operation: 'transition', detail: 'state kept changing' });
  return { kind: 'retry', code: 'LEDGER_ERROR' };
}

async function settled(
  deps: ApplyEventDeps,
  record: PaymentRecord,
  event: PaymentEvent,
  firstTime: boolean,
  source: TransitionSource,
  message: unknown,
): Promise<EventOutcome> {
  const kind = firstTime ? 'paid' : 'replay';
  // A surplus payment is accounted for once and for all: its retries are acknowledged, never settled again.
  if (deps.onSettled === undefined || record.surplus === true) return { kind, record, event };
  let verdict: void | SettleVerdict;
  try {
    verdict = await deps.onSettled(record, { firstTime, event, source, message });
  } catch (error) {
    // The gateway retries; the ledger keeps its state and the retry runs the step again with firstTime=false.
    deps.logger.error(C.onPaidFailed, { gateway: record.gateway, invoiceId: record.invoiceId, firstTime, error });
    return firstTime
      ? { kind: 'retry', code: 'ON_PAID_FAILED', moved: record }
      : { kind: 'retry', code: 'ON_PAID_FAILED' };
  }
  if (verdict !== 'surplus') return { kind, record, event };
  try {
    return { kind, record: await acceptSurplus(deps, record), event };
  } catch (error) {
    deps.logger.error(C.ledgerError, {
      gateway: record.gateway,
      invoiceId: record.invoiceId,
      operation: 'surplus',
      error,
    });
    return firstTime ? { kind: 'retry', code: 'LEDGER_ERROR', moved: record } : { kind: 'retry', code: 'LEDGER_ERROR' };
  }
}

/**
 * A payment the platform cannot use: flagged once in the ledger (whoever wins `markSurplus` gives the money back),
 * then refunded in full through the gateway when it can refund. A refund the gateway refuses or that fails leaves the
 * record `paid` and flagged, listed for the merchant's one-call refund (`refundSurplus`); one whose fate is unknown
 * stays `refund_requested` for reconciliation to finish — never sent twice.
 */
async function acceptSurplus(deps: ApplyEventDeps, record: PaymentRecord): Promise<PaymentRecord> {
  const key = { gateway: record.gateway, invoiceId: record.invoiceId };
  const marked = await deps.ledger.markSurplus(key);
  const current = marked.record ?? record;
  if (!marked.applied) return current;
  deps.logger.error(C.surplus, { ...key, amount: formatMoney(record.amount), currency: record.amount.currency });
  const gateway = deps.gateway;
  if (gateway === undefined || !gateway.capabilities.refund || current.state !== 'paid') return current;
  try {
    const refunded = await refundPayment({ gateway, ledger: deps.ledger }, current, { amount: current.amount });
    deps.logger.info(C.surplusRefunded, { ...key, state: refunded.state });
    return refunded;
  } catch (error) {
    deps.logger.error(C.surplusRefundFailed, { ...key, error });
    return (await deps.ledger.find(key)) ?? current;
  }
}

/**
 * The settle step again for a `paid` or `held` record the platform has not reflected yet (its first run failed, the
 * process died before it ran, or the payment was recorded and answered before settling): reconciliation, an admin's
 * refresh and the buyer's return call it. Throws what the settle step threw. A surplus verdict is handled as in
 * `applyPaymentEvent`.
 */
export async function settleRecord(
  deps: ApplyEventDeps,
  record: PaymentRecord,
  source: TransitionSource,
): Promise<PaymentRecord> {
  if (deps.onSettled === undefined || record.surplus === true) return record;
  if (record.state !== 'paid' && record.state !== 'held') return record;
  const verdict = await deps.onSettled(record, {
    firstTime: false,
    source,
    event: {
      kind: record.state === 'held' ? 'held' : 'paid',
      amount: record.amount,
      isTest: record.isTest,
      details: {},
    },
  });
  return verdict === 'surplus' ? acceptSurplus(deps, record) : record;
}
