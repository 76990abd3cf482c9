/**
 * The Payments Apps GraphQL API (`https://{shop}/payments_apps/api/{version}/graphql.json`, `X-Shopify-Access-Token`).
 * `@shopify/shopify-api` v15 has no client for it (its GraphQL client is wired to `/admin/api`), so this is plain
 * `fetch` with one job: classify every answer as done, refused (userErrors: final), retry (network, 5xx, 429,
 * THROTTLED) or broken (401, 404, a GraphQL validation error: a human must look). The outbox decides what to do.
 */

/** The newest version in the published SDL this app is validated against; the extension TOML pins the same. */
export const PAYMENTS_API_VERSION = '2026-07';

const NEXT_ACTION = 'nextAction { action context { ... on PaymentSessionActionsRedirect { redirectUrl } } }';

export const MUTATIONS = {
  paymentsAppConfigure: `mutation PaymentsAppConfigure($externalHandle: String, $ready: Boolean!) {
  paymentsAppConfigure(externalHandle: $externalHandle, ready: $ready) {
    paymentsAppConfiguration { externalHandle ready }
    userErrors { field message }
  }
}`,
  paymentSessionResolve: `mutation PaymentSessionResolve($id: ID!, $authorizationExpiresAt: DateTime) {
  paymentSessionResolve(id: $id, authorizationExpiresAt: $authorizationExpiresAt) {
    paymentSession { id state { __typename ... on PaymentSessionStateResolved { code } } ${NEXT_ACTION} }
    userErrors { field message }
  }
}`,
  paymentSessionReject: `mutation PaymentSessionReject($id: ID!, $reason: PaymentSessionRejectionReasonInput!) {
  paymentSessionReject(id: $id, reason: $reason) {
    paymentSession { id state { __typename ... on PaymentSessionStateRejected { code reason merchantMessage } } ${NEXT_ACTION} }
    userErrors { field message }
  }
}`,
  paymentSessionPending: `mutation PaymentSessionPending($id: ID!, $pendingExpiresAt: DateTime!, $reason: PaymentSessionStatePendingReason!) {
  paymentSessionPending(id: $id, pendingExpiresAt: $pendingExpiresAt, reason: $reason) {
    paymentSession { id state { __typename ... on PaymentSessionStatePending { code reason } } ${NEXT_ACTION} }
    userErrors { field message code }
  }
}`,
  refundSessionResolve: `mutation RefundSessionResolve($id: ID!) {
  refundSessionResolve(id: $id) {
    refundSession { id state { __typename ... on RefundSessionStateResolved { code } } }
    userErrors { field message code }
  }
}`,
  refundSessionReject: `mutation RefundSessionReject($id: ID!, $reason: RefundSessionRejectionReasonInput!) {
  refundSessionReject(id: $id, reason: $reason) {
    refundSession { id state { __typename ... on RefundSessionStateRejected { code reason merchantMessage } } }
    userErrors { field message code }
  }
}`,
  captureSessionResolve: `mutation CaptureSessionResolve($id: ID!) {
  captureSessionResolve(id: $id) {
    captureSession { id state { __typename ... on CaptureSessionStateResolved { code } } }
    userErrors { field message code }
  }
}`,
  captureSessionReject: `mutation CaptureSessionReject($id: ID!, $reason: CaptureSessionRejectionReasonInput!) {
  captureSessionReject(id: $id, reason: $reason) {
    captureSession { id state { __typename ... on CaptureSessionStateRejected { code reason merchantMessage } } }
    userErrors { field message code }
  }
}`,
  voidSessionResolve: `mutation VoidSessionResolve($id: ID!) {
  voidSessionResolve(id: $id) {
    voidSession { id state { __typename ... on VoidSessionStateResolved { code } } }
    userErrors { field message code }
  }
}`,
  voidSessionReject: `mutation VoidSessionReject($id: ID!, $reason: VoidSessionRejectionReasonInput!) {
  voidSessionReject(id: $id, reason: $reason) {
    voidSession { id state { __typename ... on VoidSessionStateRejected { code reason merchantMessage } } }
    userErrors { field message code }
  }
}`,
} as const;

export type MutationName = keyof typeof MUTATIONS;

export interface UserError {
  readonly field?: readonly string[] | null;
  readonly message: string;
  readonly code?: string | null;
}

export type ApiResult =
  | { readonly kind: 'ok'; readonly payload: Record<string, unknown> }
  | { readonly kind: 'user_errors'; readonly errors: readonly UserError[] }
  | { readonly kind: 'retry'; readonly reason: string; readonly retryAfterMs?: number | undefined }
  | { readonly kind: 'broken'; readonly reason: string };

