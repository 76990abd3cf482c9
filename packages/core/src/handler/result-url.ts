import type { PaymentLedger, PaymentRecord, TransitionRequest } from '../ledger/port.js';
import { createJsonConsoleLogger, guardLogger, type Logger, silentLogger } from '../log.js';
import { formatMoney, type Money, moneyEquals } from '../money.js';
import {
  type ResultCallback,
  readResultCallback,
  verifyReadResultCallback,
} from '../robokassa/callbacks/result-url.js';
import type { RobokassaConfig } from '../robokassa/config.js';
import type { Secret } from '../secret.js';
import { DEFAULT_MAX_BODY_BYTES, fixedResponse, rawQuery, readBodyText, textResponse } from './http.js';

export interface OnPaidContext {
  /**
   * True only for the call that moved the record to `paid`. False for every later ResultURL of the same invoice
   * (Robokassa's retries, duplicates, a retry after your `onPaid` failed): your handler must be idempotent, e.g.
   * "create the order for this reference unless it exists".
   */
  readonly firstTime: boolean;
  /**
   * The verified callback. `callback.amount` is what Robokassa says was paid: equal to `record.amount`, except after
   * a partial capture of a hold (`confirmHold` with a smaller OutSum), when it is the captured amount and
   * `record.amount` stays the held one. The ledger does not store the captured amount: keep it on your order here.
   */
  readonly callback: ResultCallback;
}

export interface ResultUrlHandlerDeps {
  config: RobokassaConfig;
  ledger: PaymentLedger;
  /** Default: JSON lines on the console. Whatever you pass only ever receives redacted fields. */
  logger?: Logger | undefined;
  /**
   * Runs after the ledger says `paid` and before Robokassa gets `OK{InvId}`: this is where a platform creates its
   * order. If it throws, the answer is 500 so Robokassa retries (up to four more times); the ledger keeps `paid`
   * and the retry calls `onPaid` again with `firstTime: false`.
   */
  onPaid?: ((record: PaymentRecord, context: OnPaidContext) => Promise<void>) | undefined;
  /** Largest POST body (and query string) accepted. Default 64 KiB; a real ResultURL is a few hundred bytes. */
  maxBodyBytes?: number | undefined;
}

/** Stable codes of the handler's log lines (see docs/callbacks.md). */
export const RESULT_URL_LOG_CODES = {
  paid: 'RESULT_URL_PAID',
  replay: 'RESULT_URL_REPLAY',
  afterRefund: 'RESULT_URL_AFTER_REFUND',
  methodNotAllowed: 'CALLBACK_METHOD_NOT_ALLOWED',
  tooLarge: 'CALLBACK_TOO_LARGE',
  unsupportedMediaType: 'CALLBACK_UNSUPPORTED_MEDIA_TYPE',
  malformed: 'CALLBACK_MALFORMED',
  signatureMismatch: 'SIGNATURE_MISMATCH',
  unknownInvoice: 'UNKNOWN_INVOICE',
  amountMismatch: 'AMOUNT_MISMATCH',
  currencyMismatch: 'CURRENCY_MISMATCH',
  stateConflict: 'CALLBACK_STATE_CONFLICT',
  testPasswordsMissing: 'TEST_PASSWORDS_MISSING',
  ledgerError: 'LEDGER_ERROR',
  onPaidFailed: 'ON_PAID_FAILED',
} as const;

const C = RESULT_URL_LOG_CODES;

/** States in which a paying ResultURL moves the record to `paid`. */
const PAYABLE = ['pending', 'held'] as const;

/** The only state a partial capture may settle (see `acceptsCapture`). */
const HELD = ['held'] as const;

/**
 * States in which a ResultURL may carry less than the record's amount: a hold (captured partially by Confirm) and
 * the states a captured hold moves on to, so that Robokassa's retries of the same notification are still answered.
 * `pending` is not among them: an ordinary payment must match exactly.
 */
const CAPTURABLE: ReadonlySet<PaymentRecord['state']> = new Set(['held', 'paid', 'partially_refunded', 'refunded']);

