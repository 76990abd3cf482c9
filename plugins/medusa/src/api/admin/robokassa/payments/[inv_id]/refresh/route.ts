import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { MedusaError } from '@medusajs/framework/utils';
import { z } from 'zod';
import { medusaErrors } from '../../../../../../lib/errors';
import { syncWithGateway } from '../../../../../../lib/gateway-state';
import { recordView } from '../../../../../../lib/record-view';
import { robokassaModule } from '../../../../../../lib/scope';

const params = z.object({
  inv_id: z.coerce
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1),
});

/**
 * `POST /admin/robokassa/payments/:inv_id/refresh`: asks Robokassa (OpStateExt) about a pending or held invoice and
 * moves the ledger through the same exactly-once transitions as the callback; the order widget's "Refresh" button.
 */
export async function POST(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const parsed = params.safeParse(req.params);
  if (!parsed.success) throw new MedusaError(MedusaError.Types.INVALID_DATA, 'inv_id must be an InvId');
  const robokassa = robokassaModule(req.scope);
  const record = await robokassa.ledger.findByInvId(parsed.data.inv_id);
  if (!record) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Robokassa invoice ${parsed.data.inv_id} not found`);
  const updated = await medusaErrors(() =>
    syncWithGateway({ config: robokassa.settings().robokassa, ledger: robokassa.ledger }, record),
  );
  res.json({ robokassa: recordView(updated) });
}
