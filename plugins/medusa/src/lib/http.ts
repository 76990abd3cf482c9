import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';

/**
 * Core's callback handlers speak web-standard Request/Response. Medusa routes are Express: the POST body was already
 * parsed, so the route's middleware keeps the raw bytes (`preserveRawBody`) and we hand those over untouched —
 * signatures are checked over exactly what Robokassa sent.
 */
export function toWebRequest(req: MedusaRequest): Request {
  const url = `http://medusa.local${req.originalUrl ?? req.url}`;
  const headers = new Headers();
  const contentType = req.headers['content-type'];
  if (typeof contentType === 'string') headers.set('content-type', contentType);
  const method = req.method.toUpperCase();
  if (method === 'GET' || method === 'HEAD') return new Request(url, { method, headers });
  const raw = (req as MedusaRequest & { rawBody?: Buffer | string }).rawBody;
  const body = raw === undefined ? '' : typeof raw === 'string' ? raw : new Uint8Array(raw);
  return new Request(url, { method, headers, body });
}

export async function sendWebResponse(res: MedusaResponse, response: Response): Promise<void> {
  res.status(response.status);
  response.headers.forEach((value, name) => {
    res.setHeader(name, value);
  });
  res.send(await response.text());
}

/** The raw parameters of a redirect or callback: the query string of a GET, the form body of a POST. */
export function rawParameters(req: MedusaRequest): string {
  if (req.method.toUpperCase() !== 'POST') {
    const url = req.originalUrl ?? req.url;
    const q = url.indexOf('?');
    return q < 0 ? '' : url.slice(q + 1);
  }
  const raw = (req as MedusaRequest & { rawBody?: Buffer | string }).rawBody;
  return raw === undefined ? '' : raw.toString();
}

/** Fills `{cart_id}` / `{order_id}` / `{inv_id}` in a storefront URL template. */
export function fillTemplate(template: string, values: Record<string, string | number | undefined>): string {
  return template.replace(/\{(cart_id|order_id|inv_id)\}/g, (_, key: string) =>
    encodeURIComponent(String(values[key] ?? '')),
  );
}
