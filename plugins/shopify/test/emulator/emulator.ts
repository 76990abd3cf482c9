/**
 * A strict Shopify for tests (shopify-payments-app.md §6.2): the Payments Apps GraphQL API validated against the
 * published SDL with its session state machine, userErrors, cost and THROTTLED envelopes and 401s; OAuth
 * authorize/access_token with an HMAC'ed callback; outbound payment/refund/capture/void session requests with
 * retries and (optionally) an mTLS client certificate; HMAC'ed webhooks; a buyer checkout with thank-you and
 * processing pages. Everything the app does wrong lands in `violations`; tests assert it stays empty.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { buildSchema, execute, type GraphQLSchema, parse, validate } from 'graphql';
import { Hono } from 'hono';

const SCHEMA_DIR = fileURLToPath(new URL('../fixtures/schema/', import.meta.url));
const schemas = new Map<string, GraphQLSchema>();
/** 2025-10 == 2026-01; 2026-04 == 2026-07 == unstable (diffed in the research notes). */
export const SUPPORTED_VERSIONS: Record<string, string> = {
  '2025-10': 'payments-apps_2025-10.graphql',
  '2026-01': 'payments-apps_2025-10.graphql',
  '2026-04': 'payments-apps_2026-07.graphql',
  '2026-07': 'payments-apps_2026-07.graphql',
  unstable: 'payments-apps_2026-07.graphql',
};
export function schemaFor(version: string): GraphQLSchema | undefined {
  const file = SUPPORTED_VERSIONS[version];
  if (!file) return undefined;
  let schema = schemas.get(file);
  if (!schema) {
    schema = buildSchema(readFileSync(`${SCHEMA_DIR}${file}`, 'utf8'));
    schemas.set(file, schema);
  }
  return schema;
}

export const NOT_RECEIVED_MESSAGE =
  'Payment session has already been resolved with a different authentication, has already been rejected, or the response to start_payment_session request has not been received.';

export interface EmulatorOptions {
  apiKey: string;
  apiSecret: string;
  apiVersion?: string;
  /** Attempts per session request (the first + retries). Default 4. */
  sessionAttempts?: number;
  sessionRetryDelayMs?: number;
  /** Client certificate for session requests over HTTPS (mTLS). */
  clientTls?: { cert: string; key: string; ca: string } | undefined;
  /** Throttle bucket (Payments API observed: 1 092 000 / 54 600). */
  bucket?: { maximumAvailable: number; restoreRate: number };
  port?: number;
}

export interface AppEndpoints {
  payment: string;
  refund?: string;
  capture?: string;
  void?: string;
  webhooks?: { uninstalled: string; compliance: string };
}

type PaymentState = 'created' | 'open' | 'resolved' | 'rejected' | 'pending';

export interface EmulatedPayment {
  id: string;
  gid: string;
  shop: string;
  checkout: string;
  kind: 'sale' | 'authorization';
  amount: string;
  currency: string;
  test: boolean;
  state: PaymentState;
  /** Shopify received a 2xx with a redirect_url. */
  responded: boolean;
  redirectUrls: string[];
  rejectReason?: { code: string; merchantMessage?: string | null };
  transitions: number;
  body: Record<string, unknown>;
}

export interface EmulatedOperation {
  kind: 'refund' | 'capture' | 'void';
  id: string;
  gid: string;
  paymentId: string;
  shop: string;
  amount?: string;
  state: 'created' | 'open' | 'resolved' | 'rejected';
  responded: boolean;
  statuses: number[];
  rejectReason?: { code: string; merchantMessage?: string | null };
  transitions: number;
}

export type GraphqlFault =
  | { kind: 'http'; status: number; times: number; retryAfter?: string }
  | { kind: 'throttled'; times: number; status?: 200 | 429 }
  | { kind: 'reset'; times: number }
  /**
   * The call is held open (the app waits for its answer) until `release()` or `stop()`, then answered 503. With
   * `afterExecute` the mutation runs first: Shopify did it, the app never learns (a crash before recording it).
   */
  | { kind: 'hang'; times: number; afterExecute?: boolean };

export interface MutationCall {
  mutation: string;
  id?: string;
  outcome: 'ok' | 'user_errors' | 'invalid' | 'unauthorized' | 'fault';
  at: number;
}

