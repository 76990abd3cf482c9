/** Server-rendered pages with Polaris' look (tokens and layout, no React: a non-embedded app needs no App Bridge). */
import type { CredentialsReport, PaymentRedirect } from '@kassa/core';
import { type GatewaySettings, SECRET_KEYS } from './gateways.js';

export function esc(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const POLARIS_CSS = `
:root{--p-color-bg:#f1f1f1;--p-color-bg-surface:#fff;--p-color-text:#303030;--p-color-text-secondary:#616161;
--p-color-border:#e3e3e3;--p-color-bg-fill-brand:#303030;--p-color-text-critical:#8e1f0b;--p-color-bg-critical:#fedad9;
--p-color-bg-success:#cdfee1;--p-color-text-success:#0c5132;--p-border-radius-300:12px;--p-border-radius-200:8px;
--p-font:-apple-system,BlinkMacSystemFont,"San Francisco","Segoe UI",Roboto,"Helvetica Neue",sans-serif}
*{box-sizing:border-box}body{margin:0;background:var(--p-color-bg);color:var(--p-color-text);font:13px/20px var(--p-font)}
.Page{max-width:998px;margin:0 auto;padding:24px 16px}.Page h1{font-size:20px;line-height:24px;font-weight:650;margin:0 0 16px}
.Card{background:var(--p-color-bg-surface);border-radius:var(--p-border-radius-300);box-shadow:0 1px 0 rgba(26,26,26,.07),0 0 0 1px rgba(0,0,0,.04);padding:16px;margin-bottom:16px}
.Card h2{font-size:14px;font-weight:650;margin:0 0 12px}.Field{margin-bottom:12px}.Field label{display:block;margin-bottom:4px}
.Field input,.Field select,.Field textarea{width:100%;padding:6px 12px;border:1px solid #8a8a8a;border-radius:var(--p-border-radius-200);font:inherit;min-height:32px}
.Help{color:var(--p-color-text-secondary)}.Button{background:var(--p-color-bg-fill-brand);color:#fff;border:0;border-radius:var(--p-border-radius-200);padding:6px 12px;font:inherit;font-weight:550;cursor:pointer}
.Button--secondary{background:#fff;color:var(--p-color-text);box-shadow:inset 0 0 0 1px #c9c9c9}
.Banner{border-radius:var(--p-border-radius-200);padding:12px;margin-bottom:16px}.Banner--critical{background:var(--p-color-bg-critical);color:var(--p-color-text-critical)}
.Banner--success{background:var(--p-color-bg-success);color:var(--p-color-text-success)}code{background:#f7f7f7;padding:2px 4px;border-radius:4px}
.Tabs{display:flex;gap:8px;margin-bottom:12px}`;

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${POLARIS_CSS}</style></head><body><div class="Page">${body}</div></body></html>`;
}

/** The auto-submitting form that takes the buyer to the gateway (POST: long receipts fit). */
export function redirectPage(redirect: PaymentRedirect): string {
  const fields = redirect.form.fields
    .map((f) => `<input type="hidden" name="${esc(f.name)}" value="${esc(f.value)}">`)
    .join('');
  return page(
    'Redirecting to payment… / Переход к оплате…',
    `<div class="Card"><h1>Redirecting to the payment page… / Переходим на страницу оплаты…</h1><form id="pay" method="POST" action="${esc(redirect.form.action)}">${fields}<button class="Button" type="submit">Continue to payment / Перейти к оплате</button></form></div><script>document.getElementById('pay').submit()</script>`,
  );
}

export function messagePage(title: string, message: string, link?: { href: string; label: string }): string {
  return page(
    title,
    `<div class="Card"><h1>${esc(title)}</h1><p>${esc(message)}</p>${link ? `<p><a class="Button" href="${esc(link.href)}">${esc(link.label)}</a></p>` : ''}</div>`,
  );
}

export interface SettingsView {
  shop: string;
  appUrl: string;
  apiKey: string;
  settings?: GatewaySettings | undefined;
  ready: boolean;
  banner?: { kind: 'success' | 'critical'; text: string } | undefined;
  report?: CredentialsReport | undefined;
  csrf: string;
}

/** Secrets are never shown back: only their last two characters, so a merchant can tell which one is saved. */
export function maskSecret(value: string | undefined): string {
  if (!value) return '';
  return value.length <= 4 ? '••••' : `••••••${value.slice(-2)}`;
}

function field(name: string, label: string, value: string, opts: { secret?: boolean; help?: string } = {}): string {
  const placeholder = opts.secret && value ? `saved (${value}); leave empty to keep` : '';
  return `<div class="Field"><label for="${name}">${esc(label)}</label><input id="${name}" name="${name}" ${opts.secret ? 'type="password" autocomplete="off"' : 'type="text"'} value="${opts.secret ? '' : esc(value)}" placeholder="${esc(placeholder)}">${opts.help ? `<div class="Help">${esc(opts.help)}</div>` : ''}</div>`;
}

export function settingsPage(view: SettingsView): string {
  const s = view.settings;
  const value = (key: string): string => {
    if (!s) return '';
    const v = (s as Record<string, unknown>)[key];
    if (v === undefined) return '';
    return SECRET_KEYS[s.gateway].includes(key) ? maskSecret(String(v)) : String(v);
  };
  const gateway = s?.gateway ?? 'robokassa';
  const base = `${view.appUrl}`;
  const shopParam = encodeURIComponent(view.shop);
  const urls =
    gateway === 'robokassa'
      ? `<p>Paste into Robokassa's cabinet / Укажите в личном кабинете Robokassa («Технические настройки»): Result URL <code>${esc(base)}/notify/robokassa/${esc(shopParam)}</code> (POST), Success URL <code>${esc(base)}/return/robokassa/${esc(shopParam)}/success</code>, Fail URL <code>${esc(base)}/return/robokassa/${esc(shopParam)}/fail</code>.</p>`
      : `<p>Paste into Assist's account (Settings → Merchants) / Укажите в личном кабинете Assist: notification URL <code>${esc(base)}/notify/assist/${esc(shopParam)}</code>; return URLs <code>${esc(base)}/return/assist/${esc(shopParam)}/success</code> and <code>…/fail</code>.</p>`;
  const report = view.report
    ? `<div class="Banner Banner--${view.report.verdict === 'ok' ? 'success' : 'critical'}"><strong>Check: ${esc(view.report.verdict)}</strong><ul>${view.report.steps.map((st) => `<li>${esc(st.name)}: ${esc(st.message)}</li>`).join('')}</ul>${view.report.unproven.length ? `<p>Not provable here: ${esc(view.report.unproven.join(', '))}</p>` : ''}</div>`
    : '';
  return page(
    'Kassa payments: settings',
    `<h1>Kassa payments for ${esc(view.shop)}</h1>
${view.banner ? `<div class="Banner Banner--${view.banner.kind}">${esc(view.banner.text)}</div>` : ''}
${report}
<div class="Card"><h2>Status / Состояние</h2><p>${view.ready ? 'Ready: activate the provider in Shopify admin → Settings → Payments. / Готово: включите провайдера в админке Shopify → Settings → Payments.' : 'Not ready: save working credentials below. / Не готово: сохраните ниже рабочие данные доступа.'}</p>
<p><a class="Button Button--secondary" href="https://${esc(view.shop)}/services/payments_partners/gateways/${esc(view.apiKey)}/settings">Return to Shopify / Вернуться в Shopify</a></p></div>
<form method="POST" action="/settings?shop=${esc(shopParam)}">
<input type="hidden" name="csrf" value="${esc(view.csrf)}">
<div class="Card"><h2>Gateway / Платёжная система</h2><div class="Field"><label for="gateway">Gateway / Платёжная система</label><select id="gateway" name="gateway">
<option value="robokassa"${gateway === 'robokassa' ? ' selected' : ''}>Robokassa (RU / KZ)</option>
<option value="assist"${gateway === 'assist' ? ' selected' : ''}>Assist (RU / BY)</option></select></div>${urls}</div>
<div class="Card"><h2>Robokassa</h2>
${field('login', 'Shop identifier (MerchantLogin)', gateway === 'robokassa' ? value('login') : '')}
${field('password1', 'Password #1', gateway === 'robokassa' ? value('password1') : '', { secret: true })}
${field('password2', 'Password #2', gateway === 'robokassa' ? value('password2') : '', { secret: true })}
${field('testPassword1', 'Test Password #1', gateway === 'robokassa' ? value('testPassword1') : '', { secret: true })}
${field('testPassword2', 'Test Password #2', gateway === 'robokassa' ? value('testPassword2') : '', { secret: true })}
${field('password3', 'Password #3 (refunds)', gateway === 'robokassa' ? value('password3') : '', { secret: true })}
${field('algorithm', 'Hash algorithm (md5, sha1, sha256, sha384, sha512, ripemd160)', gateway === 'robokassa' ? value('algorithm') : 'md5')}
${field('country', 'Country (RU or KZ)', gateway === 'robokassa' ? value('country') : 'RU')}
<div class="Field"><label for="resultUrl2Certificate">ResultUrl2 certificate (jwtsign.cer, PEM) / Сертификат ResultUrl2</label><textarea id="resultUrl2Certificate" name="resultUrl2Certificate" rows="4">${esc(gateway === 'robokassa' ? value('resultUrl2Certificate') : '')}</textarea><div class="Help">${esc("Optional, for authorizations (holds): Robokassa's public certificate from docs.robokassa.ru/media/files/jwtsign.cer. With it a hold resolves the Shopify session as soon as Robokassa announces it. / Необязательно, для холдирования: с ним сессия Shopify подтверждается, как только Robokassa сообщит о холде.")}</div></div>
</div>
<div class="Card"><h2>Assist</h2>
${field('merchantId', 'Merchant_ID', gateway === 'assist' ? value('merchantId') : '')}
${field('secretWord', 'Secret word', gateway === 'assist' ? value('secretWord') : '', { secret: true })}
${field('wsLogin', 'Web-service login', gateway === 'assist' ? value('login') : '')}
${field('wsPassword', 'Web-service password', gateway === 'assist' ? value('password') : '', { secret: true })}
${field('region', 'Region (RU or BY)', gateway === 'assist' ? value('region') : 'RU')}
${field('currency', 'Currency (RUB, USD, EUR, BYN, KZT)', gateway === 'assist' ? value('currency') : '')}
<div class="Field"><label><input type="checkbox" name="assistTestMode" value="1"${s?.gateway === 'assist' && s.testMode ? ' checked' : ''}> Test account (Assist's test host; every payment is a test payment)</label></div>
</div>
${field('baseUrl', 'Gateway base URL (leave empty for production; the sandbox URL for tests)', value('baseUrl'))}
<p><button class="Button" type="submit" name="action" value="save">Save and mark ready / Сохранить и отметить готовность</button>
<button class="Button Button--secondary" type="submit" name="action" value="check">Check credentials / Проверить данные</button></p>
</form>`,
  );
}
