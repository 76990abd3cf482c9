import type { Readable } from 'node:stream';
import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';

/** The request's method, URL and content type as a web Request with `body` (none for GET and HEAD). */
function webRequest(req: MedusaRequest, body: Uint8Array<ArrayBuffer> | string): Request {
  const url = `http://medusa.local${req.originalUrl ?? req.url}`;
  const headers = new Headers();
  const contentType = req.headers['content-type'];
  if (typeof contentType === 'string') headers.set('content-type', contentType);
  const method = req.method.toUpperCase();
  if (method === 'GET' || method === 'HEAD') return new Request(url, { method, headers });
  return new Request(url, { method, headers, body });
}

/**
 * Core's callback handlers speak web-standard Request/Response. Medusa routes are Express: the POST body was already
 * parsed, so the route's middleware keeps the raw bytes (`preserveRawBody`) and we hand those over untouched —
 * signatures are checked over exactly what Robokassa sent.
 */
export function toWebRequest(req: MedusaRequest): Request {
  const raw = (req as MedusaRequest & { rawBody?: Buffer | string }).rawBody;
  return webRequest(req, raw === undefined ? '' : typeof raw === 'string' ? raw : new Uint8Array(raw));
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

/** Largest raw body read by `readRawBody` (a ResultUrl2 token is under 2 KiB; core refuses over 16 KiB anyway). */
const MAX_RAW_BODY_BYTES = 64 * 1024;

/** A body Medusa's parser left unread (`bodyParser: false` in middlewares.ts), or undefined when it is too large. */
export async function readRawBody(req: MedusaRequest): Promise<string | undefined> {
  const raw = (req as MedusaRequest & { rawBody?: Buffer | string }).rawBody;
  if (raw !== undefined) return raw.toString();
  if (typeof req.body === 'string') return req.body;
  const body = await readAtMost(req, MAX_RAW_BODY_BYTES + 1);
  return body.length > MAX_RAW_BODY_BYTES ? undefined : body.toString('utf8');
}

/** Fills `{cart_id}` / `{order_id}` / `{inv_id}` in a storefront URL template. */
export function fillTemplate(template: string, values: Record<string, string | number | undefined>): string {
  return template.replace(/\{(cart_id|order_id|inv_id)\}/g, (_, key: string) =>
    encodeURIComponent(String(values[key] ?? '')),
  );
}

/**
 * A callback whose body Medusa's parser left unread (`bodyParser: false` in middlewares.ts) as a web Request: the body
 * is read here, at most `maxBytes` + 1 bytes, and handed to core as bytes (cheaper than a web stream over Node's
 * request, which cost more than the rest of a duplicate callback). A body over the bound is passed on as the bytes
 * read so far, which core's own bound refuses with its fixed 413; core decides everything else (method, content type,
 * encoding), so every bad body gets the plugin's fixed 4xx instead of Medusa's parser's answer.
 */
export async function toBufferedWebRequest(req: MedusaRequest, maxBytes: number): Promise<Request> {
  const method = req.method.toUpperCase();
  const raw = (req as MedusaRequest & { rawBody?: Buffer | string }).rawBody;
  if (method === 'GET' || method === 'HEAD' || raw !== undefined) return toWebRequest(req);
  return webRequest(req, new Uint8Array(await readAtMost(req, maxBytes + 1)));
}

/**
 * Reads a request body until it ends or `limit` bytes have arrived, then stops reading (paused, not destroyed: the
 * reply must still reach the client). A body that breaks off is returned as far as it came; core judges it.
 */
function readAtMost(req: MedusaRequest, limit: number): Promise<Buffer> {
  const stream = req as unknown as Readable;
  // Already read to the end (nothing more will come, not even 'end').
  if (stream.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = () => {
      stream.off('data', onData);
      stream.off('end', finish);
      stream.off('error', finish);
      stream.pause();
      resolve(Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(buffer);
      size += buffer.length;
      if (size >= limit) finish();
    };
    stream.on('data', onData);
    stream.on('end', finish);
    stream.on('error', finish);
  });
}

/** `rawParameters` for a route whose body is unread: undefined when the body is over `MAX_RAW_BODY_BYTES`. */
export async function readParameters(req: MedusaRequest): Promise<string | undefined> {
  if (req.method.toUpperCase() !== 'POST') return rawParameters(req);
  return readRawBody(req);
}
