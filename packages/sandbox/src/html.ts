/** Shared pieces of the sandbox's HTML: escaping, one stylesheet, one layout. No external assets. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2433;background:#eef1f6}
header.top{display:flex;align-items:center;gap:.6rem;padding:.8rem 1.25rem;background:#fff;border-bottom:1px solid #dde2ea}
.logo{font-weight:700;letter-spacing:.02em;color:#2b3a67}.logo b{color:#e4572e}
.tag{font-size:.72rem;font-weight:600;text-transform:uppercase;letter-spacing:.06em;padding:.15rem .5rem;border-radius:999px;background:#fff4d6;color:#8a5a00}
.tag.test{background:#e3f1ff;color:#0b5cad}
main{max-width:40rem;margin:1.5rem auto;padding:0 1rem}
.card{background:#fff;border:1px solid #dde2ea;border-radius:14px;padding:1.4rem 1.5rem;box-shadow:0 1px 2px rgba(20,30,60,.05)}
.card+.card{margin-top:1rem}
h1{font-size:1.25rem;margin:0 0 .25rem}h2{font-size:1rem;margin:1.1rem 0 .5rem;color:#4a5568}.card>h2:first-child{margin-top:0}
.amount{font-size:2rem;font-weight:700;margin:.2rem 0 .8rem;font-variant-numeric:tabular-nums}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:0}dl.facts dt{color:#69758a}dl.facts dd{margin:0;word-break:break-word}
fieldset{border:1px solid #e3e7ee;border-radius:10px;margin:.6rem 0;padding:.4rem .8rem .6rem}
legend{font-weight:600;color:#4a5568;padding:0 .3rem}
label.method{display:flex;align-items:center;gap:.55rem;padding:.35rem .2rem;border-radius:8px;cursor:pointer}
label.method:hover{background:#f4f6fa}.limit{margin-left:auto;color:#8a93a6;font-size:.82rem}
input[type=email],input[type=text]{width:100%;padding:.55rem .7rem;border:1px solid #cfd6e0;border-radius:8px;font:inherit}
.actions{display:flex;flex-wrap:wrap;gap:.6rem;margin-top:1.1rem}
button{font:inherit;border:0;border-radius:9px;padding:.7rem 1.15rem;cursor:pointer}
button.pay{background:#2563eb;color:#fff;font-weight:600;flex:1 1 14rem}button.pay:hover{background:#1d4fd7}
button.decline{background:#fde8e8;color:#9b1c1c}button.leave{background:#eef1f6;color:#3c4658}
.warn{background:#fff8e6;border:1px solid #f3d48b;border-radius:10px;padding:.6rem .9rem;margin-top:1rem;font-size:.9rem}
.error-code{font-size:3rem;font-weight:800;color:#c0392b;line-height:1}
pre{background:#f5f7fb;border:1px solid #e3e7ee;border-radius:8px;padding:.6rem .8rem;white-space:pre-wrap;word-break:break-all;font-size:.85rem}
table{width:100%;border-collapse:collapse;font-size:.9rem}td,th{text-align:left;padding:.35rem .4rem;border-bottom:1px solid #edf0f5}th{color:#69758a;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
footer{max-width:40rem;margin:0 auto 2rem;padding:0 1rem;color:#8a93a6;font-size:.8rem}
a{color:#2563eb}
`;

export interface LayoutOptions {
  title: string;
  lang: 'ru' | 'en';
  body: string;
  head?: string;
  tags?: string;
  /** The logo's HTML (trusted) and the gateway's name; default Robokassa. The Assist pages pass their own. */
  brand?: string;
  product?: string;
}

export function layout({
  title,
  lang,
  body,
  head = '',
  tags = '',
  brand = 'Robo<b>kassa</b>',
  product = 'Robokassa',
}: LayoutOptions): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
${head}<style>${STYLE}</style>
</head>
<body>
<header class="top"><span class="logo">${brand}</span><span class="tag">sandbox</span>${tags}</header>
${body}
<footer>Kassa sandbox — a local ${escapeHtml(product)} for development. No money moves.</footer>
</body>
</html>`;
}

/**
 * Pages carry no script except the auto-submitting redirect form, and forms may post back here and then be
 * redirected to any shop (Chrome applies form-action to redirects too).
 */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self' http: https:";
export const REDIRECT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; form-action http: https:";

export function htmlResponse(html: string, csp = PAGE_CSP, status = 200): Response {
  return new Response(html, {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': csp,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}
