import { ERROR_CODES, type PaymentError } from './error-codes.js';
import { escapeHtml, htmlResponse, layout } from './html.js';
import { texts } from './i18n.js';
import type { Culture } from './store.js';

/**
 * Robokassa's error page: HTTP 200 with the code and its text (§1.6). The code is also machine-readable, in
 * `<meta name="robokassa-error">` and `data-error-code`, for tests. Below it the sandbox says what exactly was
 * wrong; for error 29 it shows the string it hashed, with the password as a placeholder — never the password.
 */
export function renderErrorPage(error: PaymentError, culture: Culture): string {
  const t = texts(culture);
  const message = ERROR_CODES[error.code][culture];
  const base =
    error.expectedBase === undefined
      ? ''
      : `<h2>${escapeHtml(t.expectedBase)}</h2><pre data-expected-base>${escapeHtml(error.expectedBase)}</pre>`;
  const body = `<main data-error-code="${error.code}">
<div class="card">
<div class="error-code">${error.code}</div>
<h1>${escapeHtml(t.errorTitle)} ${error.code}: ${escapeHtml(message)}</h1>
<p>${escapeHtml(t.errorCode)}: <b id="error-code">${error.code}</b></p>
</div>
<div class="card"><h2>${escapeHtml(t.diagnostics)}</h2><p id="error-detail">${escapeHtml(error.detail)}</p>${base}</div>
</main>`;
  return layout({
    title: `${t.errorTitle} ${error.code}`,
    lang: culture,
    head: `<meta name="robokassa-error" content="${error.code}">\n`,
    body,
  });
}

export function errorResponse(error: PaymentError, culture: Culture): Response {
  return htmlResponse(renderErrorPage(error, culture));
}

/** A plain sandbox page (payment finished without a return URL, closed tab, inactive page…). */
export function noticeResponse(culture: Culture, title: string, text: string, status = 200): Response {
  const body = `<main><div class="card" data-notice><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></div></main>`;
  return htmlResponse(layout({ title, lang: culture, body }), undefined, status);
}