/** What every Payments Apps mutation is charged up front (the actual cost, 10, is taken after it runs). */
const REQUESTED_COST = 13;

const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function shopifyId(length = 24): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => alnum[b % alnum.length]).join('');
}

export class ShopifyEmulator {
  readonly options: EmulatorOptions;
  url = '';
  readonly tokens = new Map<string, string>();
  readonly configurations = new Map<string, { externalHandle: string | null; ready: boolean }>();
  readonly payments = new Map<string, EmulatedPayment>();
  readonly operations = new Map<string, EmulatedOperation>();
  readonly violations: string[] = [];
  readonly calls: MutationCall[] = [];
  readonly faults: GraphqlFault[] = [];
  /**
   * The endpoint down "for a while": every call until `until` (epoch ms) gets `status` (and `Retry-After` when set),
   * whatever it asks. Unlike `faults` it counts no attempts, so it tests a backoff against the clock.
   */
  outage: { status: number; until: number; retryAfter?: string } | undefined;
  /** The HTTP status of a THROTTLED answer when the cost bucket runs dry (disputed: 200 or 429, §6.2 C). */
  throttledStatus: 200 | 429 = 200;
  /** THROTTLED answers given because the bucket ran dry (not the injected ones). */
  throttledByCost = 0;
  readonly #codes = new Map<string, string>();
  readonly thankYouVisits: string[] = [];
  endpoints: AppEndpoints | undefined;
  #stop: (() => Promise<void>) | undefined;
  #available: number;
  #lastRefill = Date.now();

  constructor(options: EmulatorOptions) {
    this.options = options;
    this.#available = options.bucket?.maximumAvailable ?? 1_092_000;
  }

  get apiVersion(): string {
    return this.options.apiVersion ?? '2026-07';
  }

  /** Where a shop's Shopify lives: pass to the app as `shopOrigin`. */
  shopOrigin = (shop: string): string => `${this.url}/store/${shop}`;

  /** An installed shop with an offline token (what OAuth leaves behind), for tests that skip OAuth. */
  install(shop: string): string {
    const token = `shpat_${randomBytes(16).toString('hex')}`;
    this.tokens.set(token, shop);
    return token;
  }

  async start(): Promise<this> {
    const app = this.#routes();
    const server = serve({ fetch: app.fetch, port: this.options.port ?? 0, hostname: '127.0.0.1' });
    await new Promise<void>((r) => (server.listening ? r() : server.once('listening', () => r())));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.#stop = () =>
      new Promise<void>((r) => {
        server.close(() => r());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    return this;
  }

  async stop(): Promise<void> {
    this.release();
    await this.#stop?.();
  }

  readonly #hung: Array<() => void> = [];
  /** Calls held by a `hang` fault so far (their number, not their answers). */
  hangs = 0;
  /** Answers every call a `hang` fault holds (503). */
  release(): void {
    for (const done of this.#hung.splice(0)) done();
  }
  #hang(): Promise<Response> {
    this.hangs += 1;
    return new Promise((resolve) => {
      this.#hung.push(() => resolve(new Response('{"errors":"Service Unavailable"}', { status: 503 })));
    });
  }

  // ------------------------------------------------------------------------------------------------------------
  // Outbound session requests (Shopify → app)

  async #post(url: string, shop: string, body: unknown): Promise<{ status: number; text: string }> {
    const headers = {
      'content-type': 'application/json',
      'shopify-shop-domain': shop,
      'shopify-request-id': randomUUID(),
      'shopify-api-version': this.apiVersion,
    };
    const data = JSON.stringify(body);
    const tls = this.options.clientTls;
    if (url.startsWith('https:')) {
      return new Promise((resolve, reject) => {
        const req = httpsRequest(
          url,
          { method: 'POST', headers, ...(tls ? { cert: tls.cert, key: tls.key, ca: tls.ca } : {}) },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          },
        );
        req.on('error', reject);
        req.end(data);
      });
    }
    const response = await fetch(url, { method: 'POST', headers, body: data });
    return { status: response.status, text: await response.text() };
  }

