import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { medusaErrors } from '../../../../lib/errors';
import { robokassaModule } from '../../../../lib/scope';
import { methodsRequest } from '../../../../lib/store-methods';

/**
 * `GET /store/robokassa/methods?cart_id=…&lang=ru`: the ways to pay this cart's total (card, SBP, wallets…), from
 * Robokassa's catalog filtered by each method's limits. The storefront shows them and passes the chosen
 * `inc_curr_label` as session data. `chooser: "robokassa"` means "show no list, Robokassa's page will ask".
 */
export async function GET(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const request = await methodsRequest(req);
  const result = await medusaErrors(() => robokassaModule(req.scope).gateway().catalog.methodsFor(request));
  res.json({ chooser: result.chooser, source: result.source, methods: result.methods });
}
