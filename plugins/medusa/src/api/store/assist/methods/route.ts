import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { medusaErrors } from '../../../../lib/errors';
import { robokassaModule } from '../../../../lib/scope';
import { methodsRequest } from '../../../../lib/store-methods';

/**
 * `GET /store/assist/methods?cart_id=…&lang=ru`: the means a storefront may offer for this cart (card, SBP,
 * wallets), passed back as the session's `method` so Assist's page shows only that one. Assist has no catalog
 * service: the list is core's, and the merchant's contract decides which of them really work (`chooser: "shop"`).
 */
export async function GET(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const request = await methodsRequest(req);
  const result = await medusaErrors(() => robokassaModule(req.scope).assist().gateway.methods(request));
  res.json({ chooser: result.chooser, methods: result.methods.map((m) => ({ code: m.code, label: m.label })) });
}
