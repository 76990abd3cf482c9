/**
 * A hold announced on a channel of its own (Robokassa's ResultUrl2, protocol §2.2), for every platform: the same
 * settle step as the ordinary notification (`applyPaymentEvent`, source `hold_notification`), so `pending → held`
 * happens once whichever path learns of the hold first.
 *
 * The reply is plain text: `200 OK` when the message was taken (or changes nothing), a fixed 400 for a token that does
 * not verify, an unknown or test invoice, a wrong amount or a cancelled invoice, and 500 when the ledger or the
 * platform failed, so the gateway sends it again.
 */
import type { HoldNotification } from './gateway.js';
import { DEFAULT_MAX_BODY_BYTES, fixedResponse, readBodyText, textResponse } from './http.js';
import type { PaymentRecord } from './ledger/port.js';
import { applyPaymentEvent, type EventOutcome, gatewayLogger, type NotificationDeps } from './notification.js';

export type HoldNotificationOutcome =
  | EventOutcome
  /** A verified message that changes nothing (ResultUrl2 `OK`). */
  | { readonly kind: 'ignored'; readonly invoiceId: string }
  /** The gateway has no hold channel, or it is not configured (no certificate): nothing can be verified. */
  | { readonly kind: 'unavailable'; readonly code: string };

type Transport = { ok: true; text: string } | { ok: false; status: 405 | 400 | 413 };

async function readToken(request: Request, maxBytes: number): Promise<Transport> {
  if (request.method.toUpperCase() !== 'POST') return { ok: false, status: 405 };
  const body = await readBodyText(request, maxBytes);
  return body.ok ? { ok: true, text: body.text.trim() } : { ok: false, status: body.status };
}

/** Reads, verifies and applies one hold notification. Never throws. */
export async function processHoldNotification(token: string, deps: NotificationDeps): Promise<HoldNotificationOutcome> {
  const { gateway, ledger } = deps;
  const log = gatewayLogger(gateway, deps.logger);
  if (gateway.readHoldNotification === undefined) {
    log.warn('HOLD_NOTIFICATION_UNSUPPORTED', { gateway: gateway.id });
    return { kind: 'unavailable', code: 'HOLD_NOTIFICATION_UNSUPPORTED' };
  }
  const read: HoldNotification = gateway.readHoldNotification(token);
  if (!read.ok) {
    log.warn(read.code, { gateway: gateway.id, kind: 'hold_notification', detail: read.detail });
    return read.code.endsWith('_NOT_CONFIGURED')
      ? { kind: 'unavailable', code: read.code }
      : { kind: 'rejected', code: 'SIGNATURE_MISMATCH' };
  }
  if (read.event === undefined) {
    log.info('HOLD_NOTIFICATION_IGNORED', { gateway: gateway.id, invoiceId: read.invoiceId });
    return { kind: 'ignored', invoiceId: read.invoiceId };
  }
  let record: PaymentRecord | undefined;
  try {
    record = await ledger.find({ gateway: gateway.id, invoiceId: read.invoiceId });
  } catch (error) {
    log.error('LEDGER_ERROR', { gateway: gateway.id, invoiceId: read.invoiceId, operation: 'find', error });
    return { kind: 'retry', code: 'LEDGER_ERROR' };
  }
  if (record === undefined) {
    log.error('UNKNOWN_INVOICE', { gateway: gateway.id, kind: 'hold_notification', invoiceId: read.invoiceId });
    return { kind: 'rejected', code: 'UNKNOWN_INVOICE' };
  }
  if (record.isTest !== read.event.isTest) {
    // Robokassa has no test holds and a plugin never names the hold channel for a test invoice.
    log.error('CALLBACK_STATE_CONFLICT', { gateway: gateway.id, kind: 'hold_notification', invoiceId: read.invoiceId });
    return { kind: 'rejected', code: 'CALLBACK_STATE_CONFLICT' };
  }
  return applyPaymentEvent({ ledger, logger: log, onSettled: deps.onSettled }, record, read.event, 'hold_notification');
}

const STATUS: Record<HoldNotificationOutcome['kind'], 200 | 400 | 500> = {
  paid: 200,
  replay: 200,
  'after-refund': 200,
  declined: 200,
  ignored: 200,
  rejected: 400,
  // Without a certificate nothing can be verified, and a plugin names the channel only when one is configured: what
  // arrives here is not the gateway's.
  unavailable: 400,
  retry: 500,
};

/** The hold channel on a web-standard Request: `app.post('/robokassa/result2', (req) => handleHoldNotification(req, deps))`. */
export async function handleHoldNotification(request: Request, deps: NotificationDeps): Promise<Response> {
  const transport = await readToken(request, deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  if (!transport.ok) return fixedResponse(transport.status);
  const outcome = await processHoldNotification(transport.text, deps);
  const status = STATUS[outcome.kind];
  return status === 200 ? textResponse(200, 'OK') : fixedResponse(status);
}
