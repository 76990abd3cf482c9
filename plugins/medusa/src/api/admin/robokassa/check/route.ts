import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { robokassaModule } from '../../../../lib/scope';

/**
 * `POST /admin/robokassa/check`: the gateway's credentials check (GetCurrencies, then a signed OpStateExt) tells a
 * wrong shop id from a wrong Password #2 from an unreachable host; it never returns a secret.
 */
export async function POST(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  res.json(await robokassaModule(req.scope).gateway().checkCredentials());
}