export interface PaymentsApiOptions {
  /** `https://{shop}` by default; tests and the demo point it at the emulator. */
  shopOrigin?: ((shop: string) => string) | undefined;
  fetch?: typeof fetch | undefined;
  apiVersion?: string | undefined;
  timeoutMs?: number | undefined;
}

export class PaymentsApi {
  readonly #origin: (shop: string) => string;
  readonly #fetch: typeof fetch;
  readonly apiVersion: string;
  readonly #timeoutMs: number;

  constructor(options: PaymentsApiOptions = {}) {
    this.#origin = options.shopOrigin ?? ((shop) => `https://${shop}`);
    this.#fetch = options.fetch ?? fetch;
    this.apiVersion = options.apiVersion ?? PAYMENTS_API_VERSION;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  endpoint(shop: string): string {
    return `${this.#origin(shop)}/payments_apps/api/${this.apiVersion}/graphql.json`;
  }

  async call(
    shop: string,
    accessToken: string,
    mutation: MutationName,
    variables: Record<string, unknown>,
  ): Promise<ApiResult> {
    let response: Response;
    try {
      response = await this.#fetch(this.endpoint(shop), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'x-shopify-access-token': accessToken,
        },
        body: JSON.stringify({ query: MUTATIONS[mutation], variables }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      return { kind: 'retry', reason: `network: ${(error as Error).name}` };
    }
    const retryAfter = Number(response.headers.get('retry-after'));
    const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
    if (response.status === 429) {
      // Shopify's THROTTLED arrives as 200 or 429 (§6.2 C): with a cost envelope the bucket says when to come back.
      const body = (await response.json().catch(() => undefined)) as ThrottledBody | undefined;
      return { kind: 'retry', reason: 'http 429', retryAfterMs: retryAfterMs ?? refillWaitMs(body) };
    }
    if (response.status >= 500) {
      await response.body?.cancel();
      return { kind: 'retry', reason: `http ${response.status}`, retryAfterMs };
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      return { kind: 'broken', reason: `http ${response.status}` };
    }
    let body: {
      data?: Record<string, { userErrors?: UserError[] } & Record<string, unknown>> | null;
      errors?: Array<{ message?: string; extensions?: { code?: string } }>;
    };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      return { kind: 'retry', reason: 'unreadable body' };
    }
    if (body.errors && body.errors.length > 0) {
      if (body.errors.some((e) => e.extensions?.code === 'THROTTLED')) {
        return { kind: 'retry', reason: 'THROTTLED', retryAfterMs: refillWaitMs(body as ThrottledBody) };
      }
      if (body.errors.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR')) {
        return { kind: 'retry', reason: 'INTERNAL_SERVER_ERROR' };
      }
      return { kind: 'broken', reason: `graphql: ${body.errors.map((e) => e.message ?? '').join('; ')}` };
    }
    const payload = body.data?.[mutation];
    if (!payload) return { kind: 'broken', reason: 'no payload' };
    if (payload.userErrors && payload.userErrors.length > 0) return { kind: 'user_errors', errors: payload.userErrors };
    return { kind: 'ok', payload };
  }
}

interface ThrottledBody {
  extensions?: {
    cost?: {
      requestedQueryCost?: number;
      throttleStatus?: { currentlyAvailable?: number; restoreRate?: number };
    };
  };
}

/**
 * How long until the leaky bucket holds what the call costs: (requested − available) ÷ restore rate. Shopify's own
 * graphql-client neither retries THROTTLED nor reads this (§7.6); without an envelope the outbox's backoff decides.
 */
export function refillWaitMs(body: ThrottledBody | undefined): number | undefined {
  const cost = body?.extensions?.cost;
  const requested = cost?.requestedQueryCost;
  const available = cost?.throttleStatus?.currentlyAvailable;
  const rate = cost?.throttleStatus?.restoreRate;
  if (typeof requested !== 'number' || typeof available !== 'number' || typeof rate !== 'number' || rate <= 0) {
    return undefined;
  }
  return Math.ceil((Math.max(0, requested - available) / rate) * 1000);
}

/** The buyer's way back to Shopify from a payment mutation's payload. */
export function nextActionUrl(payload: Record<string, unknown>): string | undefined {
  const session = payload.paymentSession as
    | { nextAction?: { context?: { redirectUrl?: string } | null } | null }
    | null
    | undefined;
  return session?.nextAction?.context?.redirectUrl ?? undefined;
}
