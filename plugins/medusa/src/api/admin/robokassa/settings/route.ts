import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { backendUrl } from '../../../../lib/admin-request';
import { robokassaModule } from '../../../../lib/scope';
import { publicUrl } from '../../../../lib/urls';

/**
 * `GET /admin/robokassa/settings`: what the Settings → Robokassa page shows: the three URLs to paste into the cabinet
 * («Технические настройки») plus the per-payment ResultUrl2 when configured, the mode and algorithm, and which passwords are set (yes/no, never their values).
 */
export async function GET(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const { robokassa, medusa } = robokassaModule(req.scope).settings();
  const base = backendUrl(req, medusa.backendUrl);
  res.json({
    urls: {
      result: { url: publicUrl(base, 'result'), method: 'POST' },
      success: { url: publicUrl(base, 'success'), method: 'GET' },
      fail: { url: publicUrl(base, 'fail'), method: 'GET' },
      // Not a cabinet field: sent with every live payment (ResultUrl2) when the certificate is configured.
      ...(medusa.resultUrl2Certificate && medusa.backendUrl
        ? { result2: { url: publicUrl(medusa.backendUrl, 'result2'), method: 'POST' } }
        : {}),
    },
    login: robokassa.login,
    mode: robokassa.testMode ? 'test' : 'live',
    algorithm: robokassa.algorithm,
    country: robokassa.country,
    hold: medusa.hold,
    receipts: medusa.receipt ? { sno: medusa.receipt.sno ?? null, tax: medusa.receipt.tax } : null,
    passwords: {
      password1: true,
      password2: true,
      testPassword1: Boolean(robokassa.testPassword1),
      testPassword2: Boolean(robokassa.testPassword2),
      password3: Boolean(robokassa.password3),
    },
    gateway: robokassa.baseUrls.merchant,
  });
}
