/** Tiny HTML helpers: every interpolated value goes through `esc`, so nothing from a request is rendered raw. */

export function esc(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export function rub(amount: number | string): string {
  const value = typeof amount === 'number' ? amount.toFixed(2) : amount;
  return `${value.replace('.', ',')} ₽`;
}

/** The shop's icon (a ruble sign on a blue tile), served at /favicon.svg and /favicon.ico. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#1f6feb"/><path d="M24 50V14h12a10 10 0 0 1 0 20H18M18 42h22" fill="none" stroke="#fff" stroke-width="6" stroke-linecap="round" stroke-linejoin="round"/></svg>`;

/** Page chrome: title, the cart link and the language switch (`switchTo` is this page's URL in the other language). */
export interface Chrome {
  lang?: 'ru' | 'en';
  switchTo?: string;
  cartLabel?: string;
}

export function page(title: string, body: string, chrome: Chrome = {}): string {
  const lang = chrome.lang ?? 'ru';
  const nav = [
    chrome.cartLabel ? `<a href="/cart" data-test="cart-link">${esc(chrome.cartLabel)}</a>` : '',
    chrome.switchTo
      ? `<a href="${esc(chrome.switchTo)}" data-test="lang-switch">${lang === 'ru' ? 'English' : 'Русский'}</a>`
      : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Kassa demo shop</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>
  body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1f2328; }
  header { display: flex; justify-content: space-between; align-items: baseline; border-bottom: 1px solid #d0d7de; margin-bottom: 1.5rem; }
  header a { color: inherit; text-decoration: none; font-weight: 600; }
  .card { border: 1px solid #d0d7de; border-radius: .5rem; padding: 1rem 1.25rem; margin: 1rem 0; }
  .row { display: flex; justify-content: space-between; gap: 1rem; }
  .muted { color: #656d76; }
  .error { color: #cf222e; }
  .ok { color: #1a7f37; }
  button { font: inherit; padding: .6rem 1.2rem; border-radius: .4rem; border: 0; background: #1f6feb; color: white; cursor: pointer; }
  label.method { display: block; padding: .4rem 0; }
  a.button { display: inline-block; padding: .6rem 1.2rem; border-radius: .4rem; background: #1f6feb; color: white; text-decoration: none; margin-right: .5rem; }
  a.button.secondary { background: #eaeef2; color: #1f2328; }
  input[type=number] { font: inherit; padding: .3rem; width: 4.5rem; }
  fieldset { border: 0; padding: 0; margin: .5rem 0; }
  input[type=text], input[type=email] { font: inherit; padding: .4rem; width: 100%; box-sizing: border-box; }
  table { width: 100%; border-collapse: collapse; } td { padding: .3rem 0; }
</style>
</head>
<body>
<header><a href="/">Kassa demo shop</a><span class="muted">${nav || 'Medusa v2 · Robokassa · Assist'}</span></header>
${body}
</body>
</html>`;
}