  /** A checkout's payment attempt body, exactly the documented shape (fixture), fresh ids. */
  newPaymentBody(input: {
    shop: string;
    amount: string;
    currency: string;
    kind?: 'sale' | 'authorization';
    test?: boolean;
    checkout?: string;
    customer?: Record<string, unknown> | null;
    extra?: Record<string, unknown>;
  }): Record<string, unknown> {
    const id = shopifyId();
    const checkout = input.checkout ?? randomBytes(16).toString('hex');
    return {
      id,
      gid: `gid://shopify/PaymentSession/${id}`,
      group: randomBytes(32).toString('base64'),
      session_id: randomBytes(32).toString('base64'),
      amount: input.amount,
      currency: input.currency,
      test: input.test ?? false,
      merchant_locale: 'en',
      payment_method: { type: 'offsite', data: { cancel_url: `${this.shopOrigin(input.shop)}/checkouts/${checkout}` } },
      proposed_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      customer:
        input.customer === undefined
          ? {
              email: 'buyer@example.com',
              phone_number: '5555555555',
              locale: 'en',
              billing_address: {
                given_name: 'Alice',
                family_name: 'Smith',
                line1: '1 Abay Ave',
                city: 'Almaty',
                postal_code: '050000',
                country_code: 'KZ',
              },
            }
          : input.customer,
      kind: input.kind ?? 'sale',
      ...input.extra,
    };
  }

