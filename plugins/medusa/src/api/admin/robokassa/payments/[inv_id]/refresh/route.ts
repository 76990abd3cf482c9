import { refreshPayment } from '@kassa/core';
import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { MedusaError } from '@medusajs/framework/utils';
import { z } from 'zod';
import { medusaErrors } from '../../../../../../lib/errors';
import { invoiceKey, recordView } from '../../../../../../lib/record-view';
import { robokassaModule } from '../../../../../../lib/scope';
import { settleStep } from '../../../../../../lib/settle';

const params = z.object({
  inv_id: z.coerce
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1),
});

/**
 * `POST /admin/robokassa/payments/:inv_id/refresh`, the order widget's "Refresh": core's per-record refresh asks
 * Robokassa (OpStateExt) about a pending or held invoice and applies what it says through the same settle step as
 * the callback, so a payment found paid or held also gets its order.
 */
export async function POST(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const parsed = params.safeParse(req.params);
  if (!parsed.success) throw new MedusaError(MedusaError.Types.INVALID_DATA, 'inv_id must be an InvId');
  const robokassa = robokassaModule(req.scope);
  const record = await robokassa.ledger.find(invoiceKey(parsed.data.inv_id));
  if (!record) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Robokassa invoice ${parsed.data.inv_id} not found`);
  const { medusa } = robokassa.settings();
  const deps = {
    gateway: robokassa.gateway(),
    ledger: robokassa.ledger,
    logger: robokassa.log(),
    onSettled: settleStep(req.scope),
    notFoundMaxAgeMs: medusa.expireAfterHours * 3_600_000,
  };
  const updated = await medusaErrors(() => refreshPayment(deps, record, 'admin'));
  res.json({ robokassa: recordView(updated.record) });
}
