import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { checkCredentials } from '../../../../lib/credentials-check';
import { robokassaModule } from '../../../../lib/scope';

/** `POST /admin/robokassa/check`: tells a wrong login from a wrong Password #2 from an unreachable host. */
export async function POST(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  res.json(await checkCredentials(robokassaModule(req.scope).settings().robokassa));
}
