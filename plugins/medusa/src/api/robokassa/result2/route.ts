import { FIXED_BODIES, processHoldNotification } from '@kassa/core';
import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { readRawBody } from '../../../lib/http';
import { settleOutbox } from '../../../lib/outbox';
import { robokassaModule } from '../../../lib/scope';

/**
 * ResultUrl2 (`https://<medusa>/robokassa/result2`, protocol §2.2), named in every live payment when
 * `resultUrl2Certificate` is configured: core's hold-notification use case over the raw token (Medusa's body parser
 * is off for this route). `HOLD` goes through the same settle step as ResultURL: `pending → held` once, and Medusa
 * gets the order with an authorized payment. `OK` is answered and ignored (ResultURL settles payments). A token that
 * does not verify, an unknown or test invoice, a wrong amount or a cancelled invoice gets a fixed 400; a ledger or
 * Medusa failure 500, so Robokassa retries (at most five times).
 */
function answer(res: MedusaResponse, status: 200 | 400 | 413 | 500): void {
  res.status(status).setHeader('cache-control', 'no-store');
  res.type('text/plain').send(status === 200 ? 'OK' : FIXED_BODIES[status]);
}

export async function POST(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const robokassa = robokassaModule(req.scope);
  const body = await readRawBody(req);
  if (body === undefined) return answer(res, 413);
  const outcome = await processHoldNotification(body.trim(), {
    gateway: robokassa.gateway(),
    ledger: robokassa.ledger,
    logger: robokassa.log(),
    onSettled: settleOutbox(req.scope, 'robokassa').step,
  });
  if (outcome.kind === 'retry') return answer(res, 500);
  answer(res, outcome.kind === 'rejected' || outcome.kind === 'unavailable' ? 400 : 200);
}
