import type { KeyObject } from 'node:crypto';
import {
  compareMoney,
  formatMoney,
  type Money,
  type PaymentRecord,
  parseGatewayMoney,
  resultUrl2PublicKey,
  verifyResultUrl2,
} from '@kassa/core';
import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { ContainerRegistrationKeys } from '@medusajs/framework/utils';
import { kassaLogger } from '../../../lib/logger';
import { robokassaModule } from '../../../lib/scope';
import { ensureSettledInMedusa } from '../../../lib/settle';

/**
 * ResultUrl2 (`https://<medusa>/robokassa/result2`, protocol §2.2). Not a cabinet field: the provider names it in
 * every live payment when `resultUrl2Certificate` is configured. Robokassa POSTs a compact RS256 JWS (sent as
 * `application/json`, but the body is the bare token, so Medusa's body parser is off for this route and the raw
 * bytes are read here).
 *
 * - A token that does not verify with the configured certificate and login: fixed `400 bad request`, nothing changes.
 * - `state: HOLD` — for a hold this is the only notification Robokassa sends. The invoice moves `pending → held` once
 *   (source `result_url2`, with the opKey) and Medusa gets the order with an authorized payment, through the same
 *   code path ResultURL uses. A failure there answers 500 so Robokassa retries (at most five times); SuccessURL and
 *   the reconcile job remain as fallbacks.
 * - `state: OK` — answered 200 and otherwise ignored: ResultURL, signed with Password #2, is the callback that settles
 *   payments (exact amount, test/real password pair, exactly once), and Robokassa sends it too, also after a Confirm.
 *   Settling here as well would be a second, weaker path to `paid`.
 *
 * Any 2xx ends Robokassa's retries; we answer `200 OK`.
 */

/** A real notification is under 2 KiB; core refuses tokens over 16 KiB anyway. */
const MAX_BODY_BYTES = 64 * 1024;

const keys = new Map<string, KeyObject>();
function keyOf(pem: string): KeyObject {
  let key = keys.get(pem);
  if (!key) {
    key = resultUrl2PublicKey(pem);
    keys.set(pem, key);
  }
  return key;
}

/** The raw body: Medusa's JSON parser is disabled for this route (middlewares.ts), so the stream is still unread. */
async function readBody(req: MedusaRequest): Promise<string | undefined> {
  const raw = (req as MedusaRequest & { rawBody?: Buffer | string }).rawBody;
  if (raw !== undefined) return raw.toString();
  if (typeof req.body === 'string') return req.body;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function answer(res: MedusaResponse, status: number, body: string): void {
  res.status(status).setHeader('cache-control', 'no-store');
  res.type('text/plain').send(body);
}

export async function POST(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const robokassa = robokassaModule(req.scope);
  const { robokassa: config, medusa } = robokassa.settings();
  const log = kassaLogger(req.scope.resolve(ContainerRegistrationKeys.LOGGER));
  if (!medusa.resultUrl2Certificate) {
    // We never advertised this URL: nothing can be verified, so nothing is accepted.
    log.warn('RESULT_URL2_NOT_CONFIGURED', { hint: 'set resultUrl2Certificate to accept ResultUrl2' });
    answer(res, 400, 'bad request');
    return;
  }
  const body = await readBody(req);
  if (body === undefined) {
    log.warn('CALLBACK_TOO_LARGE', { kind: 'result_url2' });
    answer(res, 413, 'payload too large');
    return;
  }
  const verified = verifyResultUrl2(body, {
    publicKey: keyOf(medusa.resultUrl2Certificate),
    merchantLogin: config.login,
  });
  if (!verified.ok) {
    // `detail` names what is wrong, never the token.
    log.warn(verified.code, { kind: 'result_url2', reason: verified.reason, detail: verified.detail });
    answer(res, 400, 'bad request');
    return;
  }
  const notification = verified.notification;
  const { invId } = notification;

  if (notification.state === 'OK') {
    // ResultURL settles payments (see above); this copy only confirms what it already did or is about to do.
    log.info('RESULT_URL2_OK_IGNORED', { invId });
    answer(res, 200, 'OK');
    return;
  }

  let record: PaymentRecord | undefined;
  try {
    record = await robokassa.ledger.findByInvId(invId);
    if (!record) {
      log.error('UNKNOWN_INVOICE', { kind: 'result_url2', invId });
      answer(res, 400, 'bad request');
      return;
    }
    // A hold is for exactly the invoice's amount. Caveat: `incSum` is what the buyer was charged; if the shop has
    // the buyer pay Robokassa's commission it exceeds OutSum, such holds are refused here (logged) and are settled
    // by SuccessURL or the reconcile job (OpStateExt), which compare OutSum.
    let incAmount: Money | undefined;
    try {
      incAmount = parseGatewayMoney(notification.incSum, record.amount.currency);
    } catch {
      incAmount = undefined;
    }
    if (!incAmount || compareMoney(incAmount, record.amount) !== 0) {
      log.error('AMOUNT_MISMATCH', {
        kind: 'result_url2',
        invId,
        incSum: notification.incSum,
        expected: formatMoney(record.amount),
      });
      answer(res, 400, 'bad request');
      return;
    }
    if (record.isTest) {
      // Robokassa sends no ResultUrl2 in test mode, and we never name it for a test invoice.
      log.error('CALLBACK_STATE_CONFLICT', { kind: 'result_url2', invId, state: 'test invoice' });
      answer(res, 400, 'bad request');
      return;
    }
    if (record.state === 'pending') {
      const moved = await robokassa.ledger.transition({
        invId,
        from: ['pending'],
        to: 'held',
        source: 'result_url2',
        patch: {
          opKey: notification.opKey,
          ...(notification.paymentMethod ? { paymentMethod: notification.paymentMethod } : {}),
        },
      });
      record = moved.record ?? record;
      if (moved.applied) log.info('RESULT_URL2_HELD', { invId });
    }
  } catch (error) {
    log.error('LEDGER_ERROR', { kind: 'result_url2', invId, error });
    answer(res, 500, 'internal error');
    return;
  }

  switch (record.state) {
    case 'held':
      try {
        // The same path ResultURL's onPaid takes; a `held` record makes processPaymentWorkflow authorize, not capture.
        await ensureSettledInMedusa(req.scope, record);
      } catch (error) {
        log.error('ON_PAID_FAILED', { kind: 'result_url2', invId, error });
        answer(res, 500, 'internal error');
        return;
      }
      answer(res, 200, 'OK');
      return;
    case 'paid':
    case 'partially_refunded':
    case 'refunded':
      // Already captured (or settled by ResultURL): a late or repeated HOLD changes nothing.
      log.info('RESULT_URL2_REPLAY', { invId, state: record.state });
      answer(res, 200, 'OK');
      return;
    default:
      log.error('CALLBACK_STATE_CONFLICT', { kind: 'result_url2', invId, state: record.state });
      answer(res, 400, 'bad request');
  }
}
