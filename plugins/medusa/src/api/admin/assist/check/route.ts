import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { checkAssistCredentials } from '../../../../lib/assist-check';
import { robokassaModule } from '../../../../lib/scope';

/**
 * `POST /admin/assist/check`: tells a wrong Merchant_ID, a wrong secret word (or checkvalue mode), a wrong
 * web-service login or password and an unreachable host apart (lib/assist-check.ts); never returns a secret.
 */
export async function POST(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const plugin = robokassaModule(req.scope);
  if (!plugin.hasAssist()) {
    res.status(404).json({ type: 'not_found', message: 'Assist is not configured / Assist не настроен' });
    return;
  }
  res.json(await checkAssistCredentials(plugin.assist().gateway));
}
