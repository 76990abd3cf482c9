/**
 * Assist's `Format=3` XML: `<result firstcode=".." secondcode=".." count="n">` with `<order>` elements right under
 * it (orderstate, orderresult) or under `<orders>` (charge, cancel, rp) — assist.md §3.0, the RUBY fixtures.
 */

export type XmlField = readonly [name: string, value: string | XmlField[]];

const escapeXml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch] ?? ch,
  );

export function element(name: string, fields: readonly XmlField[]): string {
  const inner = fields
    .map(([n, v]) => (typeof v === 'string' ? `<${n}>${escapeXml(v)}</${n}>` : element(n, v)))
    .join('');
  return `<${name}>${inner}</${name}>`;
}

export function resultDocument(firstcode: number, secondcode: number, inner = '', count?: number): string {
  const countAttr = count === undefined ? '' : ` count="${count}"`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<result firstcode="${firstcode}" secondcode="${secondcode}"${countAttr}>${inner}</result>\n`;
}

export function xmlResponse(body: string, status = 200): Response {
  return new Response(body, {
    status,
    headers: { 'content-type': 'text/xml; charset=utf-8', 'cache-control': 'no-store' },
  });
}
