/**
 * Web-standard Request/Response plumbing shared by the callback handlers: bounded body reading and fixed answers.
 * Bodies of error answers are constants, so nothing a caller sent (and nothing secret) is ever reflected back.
 */

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

const TEXT_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/plain; charset=utf-8',
  'cache-control': 'no-store',
});

/**
 * The same headers as a `Headers` object made once: `Response` copies its headers init, so one object serves every
 * answer, and copying from `Headers` skips the per-response validation of a plain record (about a sixth of what
 * building the `OK{InvId}` answer costs in Node).
 */
const SHARED_TEXT_HEADERS = new Headers(TEXT_HEADERS);

export const FIXED_BODIES = {
  400: 'bad request',
  405: 'method not allowed',
  413: 'payload too large',
  414: 'uri too long',
  415: 'unsupported media type',
  500: 'internal error',
} as const;

export type FixedStatus = keyof typeof FIXED_BODIES;

export function textResponse(status: number, body: string, extraHeaders?: Record<string, string>): Response {
  const headers = extraHeaders === undefined ? SHARED_TEXT_HEADERS : { ...TEXT_HEADERS, ...extraHeaders };
  return new Response(body, { status, headers });
}

export function fixedResponse(status: FixedStatus, extraHeaders?: Record<string, string>): Response {
  return textResponse(status, FIXED_BODIES[status], extraHeaders);
}

export type BodyRead = { ok: true; text: string } | { ok: false; status: 400 | 413; detail: string };

/**
 * Reads the whole body once, refusing more than `maxBytes` (by Content-Length up front, and by counting while
 * reading, since the header may be absent or wrong) and bytes that are not UTF-8 (Robokassa always sends UTF-8).
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<BodyRead> {
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared.trim()) > maxBytes) {
    // Not cancelled: see handleResultUrl on cancelling bodies the runtime is still producing.
    return { ok: false, status: 413, detail: 'body larger than the limit' };
  }
  if (request.body === null) return { ok: true, text: '' };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        return { ok: false, status: 413, detail: 'body larger than the limit' };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, status: 400, detail: 'body could not be read' };
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, status: 400, detail: 'body is not UTF-8' };
  }
}

/** The raw query string of a request URL, without the `?`. */
export function rawQuery(request: Request): string {
  const url = request.url;
  const q = url.indexOf('?');
  if (q < 0) return '';
  const hash = url.indexOf('#', q);
  return hash < 0 ? url.slice(q + 1) : url.slice(q + 1, hash);
}
