/**
 * The HTTP transport of the Assist web services: form POSTs over WHATWG `fetch` with a timeout on every attempt.
 *
 * Reads (orderstate, orderresult) are retried on network errors, timeouts, 429 and 5xx with exponential backoff.
 * Writes (charge, cancel, rp) are sent once: a lost reply does not mean a lost request, and the official SDK's blind
 * retries of non-idempotent POSTs (§1.4) are exactly what we avoid. A failed write says `outcomeKnown: false`; check
 * the order with `getOrderState` before trying again.
 *
 * Robokassa has its own transport with the same shape (robokassa/api/http.ts); this one names Assist in its errors
 * and never puts the request body (it carries the web-service password) anywhere.
 */
import { KassaError } from '../../errors.js';

/** The subset of WHATWG `fetch` the clients use; inject a stub or an instrumented fetch in tests. */
export type AssistFetch = (input: string, init: RequestInit) => Promise<Response>;

export interface AssistCallOptions {
  /** Defaults to the global `fetch`. */
  fetch?: AssistFetch | undefined;
  /** Upper bound for one attempt, connection to last body byte. Default {@link ASSIST_DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number | undefined;
  /** Retries of the reads only; writes are never retried. */
  retry?: { attempts?: number | undefined; baseDelayMs?: number | undefined } | undefined;
  /** Lets the caller abandon the call; its reason is rethrown as is. */
  signal?: AbortSignal | undefined;
}

export const ASSIST_DEFAULT_TIMEOUT_MS = 15_000;
export const ASSIST_DEFAULT_RETRY_ATTEMPTS = 3;
export const ASSIST_DEFAULT_RETRY_BASE_DELAY_MS = 250;

export interface AssistHttpRequest {
  /** A stable name for errors and logs (`orderstate`, `charge`). */
  endpoint: string;
  url: string;
  /** `application/x-www-form-urlencoded` body; contains the password, so it never reaches an error or a log. */
  body: string;
  idempotent: boolean;
}

export interface AssistHttpResponse {
  status: number;
  text: string;
  attempts: number;
}

function where(request: AssistHttpRequest): { endpoint: string; host: string; path: string } {
  try {
    const u = new URL(request.url);
    return { endpoint: request.endpoint, host: u.origin, path: u.pathname };
  } catch {
    return { endpoint: request.endpoint, host: '(invalid url)', path: '' };
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function attempt(
  request: AssistHttpRequest,
  options: AssistCallOptions,
  attemptNo: number,
): Promise<AssistHttpResponse> {
  const fetchImpl: AssistFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? ASSIST_DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    // Redirects are not followed: re-sending a POST with the password to wherever a 3xx points is not something to
    // do silently. A 3xx surfaces as GATEWAY_HTTP_ERROR.
    const response = await fetchImpl(request.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
        accept: 'application/xml, text/xml',
      },
      body: request.body,
      signal,
      redirect: 'manual',
    });
    // The timeout covers the body: a server that sends headers and stalls is as unreachable as a silent one.
    const text = await response.text();
    return { status: response.status, text, attempts: attemptNo };
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    const details = { ...where(request), attempts: attemptNo, outcomeKnown: request.idempotent };
    if (timeout.aborted) {
      throw new KassaError('GATEWAY_TIMEOUT', `Assist did not answer ${request.endpoint} within ${timeoutMs} ms`, {
        details: { ...details, timeoutMs },
        cause: error,
      });
    }
    const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
    throw new KassaError('GATEWAY_UNREACHABLE', `Could not reach Assist for ${request.endpoint}`, {
      details: { ...details, reason: typeof code === 'string' ? code : undefined },
      cause: error,
    });
  }
}

/**
 * Sends one request; reads are retried on transient failures. Returns the last response if it is 2xx, otherwise
 * throws GATEWAY_HTTP_ERROR (Assist answers errors with 200 and a firstcode, so a non-2xx is a proxy or an outage).
 */
export async function assistPost(
  request: AssistHttpRequest,
  options: AssistCallOptions = {},
): Promise<AssistHttpResponse> {
  const attempts = request.idempotent ? Math.max(1, options.retry?.attempts ?? ASSIST_DEFAULT_RETRY_ATTEMPTS) : 1;
  const baseDelay = options.retry?.baseDelayMs ?? ASSIST_DEFAULT_RETRY_BASE_DELAY_MS;
  for (let n = 1; ; n++) {
    const last = n >= attempts;
    try {
      const response = await attempt(request, options, n);
      const ok = response.status >= 200 && response.status < 300;
      if (ok) return response;
      const retryable = response.status >= 500 || response.status === 429;
      if (last || !retryable) {
        throw new KassaError('GATEWAY_HTTP_ERROR', `Assist answered ${request.endpoint} with HTTP ${response.status}`, {
          details: { ...where(request), status: response.status, attempts: n, outcomeKnown: request.idempotent },
        });
      }
    } catch (error) {
      const transient =
        error instanceof KassaError && (error.code === 'GATEWAY_TIMEOUT' || error.code === 'GATEWAY_UNREACHABLE');
      if (last || !transient) throw error;
    }
    await sleep(baseDelay * 2 ** (n - 1), options.signal);
  }
}

/** A short, printable excerpt of a reply body (replies never contain our secrets). */
export function replyExcerpt(text: string, max = 200): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

export function assistBadResponse(
  endpoint: string,
  problem: string,
  extra: { body?: string; cause?: unknown; details?: Record<string, unknown> } = {},
): KassaError {
  const details: Record<string, unknown> = { endpoint, problem, ...extra.details };
  if (extra.body !== undefined) details.body = replyExcerpt(extra.body);
  return new KassaError('GATEWAY_BAD_RESPONSE', `Unexpected reply from Assist ${endpoint}: ${problem}`, {
    details,
    cause: extra.cause,
  });
}
