/** The authenticated channel between the PHP plugin and the bridge: HMAC-SHA256 with the shared secret. */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a signed request's timestamp may be from the bridge's clock. */
export const SIGNATURE_WINDOW_SECONDS = 300;
/** How long a signed /pay link stays valid (the buyer may dawdle on the checkout). */
export const PAY_LINK_TTL_SECONDS = 24 * 60 * 60;

export function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}

function equalHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Signs an API request as the PHP plugin does: `timestamp.METHOD.pathWithQuery.body`. */
export function signApiRequest(secret: string, input: { method: string; path: string; body: string; now?: number }) {
  const timestamp = String(Math.floor((input.now ?? Date.now()) / 1000));
  return {
    'x-kassa-timestamp': timestamp,
    'x-kassa-signature': hmacHex(secret, `${timestamp}.${input.method}.${input.path}.${input.body}`),
  };
}

export function verifyApiRequest(
  secret: string,
  input: { method: string; path: string; body: string; timestamp: string | null; signature: string | null },
  now = Date.now(),
): boolean {
  if (input.timestamp === null || input.signature === null || !/^\d{1,12}$/.test(input.timestamp)) return false;
  if (Math.abs(now / 1000 - Number(input.timestamp)) > SIGNATURE_WINDOW_SECONDS) return false;
  const expected = hmacHex(secret, `${input.timestamp}.${input.method}.${input.path}.${input.body}`);
  return equalHex(expected, input.signature.toLowerCase());
}

/**
 * A /pay link as the PHP plugin builds it: `sig` is the HMAC of `pay.` + the path and query before `&sig=`, exactly
 * as sent (no re-encoding on our side can then disagree with PHP's).
 */
export function signPayLink(
  secret: string,
  input: { orderId: number; key: string; method?: string; returnUrl: string; cancelUrl: string; now?: number },
): string {
  const query = new URLSearchParams({
    key: input.key,
    method: input.method ?? '',
    return: input.returnUrl,
    cancel: input.cancelUrl,
    ts: String(Math.floor((input.now ?? Date.now()) / 1000)),
  })
    .toString()
    .replace(/\+/g, '%20');
  const path = `/pay/${input.orderId}`;
  return `${path}?${query}&sig=${hmacHex(secret, `pay.${path}?${query}`)}`;
}

export function verifyPayLink(secret: string, pathAndQuery: string, now = Date.now()): boolean {
  const at = pathAndQuery.lastIndexOf('&sig=');
  if (at < 0) return false;
  const signed = pathAndQuery.slice(0, at);
  const sig = pathAndQuery.slice(at + 5);
  if (!equalHex(hmacHex(secret, `pay.${signed}`), sig.toLowerCase())) return false;
  const ts = new URLSearchParams(signed.slice(signed.indexOf('?') + 1)).get('ts');
  if (ts === null || !/^\d{1,12}$/.test(ts)) return false;
  const age = now / 1000 - Number(ts);
  return age <= PAY_LINK_TTL_SECONDS && age > -SIGNATURE_WINDOW_SECONDS;
}
