import { KassaError } from '../../errors.js';
import { buildFormBody } from '../encoding.js';

/** The subset of WHATWG `fetch` the API clients use; inject a stub, an instrumented fetch or undici's in tests. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Per-call transport settings. Every field is optional; the defaults suit a checkout request path. */
export interface ApiCallOptions {
  /** Defaults to the global `fetch` (Node ≥ 18). */
  fetch?: FetchLike | undefined;
  /** Upper bound for one attempt, connection to last body byte. Default {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number | undefined;
  /**
   * Retries for the idempotent reads only (OpStateExt, GetCurrencies, GetPaymentMethods, CalcOutSumm, Refund
   * GetState, RoboFiscal Status). Writes (Refund Create, Confirm, Cancel, Recurring, Attach) are never retried:
   * a lost reply does not mean a lost request, and a second Refund Create is a second refund.
   */
  retry?: { attempts?: number | undefined; baseDelayMs?: number | undefined } | undefined;
  /** Lets the caller abandon the call (e.g. its own request was cancelled). Its reason is rethrown as is. */
  signal?: AbortSignal | undefined;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_RETRY_ATTEMPTS = 3;
export const DEFAULT_RETRY_BASE_DELAY_MS = 200;

export interface GatewayRequest {
  /** A stable name for errors and logs (`OpStateExt`, `Refund/Create`); never the URL, whose query may be signed. */
  endpoint: string;
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Only idempotent requests are retried. */
  idempotent: boolean;
}

export interface GatewayResponse {
  status: number;
  contentType: string;
  text: string;
  attempts: number;
}

/** Where the request went, safe to print: origin and path, no query string (it may carry a signature). */
function whereTo(request: GatewayRequest): { endpoint: string; method: string; host: string; path: string } {
  let host = '(invalid url)';
  let path = '';
  try {
    const u = new URL(request.url);
    host = u.origin;
    path = u.pathname;
  } catch {
    // An invalid base URL is caught by the config schema; keep errors printable anyway.
  }
  return { endpoint: request.endpoint, method: request.method, host, path };
}

function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function networkReason(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

async function attempt(request: GatewayRequest, options: ApiCallOptions, attemptNo: number): Promise<GatewayResponse> {
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  // Redirects are not followed: Robokassa's APIs do not redirect, and re-sending a signed POST to wherever a 3xx
  // points is not something to do silently. A 3xx surfaces as GATEWAY_HTTP_ERROR with its status.
  const init: RequestInit = { method: request.method, signal, redirect: 'manual' };
  if (request.headers) init.headers = request.headers;
  if (request.body !== undefined) init.body = request.body;
  try {
    // The timeout covers the body too: a server that sends headers and then stalls is as unreachable as one that
    // never answers.
    const response = await fetchImpl(request.url, init);
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      text,
      attempts: attemptNo,
    };
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    const where = { ...whereTo(request), attempts: attemptNo };
    if (timeout.aborted) {
      throw new KassaError('GATEWAY_TIMEOUT', `Robokassa did not answer ${request.endpoint} within ${timeoutMs} ms`, {
        details: { ...where, timeoutMs, outcomeKnown: request.idempotent },
        cause: error,
      });
    }
    throw new KassaError('GATEWAY_UNREACHABLE', `Could not reach Robokassa for ${request.endpoint}`, {
      details: { ...where, reason: networkReason(error), outcomeKnown: request.idempotent },
      cause: error,
    });
  }
}

/**
 * Sends one request with a timeout on every attempt. Idempotent requests are retried with exponential backoff on
 * network errors, timeouts, 429 and 5xx; the last response is returned whatever its status, so callers can read a
 * typed rejection from a 4xx body before falling back to {@link expectOk}.
 */
export async function sendRequest(request: GatewayRequest, options: ApiCallOptions = {}): Promise<GatewayResponse> {
  const attempts = request.idempotent ? Math.max(1, options.retry?.attempts ?? DEFAULT_RETRY_ATTEMPTS) : 1;
  const baseDelay = options.retry?.baseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS;
  for (let n = 1; ; n++) {
    const last = n >= attempts;
    try {
      const response = await attempt(request, options, n);
      if (last || !isRetryableStatus(response.status)) return response;
    } catch (error) {
      const transient =
        error instanceof KassaError && (error.code === 'GATEWAY_TIMEOUT' || error.code === 'GATEWAY_UNREACHABLE');
      if (last || !transient) throw error;
    }
    await sleep(baseDelay * 2 ** (n - 1), options.signal);
  }
}

/** Throws GATEWAY_HTTP_ERROR unless the status is 2xx. */
export function expectOk(request: GatewayRequest, response: GatewayResponse): GatewayResponse {
  if (response.status >= 200 && response.status < 300) return response;
  throw new KassaError('GATEWAY_HTTP_ERROR', `Robokassa answered ${request.endpoint} with HTTP ${response.status}`, {
    details: {
      ...whereTo(request),
      status: response.status,
      attempts: response.attempts,
      outcomeKnown: request.idempotent,
    },
  });
}

/** A short, printable excerpt of a reply body for error details (replies never contain our secrets). */
export function excerpt(text: string, max = 200): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

export function badResponse(
  endpoint: string,
  problem: string,
  extra: { body?: string; cause?: unknown; details?: Record<string, unknown> } = {},
): KassaError {
  const details: Record<string, unknown> = { endpoint, problem, ...extra.details };
  if (extra.body !== undefined) details.body = excerpt(extra.body);
  return new KassaError('GATEWAY_BAD_RESPONSE', `Unexpected reply from Robokassa ${endpoint}: ${problem}`, {
    details,
    cause: extra.cause,
  });
}

/**
 * `application/x-www-form-urlencoded` body (or query string) in the given field order, encoded like PHP
 * `urlencode` (space → `+`), so bodies match the official SDK's published wire bytes exactly.
 */
export function formEncode(fields: ReadonlyArray<readonly [string, string]>): string {
  return buildFormBody(fields);
}