/** A partial capture of a hold: above zero, at most the held amount, same currency. */
function acceptsCapture(record: PaymentRecord, amount: Money): boolean {
  return (
    CAPTURABLE.has(record.state) &&
    amount.currency === record.amount.currency &&
    amount.minor > 0n &&
    amount.minor <= record.amount.minor
  );
}

const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

function isFormContentType(value: string | null): boolean {
  // What browsers and Robokassa send, checked before the general parse below.
  if (value === null || value === FORM_CONTENT_TYPE) return true;
  if (value.trim() === '') return true;
  return value.split(';')[0]?.trim().toLowerCase() === FORM_CONTENT_TYPE;
}

/** The secrets a handler's log lines are masked with (see `guardLogger`). */
function secretsOf(config: RobokassaConfig): Array<Secret | undefined> {
  return [config.password1, config.password2, config.testPassword1, config.testPassword2, config.password3];
}

interface GuardedLogger {
  readonly secrets: ReadonlyArray<Secret | undefined>;
  readonly logger: Logger;
}

/** Guarded loggers by the logger they wrap (the default one by config): made once, not on every request. */
const guardedByLogger = new WeakMap<Logger, GuardedLogger>();
const guardedDefaultByConfig = new WeakMap<RobokassaConfig, GuardedLogger>();

function sameSecrets(a: ReadonlyArray<Secret | undefined>, b: ReadonlyArray<Secret | undefined>): boolean {
  return a.length === b.length && a.every((secret, i) => secret === b[i]);
}

/**
 * The request's logger: the caller's (or the default console logger) behind `guardLogger`. Wrapping once per logger
 * instead of once per request keeps the per-request path free of it; a cached guard is reused only while the config
 * still holds the very secrets it masks. `silentLogger` drops every line, so there is nothing to redact for it.
 */
function handlerLogger(config: RobokassaConfig, logger: Logger | null | undefined): Logger {
  if (logger === silentLogger) return silentLogger;
  const secrets = secretsOf(config);
  const isDefault = logger === undefined || logger === null;
  // Only objects can be WeakMap keys; anything odd a JavaScript caller passes is wrapped per request, as before.
  const cacheable = isDefault || typeof logger === 'object' || typeof logger === 'function';
  const cache = isDefault ? guardedDefaultByConfig.get(config) : cacheable ? guardedByLogger.get(logger) : undefined;
  if (cache !== undefined && sameSecrets(cache.secrets, secrets)) return cache.logger;
  const guarded: GuardedLogger = { secrets, logger: guardLogger(logger ?? createJsonConsoleLogger(), secrets) };
  if (isDefault) guardedDefaultByConfig.set(config, guarded);
  else if (cacheable) guardedByLogger.set(logger, guarded);
  return guarded.logger;
}

/** Robokassa's legacy code for the rouble is RUR. */
function sameCurrency(received: string, expected: string): boolean {
  const r = received.trim().toUpperCase();
  return r === expected || (expected === 'RUB' && r === 'RUR');
}

/**
 * The exactly-once ResultURL use case on web-standard Request/Response (Node 18+, Deno, Bun, edge runtimes, or
 * any framework through an adapter).
 *
 * Flow: read the query (GET) or the form body (POST, ≤ 64 KiB) once → parse → find the record by InvId → verify the
 * Password #2 signature with the pair the record says (test or real) in constant time → compare OutSum with the
 * record as decimals (`100.000000` = `100.00`) → move `pending|held → paid` with a compare-and-set → `onPaid` →
 * `OK{InvId}` (text/plain). A replay of a paid invoice is answered `OK{InvId}` again; bad input gets 4xx with a fixed
 * body and changes nothing. See docs/callbacks.md for every case and why.
 */
