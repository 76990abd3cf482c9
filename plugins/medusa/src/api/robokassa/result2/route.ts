import { applyPaymentEvent, type EventOutcome } from '@kassa/core';
import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { readRawBody } from '../../../lib/http';
import { invoiceKey } from '../../../lib/record-view';
import { robokassaModule } from '../../../lib/scope';
import { settleStep } from '../../../lib/settle';

/**
 * ResultUrl2 (`https://<medusa>/robokassa/result2`, protocol §2.2), named in every live payment when
 * `resultUrl2Certificate` is configured. The gateway verifies the RS256 JWS (a bare token, read raw: Medusa's body
 * parser is off for this route). `HOLD`, a hold's only notification, goes through core's settle step (source
 * `hold_notification`): `pending → held` once, and Medusa gets the order with an authorized payment. `OK` is answered
 * and ignored: ResultURL (Password #2, exact amount) settles payments, also after a capture. Answers: `200 OK`;
 * a fixed 400 for a token that does not verify, an unknown or test invoice, a wrong amount or a cancelled invoice;
 * 500 when the ledger or Medusa failed, so Robokassa retries (at most five times).
 */
function answer(res: MedusaResponse, status: 200 | 400 | 413 | 500): void {
  const body = { 200: 'OK', 400: 'bad request', 413: 'payload too large', 500: 'internal error' }[status];
  res.status(status).setHeader('cache-control', 'no-store');
  res.type('text/plain').send(body);
}

const STATUS: Record<EventOutcome['kind'], 200 | 400 | 500> = {
  paid: 200,
  replay: 200,
  'after-refund': 200,
  declined: 200,
  rejected: 400,
  retry: 500,
};

export async function POST(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const robokassa = robokassaModule(req.scope);
  const log = robokassa.log();
  const body = await readRawBody(req);
  if (body === undefined) return answer(res, 413);
  const read = robokassa.gateway().readHoldNotification(body);
  if (!read.ok) {
    log.warn(read.code, { kind: 'result_url2', detail: read.detail });
    return answer(res, 400);
  }
  if (read.event === undefined) {
    log.info('RESULT_URL2_OK_IGNORED', { invoiceId: read.invoiceId });
    return answer(res, 200);
  }
  const record = await robokassa.ledger.find(invoiceKey(read.invoiceId)).catch((error: unknown) => {
    log.error('LEDGER_ERROR', { kind: 'result_url2', invoiceId: read.invoiceId, error });
    return null;
  });
  if (record === null) return answer(res, 500);
  if (record === undefined || record.isTest) {
    // Robokassa sends no ResultUrl2 in test mode, and the plugin never names it for a test invoice.
    log.error(record ? 'CALLBACK_STATE_CONFLICT' : 'UNKNOWN_INVOICE', {
      kind: 'result_url2',
      invoiceId: read.invoiceId,
    });
    return answer(res, 400);
  }
  const deps = { ledger: robokassa.ledger, logger: log, onSettled: settleStep(req.scope) };
  const outcome = await applyPaymentEvent(deps, record, read.event, 'hold_notification');
  answer(res, STATUS[outcome.kind]);
}
