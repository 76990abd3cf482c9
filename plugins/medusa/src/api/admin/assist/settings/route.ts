import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { backendUrl } from '../../../../lib/admin-request';
import { assistPublicUrl } from '../../../../lib/assist-urls';
import { robokassaModule } from '../../../../lib/scope';

/**
 * `GET /admin/assist/settings`: what a Settings → Assist page shows: the URLs to paste into Assist's personal account
 * (the notification URL, and the return URLs unless every payment names them itself), the merchant, mode, host and
 * checkvalue mode, and which secrets are set (yes/no, never their values). 404 when the shop has no Assist.
 */
export async function GET(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const plugin = robokassaModule(req.scope);
  if (!plugin.hasAssist()) {
    res.status(404).json({ type: 'not_found', message: 'Assist is not configured / Assist не настроен' });
    return;
  }
  const { assist, medusa } = plugin.assist().settings;
  const base = backendUrl(req, medusa.backendUrl);
  res.json({
    urls: {
      notification: { url: assistPublicUrl(base, 'notification'), method: 'POST' },
      return_ok: { url: assistPublicUrl(base, 'returnOk'), method: 'GET' },
      return_no: { url: assistPublicUrl(base, 'returnNo'), method: 'GET' },
    },
    // With backendUrl every payment sends URL_RETURN_OK/NO itself; the cabinet's return URLs are then a fallback.
    returns_sent_with_payment: Boolean(medusa.backendUrl),
    merchant_id: assist.merchantId,
    mode: assist.testMode ? 'test' : 'live',
    host: assist.baseUrl,
    region: assist.region,
    currency: assist.currency,
    checkvalue_mode: assist.checkvalueMode,
    hold: medusa.hold,
    secrets: { secret_word: true, login: assist.login !== undefined, password: assist.password !== undefined },
  });
}
