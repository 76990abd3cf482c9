import type { HttpMethod, MerchantConfig, SandboxSettings } from './config.js';
import { escapeHtml, htmlResponse, layout, REDIRECT_CSP } from './html.js';
import { texts } from './i18n.js';
import { formatAmount } from './money.js';
import { encodeParams, type ParamEntry } from './params.js';
import { callbackSignature } from './signature.js';
import type { Operation } from './store.js';

/** Where the buyer's browser goes after the payment page, and with what. */
export interface Redirect {
  kind: 'success' | 'fail';
  url: string;
  method: HttpMethod;
  params: ParamEntry[];
}

function outSumFor(op: Operation, format: SandboxSettings['redirectOutSum']): string {
  return format === 'six-decimals' ? formatAmount(op.amount, 6) : op.outSumSent;
}

/**
 * SuccessURL (§2.3): OutSum, InvId, the upper-case Password #1 signature, `IsTest=1` for a test payment, Culture
 * and the Shp_ parameters. SuccessUrl2 and its method, when the payment had them, win over the cabinet settings.
 */
export function successRedirect(
  op: Operation,
  merchant: MerchantConfig,
  format: SandboxSettings['redirectOutSum'],
): Redirect | undefined {
  const url = op.successUrl2 ?? merchant.successUrl;
  if (url === undefined) return undefined;
  const outSum = outSumFor(op, format);
  const invId = String(op.invId);
  const password = op.isTest ? (merchant.testPassword1 ?? '') : merchant.password1;
  const params: ParamEntry[] = [
    ['OutSum', outSum],
    ['InvId', invId],
    ['SignatureValue', callbackSignature(merchant.algorithm, outSum, invId, password, op.shp)],
  ];
  if (op.isTest) params.push(['IsTest', '1']);
  params.push(['Culture', op.culture], ...op.shp);
  const method = op.successUrl2 !== undefined ? (op.successUrl2Method ?? 'GET') : merchant.successMethod;
  return { kind: 'success', url, method, params };
}

/** FailURL (§2.3): OutSum, InvId, Culture, Shp_ — and no signature, so a shop must never trust it. */
export function failRedirect(
  op: Operation,
  merchant: MerchantConfig,
  format: SandboxSettings['redirectOutSum'],
): Redirect | undefined {
  const url = op.failUrl2 ?? merchant.failUrl;
  if (url === undefined) return undefined;
  const params: ParamEntry[] = [
    ['OutSum', outSumFor(op, format)],
    ['InvId', String(op.invId)],
    ['Culture', op.culture],
    ...op.shp,
  ];
  const method = op.failUrl2 !== undefined ? (op.failUrl2Method ?? 'GET') : merchant.failMethod;
  return { kind: 'fail', url, method, params };
}

export function redirectTarget(redirect: Redirect): string {
  const { url, params } = redirect;
  return `${url}${url.includes('?') ? '&' : '?'}${encodeParams(params)}`;
}

/** A GET redirect is a 302; a POST one is a page that submits a form by itself (as Robokassa's does). */
export function redirectResponse(redirect: Redirect, culture: 'ru' | 'en'): Response {
  if (redirect.method === 'GET') {
    return new Response(null, {
      status: 302,
      headers: { location: redirectTarget(redirect), 'cache-control': 'no-store' },
    });
  }
  const inputs = redirect.params
    .map(([n, v]) => `<input type="hidden" name="${escapeHtml(n)}" value="${escapeHtml(v)}">`)
    .join('\n');
  const body = `<main><div class="card">
<form id="back" method="post" action="${escapeHtml(redirect.url)}">
${inputs}
<noscript><button class="pay" type="submit">${escapeHtml(texts(culture).continue)}</button></noscript>
</form>
</div></main>
<script>document.getElementById('back').submit()</script>`;
  return htmlResponse(layout({ title: texts(culture).continue, lang: culture, body }), REDIRECT_CSP);
}