  /** Registers the payment session and sends it like Shopify: retries on non-2xx, the same body every time. */
  async startPayment(
    body: Record<string, unknown>,
    opts: {
      shop: string;
      copies?: number;
      attempts?: number;
      /** Send it even to a shop whose app is not ready (to test the app's own refusal; a violation is recorded). */
      force?: boolean;
      /** Told each attempt's status before the next attempt is made. */
      onStatus?: (status: number) => void | Promise<void>;
    },
  ): Promise<{ ok: boolean; redirectUrl?: string; statuses: number[]; notRouted?: boolean }> {
    const endpoints = this.#need();
    const gid = String(body.gid);
    const cancel = (body.payment_method as { data: { cancel_url: string } }).data.cancel_url;
    const config = this.configurations.get(opts.shop);
    if (!config?.ready) {
      // Shopify does not offer a provider whose app has not said ready (paymentsAppConfigure), so no session is sent.
      if (!opts.force) return { ok: false, statuses: [], notRouted: true };
      this.violations.push(`payment session for ${opts.shop} before paymentsAppConfigure(ready: true)`);
    }
    if (!this.payments.has(gid)) {
      this.payments.set(gid, {
        id: String(body.id),
        gid,
        shop: opts.shop,
        checkout: cancel.split('/').pop() ?? '',
        kind: body.kind === 'authorization' ? 'authorization' : 'sale',
        amount: String(body.amount),
        currency: String(body.currency),
        test: body.test === true,
        state: 'created',
        responded: false,
        redirectUrls: [],
        transitions: 0,
        body,
      });
    }
    const payment = this.payments.get(gid) as EmulatedPayment;
    const statuses: number[] = [];
    const attempts = opts.attempts ?? this.options.sessionAttempts ?? 4;
    const one = async (): Promise<string | undefined> => {
      for (let i = 0; i < attempts; i += 1) {
        let status = 0;
        let text = '';
        try {
          ({ status, text } = await this.#post(endpoints.payment, opts.shop, body));
        } catch {
          status = 0;
        }
        statuses.push(status);
        await opts.onStatus?.(status);
        if (status >= 200 && status < 300) {
          let url: unknown;
          try {
            url = (JSON.parse(text) as { redirect_url?: unknown }).redirect_url;
          } catch {
            url = undefined;
          }
          if (typeof url !== 'string' || !/^https?:\/\//.test(url) || Buffer.byteLength(text) >= 8192) {
            this.violations.push(`payment session ${payment.id}: 2xx without a valid redirect_url < 8192 bytes`);
            return undefined;
          }
          payment.redirectUrls.push(url);
          payment.responded = true;
          if (payment.state === 'created') payment.state = 'open';
          return url;
        }
        if (i + 1 < attempts) await new Promise((r) => setTimeout(r, this.options.sessionRetryDelayMs ?? 50));
      }
      return undefined;
    };
    const urls = await Promise.all(Array.from({ length: opts.copies ?? 1 }, one));
    const got = urls.filter((u): u is string => u !== undefined);
    if (new Set(payment.redirectUrls).size > 1) {
      this.violations.push(`payment session ${payment.id}: different redirect_url for one id`);
    }
    return got.length > 0 ? { ok: true, redirectUrl: got[0], statuses } : { ok: false, statuses };
  }

  /** The merchant refunds / captures / voids in Shopify admin: a session request that must get 201. */
  async startOperation(
    kind: 'refund' | 'capture' | 'void',
    input: { paymentGid: string; amount?: string; copies?: number },
  ): Promise<EmulatedOperation> {
    const endpoints = this.#need();
    const url = endpoints[kind];
    if (!url) throw new Error(`no ${kind} URL`);
    const payment = this.payments.get(input.paymentGid);
    if (!payment) throw new Error('unknown payment');
    if (payment.state !== 'resolved') this.violations.push(`${kind} on a payment that is ${payment.state}`);
    if ((kind === 'capture' || kind === 'void') && payment.kind !== 'authorization') {
      throw new Error(`${kind} only for authorizations`);
    }
    const id = shopifyId();
    const typename = { refund: 'RefundSession', capture: 'CaptureSession', void: 'VoidSession' }[kind];
    const op: EmulatedOperation = {
      kind,
      id,
      gid: `gid://shopify/${typename}/${id}`,
      paymentId: payment.id,
      shop: payment.shop,
      ...(kind !== 'void' ? { amount: input.amount ?? payment.amount } : {}),
      state: 'created',
      responded: false,
      statuses: [],
      transitions: 0,
    };
    this.operations.set(op.gid, op);
    const body: Record<string, unknown> = {
      id,
      gid: op.gid,
      payment_id: payment.id,
      ...(kind !== 'void' ? { amount: op.amount, currency: payment.currency } : {}),
      test: payment.test,
      merchant_locale: 'en',
      proposed_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
    const attempts = this.options.sessionAttempts ?? 4;
    const one = async () => {
      for (let i = 0; i < attempts; i += 1) {
        const { status, text } = await this.#post(url, payment.shop, body).catch(() => ({ status: 0, text: '' }));
        op.statuses.push(status);
        if (status === 201) {
          if (text !== '') this.violations.push(`${kind} session ${id}: 201 with a body`);
          op.responded = true;
          if (op.state === 'created') op.state = 'open';
          return;
        }
        if (status >= 200 && status < 300) {
          this.violations.push(`${kind} session ${id}: answered ${status}, Shopify requires 201`);
          return;
        }
        if (i + 1 < attempts) await new Promise((r) => setTimeout(r, this.options.sessionRetryDelayMs ?? 50));
      }
    };
    await Promise.all(Array.from({ length: input.copies ?? 1 }, one));
    return op;
  }

  /** Sends a webhook signed with the app secret (or a wrong one). */
  async sendWebhook(topic: string, shop: string, payload: unknown, opts: { badHmac?: boolean } = {}): Promise<number> {
    const endpoints = this.#need();
    if (!endpoints.webhooks) throw new Error('no webhook URLs');
    const body = JSON.stringify(payload);
    const hmac = createHmac('sha256', opts.badHmac ? 'not-the-secret' : this.options.apiSecret)
      .update(body)
      .digest('base64');
    const url = topic === 'app/uninstalled' ? endpoints.webhooks.uninstalled : endpoints.webhooks.compliance;
    // Shopify retries a webhook it could not deliver; so does the emulator (once, on a network error).
    const send = () =>
      fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': topic,
          'x-shopify-hmac-sha256': hmac,
          'x-shopify-shop-domain': shop,
          'x-shopify-api-version': this.apiVersion,
          'x-shopify-webhook-id': randomUUID(),
          'x-shopify-triggered-at': new Date().toISOString(),
          'x-shopify-event-id': randomUUID(),
        },
        body,
      });
    const response = await send().catch(() => send());
    await response.body?.cancel();
    return response.status;
  }

  #need(): AppEndpoints {
    if (!this.endpoints) throw new Error('set emulator.endpoints first');
    return this.endpoints;
  }

  /** Successful state changes per session: exactly-once means 1. */
  transitions(gid: string): number {
    return this.payments.get(gid)?.transitions ?? this.operations.get(gid)?.transitions ?? 0;
  }

  // ------------------------------------------------------------------------------------------------------------
  // HTTP side (app → Shopify, buyer → Shopify)

  #routes(): Hono {
    const app = new Hono();

    app.post('/store/:shop/payments_apps/api/:version/graphql.json', async (c) => {
      const shop = c.req.param('shop');
      const schema = schemaFor(c.req.param('version'));
      if (!schema) return c.json({ errors: 'Not Found' }, 404);
      if (this.outage && Date.now() < this.outage.until) {
        this.calls.push({ mutation: '?', outcome: 'fault', at: Date.now() });
        return c.json(
          { errors: 'Service Unavailable' },
          this.outage.status as 503,
          this.outage.retryAfter ? { 'retry-after': this.outage.retryAfter } : {},
        );
      }
      const fault = this.faults[0];
      let hangAfter = false;
      if (fault) {
        fault.times -= 1;
        if (fault.times <= 0) this.faults.shift();
      }
      if (fault?.kind === 'hang' && fault.afterExecute) {
        hangAfter = true;
      } else if (fault) {
        this.calls.push({ mutation: '?', outcome: 'fault', at: Date.now() });
        if (fault.kind === 'hang') return this.#hang();
        if (fault.kind === 'http') {
          return c.json(
            { errors: 'Service Unavailable' },
            fault.status as 500,
            fault.retryAfter ? { 'retry-after': fault.retryAfter } : {},
          );
        }
        if (fault.kind === 'reset') {
          const incoming = (c.env as { incoming?: { socket?: { destroy(): void } } } | undefined)?.incoming;
          incoming?.socket?.destroy();
          return c.body(null, 500);
        }
        return c.json(
          {
            errors: [
              {
                message: 'Throttled',
                extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
              },
            ],
            extensions: { cost: { requestedQueryCost: 10, actualQueryCost: null, throttleStatus: this.#throttle(0) } },
          },
          fault.status ?? 200,
        );
      }
      const token = c.req.header('x-shopify-access-token');
      if (!token || this.tokens.get(token) !== shop) {
        this.calls.push({ mutation: '?', outcome: 'unauthorized', at: Date.now() });
        return c.json({ errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' }, 401);
      }
      let body: { query?: unknown; variables?: unknown; operationName?: unknown };
      try {
        body = (await c.req.json()) as typeof body;
      } catch {
        return c.json({ errors: [{ message: 'Invalid JSON' }] }, 400);
      }
      if (typeof body.query !== 'string') return c.json({ errors: [{ message: 'No query string was present' }] }, 200);
      let document: ReturnType<typeof parse>;
      try {
        document = parse(body.query);
      } catch (error) {
        this.violations.push(`GraphQL syntax error: ${(error as Error).message}`);
        this.calls.push({ mutation: '?', outcome: 'invalid', at: Date.now() });
        return c.json({ errors: [{ message: (error as Error).message, extensions: { code: 'PARSE_ERROR' } }] });
      }
      const errors = validate(schema, document);
      if (errors.length > 0) {
        for (const e of errors) this.violations.push(`GraphQL validation: ${e.message}`);
        this.calls.push({ mutation: '?', outcome: 'invalid', at: Date.now() });
        return c.json({
          errors: errors.map((e) => ({
            message: e.message,
            locations: e.locations,
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          })),
        });
      }
      // The leaky bucket: a call that costs more than is left is THROTTLED, not run (no `data`), as Shopify does.
      if (this.#refill() && this.#available < REQUESTED_COST) {
        this.throttledByCost += 1;
        this.calls.push({ mutation: '?', outcome: 'fault', at: Date.now() });
        return c.json(
          {
            errors: [
              {
                message: 'Throttled',
                extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
              },
            ],
            extensions: {
              cost: { requestedQueryCost: REQUESTED_COST, actualQueryCost: null, throttleStatus: this.#throttle(0) },
            },
          },
          this.throttledStatus,
        );
      }
      const result = await execute({
        schema,
        document,
        rootValue: this.#resolvers(shop),
        variableValues: (body.variables ?? {}) as Record<string, unknown>,
      });
      if (result.errors?.length) {
        for (const e of result.errors) this.violations.push(`GraphQL execution: ${e.message}`);
      }
      if (hangAfter) return this.#hang();
      return c.json({
        ...(result.errors?.length ? { errors: result.errors.map((e) => ({ message: e.message, path: e.path })) } : {}),
        data: result.data ?? null,
        extensions: {
          cost: { requestedQueryCost: REQUESTED_COST, actualQueryCost: 10, throttleStatus: this.#throttle(10) },
        },
      });
    });

    // OAuth (authorization-code grant): the shop's admin consents and calls back with an HMAC'ed query.
    app.get('/store/:shop/admin/oauth/authorize', (c) => {
      const shop = c.req.param('shop');
      const q = c.req.query();
      if (q.client_id !== this.options.apiKey) return c.text('Unknown client_id', 400);
      if (!q.redirect_uri || !q.state) return c.text('redirect_uri and state required', 400);
      const code = randomBytes(16).toString('hex');
      this.#codes.set(code, shop);
      const params: Record<string, string> = {
        code,
        host: Buffer.from(`admin.shopify.com/store/${shop.split('.')[0]}`).toString('base64url'),
        shop,
        state: q.state,
        timestamp: String(Math.floor(Date.now() / 1000)),
      };
      const message = Object.keys(params)
        .sort((a, b) => a.localeCompare(b))
        .map((k) => `${k}=${params[k]}`)
        .join('&');
      params.hmac = createHmac('sha256', this.options.apiSecret).update(message).digest('hex');
      const target = new URL(q.redirect_uri);
      for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
      return c.redirect(target.toString(), 302);
    });

    app.post('/store/:shop/admin/oauth/access_token', async (c) => {
      const shop = c.req.param('shop');
      const body = (await c.req.json().catch(() => ({}))) as {
        client_id?: string;
        client_secret?: string;
        code?: string;
      };
      if (body.client_id !== this.options.apiKey || body.client_secret !== this.options.apiSecret) {
        return c.json({ error: 'invalid_client' }, 401);
      }
      if (!body.code || this.#codes.get(body.code) !== shop) return c.json({ error: 'invalid_request' }, 400);
      this.#codes.delete(body.code);
      const token = this.install(shop);
      return c.json({ access_token: token, scope: 'write_payment_gateways,write_payment_sessions' });
    });

    // The buyer's side.
    app.get('/store/:shop/checkouts/:token', (c) => {
      const failed = c.req.query('payment_failed') !== undefined;
      return c.html(
        `<!doctype html><title>Checkout</title><h1 id="checkout">Checkout ${c.req.param('token')}</h1>${failed ? '<p id="failed">Your payment could not be processed.</p>' : ''}<form method="POST" action="/store/${c.req.param('shop')}/checkouts/${c.req.param('token')}/pay"><input name="amount" value="${c.req.query('amount') ?? '1500.00'}"><input name="currency" value="${c.req.query('currency') ?? 'RUB'}"><input name="test" value="${c.req.query('test') ?? '1'}"><button id="pay" type="submit">Pay now</button></form>`,
      );
    });
    app.post('/store/:shop/checkouts/:token/pay', async (c) => {
      const shop = c.req.param('shop');
      const form = await c.req.parseBody();
      const body = this.newPaymentBody({
        shop,
        amount: String(form.amount ?? '1500.00'),
        currency: String(form.currency ?? 'RUB'),
        test: form.test === '1',
        checkout: c.req.param('token'),
      });
      const started = await this.startPayment(body, { shop });
      if (!started.redirectUrl)
        return c.html('<h1 id="error">Your payment can\'t be processed for technical reasons.</h1>', 502);
      return c.redirect(started.redirectUrl, 302);
    });
    app.get('/store/:shop/checkouts/:token/thank_you', (c) => {
      this.thankYouVisits.push(c.req.param('token'));
      return c.html(
        `<!doctype html><title>Thank you</title><h1 id="thank-you">Thank you for your purchase!</h1><p>Order ${c.req.param('token')}</p>`,
      );
    });
    app.get('/store/:shop/checkouts/:token/processing', (c) =>
      c.html(`<!doctype html><title>Processing</title><h1 id="processing">Your payment is being processed</h1>`),
    );
    return app;
  }

  /** A smaller bucket from now on (full), to make the app run it dry. */
  setBucket(bucket: { maximumAvailable: number; restoreRate: number }): void {
    this.options.bucket = bucket;
    this.#available = bucket.maximumAvailable;
    this.#lastRefill = Date.now();
  }

  #refill(): { maximumAvailable: number; restoreRate: number } {
    const bucket = this.options.bucket ?? { maximumAvailable: 1_092_000, restoreRate: 54_600 };
    const now = Date.now();
    this.#available = Math.min(
      bucket.maximumAvailable,
      this.#available + ((now - this.#lastRefill) / 1000) * bucket.restoreRate,
    );
    this.#lastRefill = now;
    return bucket;
  }

  #throttle(cost: number) {
    const bucket = this.#refill();
    this.#available -= cost;
    return {
      maximumAvailable: bucket.maximumAvailable,
      currentlyAvailable: Math.floor(this.#available),
      restoreRate: bucket.restoreRate,
    };
  }

  #nextAction(payment: EmulatedPayment) {
    const base = `${this.shopOrigin(payment.shop)}/checkouts/${payment.checkout}`;
    const redirectUrl =
      payment.state === 'resolved'
        ? `${base}/thank_you`
        : payment.state === 'pending'
          ? `${base}/processing`
          : `${base}?payment_failed=1`;
    return { action: 'REDIRECT', context: { __typename: 'PaymentSessionActionsRedirect', redirectUrl } };
  }

  #session(payment: EmulatedPayment) {
    const state =
      payment.state === 'resolved'
        ? { __typename: 'PaymentSessionStateResolved', code: 'RESOLVED' }
        : payment.state === 'rejected'
          ? {
              __typename: 'PaymentSessionStateRejected',
              code: 'REJECTED',
              reason: payment.rejectReason?.code,
              merchantMessage: payment.rejectReason?.merchantMessage ?? null,
              source: null,
            }
          : { __typename: 'PaymentSessionStatePending', code: 'PENDING', reason: 'PARTNER_ACTION_REQUIRED' };
    return {
      id: payment.gid,
      state,
      nextAction: this.#nextAction(payment),
      authorizationExpiresAt: null,
      pendingExpiresAt: null,
    };
  }

  #resolvers(shop: string) {
    const record = (mutation: string, id: string | undefined, outcome: MutationCall['outcome']) =>
      this.calls.push({ mutation, ...(id ? { id } : {}), outcome, at: Date.now() });
    const paymentFinal =
      (mutation: 'paymentSessionResolve' | 'paymentSessionReject', target: 'resolved' | 'rejected') =>
      (args: { id: string; reason?: { code: string; merchantMessage?: string } }) => {
        const payment = this.payments.get(args.id);
        if (!payment || payment.shop !== shop) {
          record(mutation, args.id, 'user_errors');
          return { paymentSession: null, userErrors: [{ field: ['id'], message: 'Payment session not found.' }] };
        }
        const sameAgain = payment.state === target;
        if (!payment.responded || (!sameAgain && (payment.state === 'resolved' || payment.state === 'rejected'))) {
          record(mutation, args.id, 'user_errors');
          if (!payment.responded) this.violations.push(`${mutation} before Shopify had the 2xx for ${payment.id}`);
          return { paymentSession: null, userErrors: [{ field: ['id'], message: NOT_RECEIVED_MESSAGE }] };
        }
        if (!sameAgain) {
          payment.state = target;
          payment.transitions += 1;
          if (target === 'rejected' && args.reason) payment.rejectReason = args.reason;
        }
        record(mutation, args.id, 'ok');
        return { paymentSession: this.#session(payment), userErrors: [] };
      };
    const operationFinal = (kind: 'refund' | 'capture' | 'void', target: 'resolved' | 'rejected') => {
      const key = `${kind}Session`;
      const upper = kind.toUpperCase();
      const typename = { refund: 'RefundSession', capture: 'CaptureSession', void: 'VoidSession' }[kind];
      const mutation = `${key}${target === 'resolved' ? 'Resolve' : 'Reject'}`;
      return (args: { id: string; reason?: { code: string; merchantMessage?: string } }) => {
        const op = this.operations.get(args.id);
        if (!op || op.shop !== shop) {
          record(mutation, args.id, 'user_errors');
          return {
            [key]: null,
            userErrors: [{ field: ['id'], message: 'Not found', code: `${upper}_SESSION_NOT_FOUND` }],
          };
        }
        if (!op.responded) this.violations.push(`${mutation} before Shopify had the 201 for ${op.id}`);
        const sameAgain = op.state === target && (target === 'resolved' || op.rejectReason?.code === args.reason?.code);
        if (!sameAgain && (op.state === 'resolved' || op.state === 'rejected')) {
          record(mutation, args.id, 'user_errors');
          return {
            [key]: null,
            userErrors: [{ field: ['id'], message: 'Invalid state', code: `${upper}_SESSION_INVALID_STATE` }],
          };
        }
        if (!sameAgain) {
          op.state = target;
          op.transitions += 1;
          if (args.reason) op.rejectReason = args.reason;
        }
        record(mutation, args.id, 'ok');
        const state =
          op.state === 'resolved'
            ? { __typename: `${typename}StateResolved`, code: 'RESOLVED' }
            : {
                __typename: `${typename}StateRejected`,
                code: 'REJECTED',
                reason: op.rejectReason?.code,
                merchantMessage: op.rejectReason?.merchantMessage ?? null,
              };
        return { [key]: { id: op.gid, state }, userErrors: [] };
      };
    };
    return {
      publicApiVersions: () =>
        Object.keys(SUPPORTED_VERSIONS).map((handle) => ({ handle, displayName: handle, supported: true })),
      paymentsAppConfigure: (args: { externalHandle?: string | null; ready: boolean }) => {
        const configuration = { externalHandle: args.externalHandle ?? null, ready: args.ready };
        this.configurations.set(shop, configuration);
        record('paymentsAppConfigure', undefined, 'ok');
        return { paymentsAppConfiguration: configuration, userErrors: [] };
      },
      paymentSessionResolve: paymentFinal('paymentSessionResolve', 'resolved'),
      paymentSessionReject: paymentFinal('paymentSessionReject', 'rejected'),
      paymentSessionPending: (args: { id: string; pendingExpiresAt: string }) => {
        const payment = this.payments.get(args.id);
        if (!payment || payment.shop !== shop) {
          record('paymentSessionPending', args.id, 'user_errors');
          return { paymentSession: null, userErrors: [{ field: ['id'], message: 'Not found', code: 'NOT_FOUND' }] };
        }
        const expires = Date.parse(args.pendingExpiresAt);
        if (!(expires > Date.now())) {
          return {
            paymentSession: null,
            userErrors: [{ field: ['pendingExpiresAt'], message: 'In the past', code: 'EXPIRED_PENDING_EXPIRES_AT' }],
          };
        }
        if (expires > Date.now() + 3 * 24 * 3600_000) {
          return {
            paymentSession: null,
            userErrors: [{ field: ['pendingExpiresAt'], message: 'Too far', code: 'OUT_OF_RANGE_PENDING_EXPIRES_AT' }],
          };
        }
        if (payment.state === 'resolved' || payment.state === 'rejected' || !payment.responded) {
          record('paymentSessionPending', args.id, 'user_errors');
          return {
            paymentSession: null,
            userErrors: [
              {
                field: ['id'],
                message: 'Payment session has already been resolved or rejected.',
                code: 'PENDING_INVALID_STATE',
              },
            ],
          };
        }
        payment.state = 'pending';
        record('paymentSessionPending', args.id, 'ok');
        return { paymentSession: this.#session(payment), userErrors: [] };
      },
      paymentSessionRedirect: () => ({
        paymentSession: null,
        userErrors: [
          {
            field: ['id'],
            message: 'Redirect is not supported for offsite payments',
            code: 'REDIRECT_NOT_SUPPORTED_FOR_OFFSITE',
          },
        ],
      }),
      refundSessionResolve: operationFinal('refund', 'resolved'),
      refundSessionReject: operationFinal('refund', 'rejected'),
      captureSessionResolve: operationFinal('capture', 'resolved'),
      captureSessionReject: operationFinal('capture', 'rejected'),
      voidSessionResolve: operationFinal('void', 'resolved'),
      voidSessionReject: operationFinal('void', 'rejected'),
    };
  }
}

export async function startEmulator(options: EmulatorOptions): Promise<ShopifyEmulator> {
  return new ShopifyEmulator(options).start();
}