export async function handleResultUrl(request: Request, deps: ResultUrlHandlerDeps): Promise<Response> {
  const { config, ledger } = deps;
  const log = handlerLogger(config, deps.logger);
  const maxBytes = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  // 1. Transport: GET query or POST form, bounded.
  // Request normalises GET and POST to upper case already; any other method is upper-cased here as before.
  const received = request.method;
  const method = received === 'GET' || received === 'POST' ? received : received.toUpperCase();
  let text: string;
  if (method === 'GET') {
    text = rawQuery(request);
    if (text.length > maxBytes) {
      log.warn(C.tooLarge, { method });
      return fixedResponse(414);
    }
  } else if (method === 'POST') {
    if (!isFormContentType(request.headers.get('content-type'))) {
      // The body is left unread rather than cancelled: cancelling a body the runtime is still producing (undici's
      // multipart encoder) raises an unhandled error in Node.
      log.warn(C.unsupportedMediaType, { method });
      return fixedResponse(415);
    }
    const body = await readBodyText(request, maxBytes);
    if (!body.ok) {
      log.warn(body.status === 413 ? C.tooLarge : C.malformed, { method, detail: body.detail });
      return fixedResponse(body.status);
    }
    text = body.text;
  } else {
    log.warn(C.methodNotAllowed, { method: method.slice(0, 16) });
    return fixedResponse(405, { allow: 'GET, POST' });
  }

  // 2. Parse (nothing trusted yet).
  const read = readResultCallback(text);
  if (!read.ok) {
    log.warn(C.malformed, { method, detail: read.detail, invId: read.invId });
    return fixedResponse(400);
  }
  const { invId } = read;

  // 3. The record decides which password pair is valid: a free test payment must never settle a real invoice.
  let record: PaymentRecord | undefined;
  try {
    record = await ledger.findByInvId(invId);
  } catch (error) {
    log.error(C.ledgerError, { invId, operation: 'findByInvId', error });
    return fixedResponse(500);
  }
  if (record === undefined) {
    // Unknown InvId: 400 whatever the signature says. If the signature is genuine, Robokassa took money for an
    // invoice this shop cannot match; its retries then its e-mail to the merchant put a human on it.
    const probe = verifyReadResultCallback(config, read);
    if (probe.ok) log.error(C.unknownInvoice, { invId, isTest: probe.callback.isTest, outSum: read.outSum });
    else log.warn(C.signatureMismatch, { invId, known: false, detail: probe.detail });
    return fixedResponse(400);
  }

  // 4. Verify.
  const verified = verifyReadResultCallback(config, read, {
    isTest: record.isTest,
    currency: record.amount.currency,
  });
  if (!verified.ok) {
    if (verified.reason === 'test_passwords_missing') {
      log.error(C.testPasswordsMissing, { invId });
      return fixedResponse(500);
    }
    log.warn(C.signatureMismatch, { invId, known: true, isTest: record.isTest, detail: verified.detail });
    return fixedResponse(400);
  }
  const callback = verified.callback;

  // 5. Amount and currency against the shop's own record, never against what the callback claims alone.
  if (callback.outSumCurrency !== undefined && !sameCurrency(callback.outSumCurrency, record.amount.currency)) {
    log.error(C.currencyMismatch, {
      invId,
      expected: record.amount.currency,
      received: callback.outSumCurrency.slice(0, 8),
    });
    return fixedResponse(400);
  }
  // A pending invoice must be paid exactly. A hold may be captured partially (`confirmHold` with a smaller OutSum),
  // after which Robokassa's ResultURL carries the captured amount: once the record is `held` (or already settled
  // from a hold), any amount above zero and up to the held one is accepted. Never more than the record.
  const exact = moneyEquals(callback.amount, record.amount);
  if (!exact && !acceptsCapture(record, callback.amount)) {
    log.error(C.amountMismatch, {
      invId,
      expected: formatMoney(record.amount),
      received: callback.outSum,
      currency: record.amount.currency,
    });
    return fixedResponse(400);
  }

  // 6. Exactly once: compare-and-set in the ledger; whoever loses sees the winner's state and answers as a replay.
  const captured = exact ? {} : { captured: formatMoney(callback.amount), held: formatMoney(record.amount) };
  const settled: Settlement = { deps, log, callback, invId, invIdRaw: read.invIdRaw };
  let current: PaymentRecord = record;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    switch (current.state) {
      case 'pending':
      case 'held': {
        if (!exact && current.state === 'pending') {
          // Only a hold can be captured partially; a pending invoice is paid in full or not at all.
          log.error(C.amountMismatch, {
            invId,
            expected: formatMoney(record.amount),
            received: callback.outSum,
            currency: record.amount.currency,
          });
          return fixedResponse(400);
        }
        let result: Awaited<ReturnType<PaymentLedger['transition']>>;
        try {
          const patch = paidPatch(callback);
          const from = exact ? PAYABLE : HELD;
          result = await ledger.transition({ invId, from, to: 'paid', source: 'result_url', patch });
        } catch (error) {
          log.error(C.ledgerError, { invId, operation: 'transition', error });
          return fixedResponse(500);
        }
        if (result.applied) {
          log.info(C.paid, { invId, isTest: callback.isTest, from: current.state, ...captured });
          return settle(settled, result.record, true);
        }
        if (result.record === undefined) {
          log.error(C.ledgerError, { invId, operation: 'transition', detail: 'record vanished' });
          return fixedResponse(500);
        }
        current = result.record;
        continue;
      }
      case 'paid':
        log.info(C.replay, { invId, isTest: callback.isTest, ...captured });
        return settle(settled, current, false);
      case 'partially_refunded':
      case 'refunded':
        // The payment did happen and was refunded later: confirm receipt so Robokassa stops retrying, but do not
        // run onPaid again for an order the shop has already refunded.
        log.info(C.afterRefund, { invId, state: current.state, ...captured });
        return okResponse(read.invIdRaw);
      case 'cancelled':
      case 'failed':
        // The shop gave up on this invoice (cancelled hold, expired attempt) yet Robokassa reports money received.
        // Neither silently fulfilling nor silently accepting is right: answer 400 so the retries end in Robokassa's
        // e-mail to the merchant, and log an error; a human refunds or fulfils.
        log.error(C.stateConflict, { invId, state: current.state });
        return fixedResponse(400);
    }
  }
  log.error(C.ledgerError, { invId, operation: 'transition', detail: 'state kept changing' });
  return fixedResponse(500);
}

/** Facts learned from a paying callback, stored with the transition. */
function paidPatch(callback: ResultCallback): NonNullable<TransitionRequest['patch']> {
  const patch: { paymentMethod?: string; incCurrLabel?: string; fee?: string } = {};
  if (callback.paymentMethod !== undefined) patch.paymentMethod = callback.paymentMethod;
  if (callback.incCurrLabel !== undefined) patch.incCurrLabel = callback.incCurrLabel;
  if (callback.fee !== undefined) patch.fee = callback.fee;
  return patch;
}

/** Robokassa's success answer: `OK` and the InvId exactly as it sent it. */
function okResponse(invIdRaw: string): Response {
  return textResponse(200, `OK${invIdRaw}`);
}

/** What `settle` needs from the request being handled. */
interface Settlement {
  readonly deps: ResultUrlHandlerDeps;
  readonly log: Logger;
  readonly callback: ResultCallback;
  readonly invId: number;
  readonly invIdRaw: string;
}

/** Runs `onPaid` (if any) for a paid record and answers; a replay without `onPaid` answers without awaiting. */
function settle(settlement: Settlement, paid: PaymentRecord, firstTime: boolean): Response | Promise<Response> {
  const onPaid = settlement.deps.onPaid;
  if (onPaid === undefined) return okResponse(settlement.invIdRaw);
  return runOnPaid(settlement, onPaid, paid, firstTime);
}

async function runOnPaid(
  settlement: Settlement,
  onPaid: NonNullable<ResultUrlHandlerDeps['onPaid']>,
  paid: PaymentRecord,
  firstTime: boolean,
): Promise<Response> {
  try {
    await onPaid(paid, { firstTime, callback: settlement.callback });
  } catch (error) {
    // 500 makes Robokassa retry; the ledger stays `paid` and the retry calls onPaid with firstTime=false.
    settlement.log.error(C.onPaidFailed, { invId: settlement.invId, firstTime, error });
    return fixedResponse(500);
  }
  return okResponse(settlement.invIdRaw);
}

/** `handleResultUrl` with its dependencies bound: `app.all('/robokassa/result', createResultUrlHandler(deps))`. */
export function createResultUrlHandler(deps: ResultUrlHandlerDeps): (request: Request) => Promise<Response> {
  return (request) => handleResultUrl(request, deps);
}
