/**
 * The app's composition root: routes are short adapters from Shopify's requests to core's use cases
 * (`issuePayment`, `processNotification`, `refundPayment`, `capturePayment`, `cancelPayment`) and to the outbox.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { HttpBindings } from '@hono/node-server';
import {
  cancelPayment,
  capturePayment,
  createJsonConsoleLogger,
  finishRefund,
  type Gateway,
  handleHoldNotification,
  isCurrencyCode,
  isKassaError,
  issuePayment,
  type Logger,
  type PaymentRecord,
  parseMoney,
  processNotification,
  refreshPayment,
  refundPayment,
  type SettleVerdict,
} from '@kassa/core';
import '@shopify/shopify-api/adapters/web-api';
import { ApiVersion, LogSeverity, type Shopify, shopifyApi } from '@shopify/shopify-api';
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime';
import type { SessionStorage } from '@shopify/shopify-app-session-storage';
import { Hono } from 'hono';
import { type KeyRing, parseKeyRing } from './crypto.js';
import { type Database, openDatabase } from './db.js';
import {
  createGateway,
  externalHandle,
  type GatewaySettings,
  gatewaySettingsSchema,
  holdChannel,
  SECRET_KEYS,
} from './gateways.js';
import { messagePage, redirectPage, settingsPage } from './html.js';
import { type JobHandler, type JobResult, Outbox } from './outbox.js';
import { type ApiResult, type MutationName, nextActionUrl, PaymentsApi } from './payments-api.js';
import {
  OPERATION_SCHEMAS,
  type OperationKind,
  paymentSessionSchema,
  SHOP_DOMAIN,
  sessionHeadersSchema,
} from './schemas.js';
import { sessionStorageFor } from './session-storage.js';
import { Shops } from './shops.js';

export interface AppOptions {
  /** The app's public origin (`https://pay.example.com`): redirect URLs and the gateway URLs start with it. */
  appUrl: string;
  apiKey: string;
  apiSecretKey: string;
  /** `postgres://…` or an SQLite path (`:memory:` for tests). */
  databaseUrl: string;
  /** `KASSA_SHOPIFY_KEYS`: `id:base64,…` (the first encrypts). */
  encryptionKeys: string;
  scopes?: string | undefined;
  /** Where a shop's Shopify lives (default `https://{shop}`); the emulator in tests and the demo. */
  shopOrigin?: ((shop: string) => string) | undefined;
  /** Session endpoints demand a client certificate chained to the configured CA (set when serving HTTPS). */
  requireClientCertificate?: boolean | undefined;
  logger?: Logger | undefined;
  /** How long the buyer's return waits for the resolve before marking the payment pending. Default 4000 ms. */
  returnWaitMs?: number | undefined;
  /** Outbox tuning (tests). */
  outbox?: { backoffMs?: (attempt: number) => number; pollMs?: number; leaseMs?: number } | undefined;
  /** Do not start the outbox worker (a test plays a crash between the notification and the resolve). */
  startOutbox?: boolean | undefined;
  /**
   * Every this many ms, open sessions older than `reconcileAfterMs` are checked with the gateway's status API (a
   * lost notification and a buyer who closed the tab still end in a resolve). Default 5 min; 0 turns it off.
   */
  reconcileEveryMs?: number | undefined;
  /** Default 10 min: the notification gets its chance first. */
  reconcileAfterMs?: number | undefined;
  /** Reuse an opened database (two app instances in one test process share nothing but the URL otherwise). */
  database?: Database | undefined;
  /**
   * Where OAuth sessions live, when not the built-in choice (Shopify's PostgreSQL adapter on PostgreSQL, ours over
   * node:sqlite on SQLite): e.g. `new SQLiteSessionStorage(path)` from `@shopify/shopify-app-session-storage-sqlite`,
   * which needs the sqlite3 native addon (README, Storage). The caller closes it.
   */
  sessionStorage?: SessionStorage | undefined;
}

export interface KassaShopifyApp {
  /** One reconciliation pass over every shop's open sessions (also run on a timer, see `reconcileEveryMs`). */
  reconcile(): Promise<{ checked: number; settled: number; errors: number }>;
  readonly fetch: (request: Request, env?: unknown) => Response | Promise<Response>;
  readonly hono: Hono<{ Bindings: HttpBindings }>;
  readonly db: Database;
  readonly outbox: Outbox;
  readonly shops: Shops;
  readonly sessions: SessionStorage;
  readonly api: PaymentsApi;
  readonly shopify: Shopify;
  readonly keys: KeyRing;
  close(): Promise<void>;
}

/** Log codes of this app (README → Troubleshooting). */
export const APP_LOG_CODES = {
  sessionRefused: 'SHOPIFY_SESSION_REFUSED',
  sessionIssued: 'SHOPIFY_SESSION_ISSUED',
  noToken: 'SHOPIFY_NO_OFFLINE_TOKEN',
  webhookInvalid: 'SHOPIFY_WEBHOOK_INVALID',
  mtlsRefused: 'SHOPIFY_MTLS_REFUSED',
  surplus: 'SHOPIFY_PAYMENT_SURPLUS',
} as const;

/** Shopify's message when a resolve races our own 2xx to the start request (§7.1): retried, never final. */
const NOT_YET_RECEIVED = /response to start_payment_session request has not been received/i;

interface PaymentRow {
  id: string;
  shop: string;
  gid: string;
  kind: 'sale' | 'authorization';
  amount: string;
  currency: string;
  test: boolean;
  cancelUrl: string;
  customer: Record<string, unknown> | null;
  gateway: string | null;
  invoiceId: string | null;
  status: string;
  nextUrl: string | null;
}

function toPayment(row: Record<string, unknown>): PaymentRow {
  return {
    id: String(row.id),
    shop: String(row.shop),
    gid: String(row.gid),
    kind: row.kind === 'authorization' ? 'authorization' : 'sale',
    amount: String(row.amount),
    currency: String(row.currency),
    test: Number(row.test) === 1,
    cancelUrl: String(row.cancel_url),
    customer: row.customer ? (JSON.parse(String(row.customer)) as Record<string, unknown>) : null,
    gateway: row.gateway === null || row.gateway === undefined ? null : String(row.gateway),
    invoiceId: row.invoice_id === null || row.invoice_id === undefined ? null : String(row.invoice_id),
    status: String(row.status),
    nextUrl: row.next_url === null || row.next_url === undefined ? null : String(row.next_url),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function createShopifyApp(options: AppOptions): Promise<KassaShopifyApp> {
  const appUrl = options.appUrl.replace(/\/+$/, '');
  const logger = options.logger ?? createJsonConsoleLogger();
  const keys = parseKeyRing(options.encryptionKeys);
  const db = options.database ?? (await openDatabase(options.databaseUrl));
  const shops = new Shops(db, keys);
  const sessions = options.sessionStorage ?? sessionStorageFor(db);
  const api = new PaymentsApi({ shopOrigin: options.shopOrigin });
  const returnWaitMs = options.returnWaitMs ?? 4000;
  const client = db.client;

  if (options.shopOrigin) {
    // shopify-api fetches `https://{shop}/admin/oauth/access_token`; the emulator lives elsewhere.
    const origin = options.shopOrigin;
    setAbstractFetchFunc(((input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      if (SHOP_DOMAIN.test(url.hostname)) return fetch(`${origin(url.hostname)}${url.pathname}${url.search}`, init);
      return fetch(input, init);
    }) as typeof fetch);
  }
  const appHost = new URL(appUrl);
  const shopify = shopifyApi({
    apiKey: options.apiKey,
    apiSecretKey: options.apiSecretKey,
    scopes: (options.scopes ?? 'write_payment_gateways,write_payment_sessions').split(','),
    hostName: appHost.host,
    hostScheme: appHost.protocol === 'http:' ? 'http' : 'https',
    apiVersion: ApiVersion.July26,
    isEmbeddedApp: false,
    logger: { level: LogSeverity.Error, log: () => undefined },
  });

  async function offlineToken(shop: string): Promise<string | undefined> {
    const session = await sessions.loadSession(shopify.session.getOfflineId(shop));
    return session?.accessToken;
  }

  async function loadPayment(id: string): Promise<PaymentRow | undefined> {
    const [row] = await client.query<Record<string, unknown>>('select * from kassa_shopify_payment where id = ?', [id]);
    return row ? toPayment(row) : undefined;
  }

  async function paymentByInvoice(gateway: string, invoiceId: string): Promise<PaymentRow | undefined> {
    const [row] = await client.query<Record<string, unknown>>(
      'select * from kassa_shopify_payment where gateway = ? and invoice_id = ?',
      [gateway, invoiceId],
    );
    return row ? toPayment(row) : undefined;
  }

  async function setPaymentStatus(id: string, status: string, nextUrl?: string): Promise<void> {
    await client.query(
      'update kassa_shopify_payment set status = ?, next_url = coalesce(?, next_url), updated_at = ? where id = ?',
      [status, nextUrl ?? null, Date.now(), id],
    );
  }

  // -------------------------------------------------------------------------------------------------------------
  // Outbox jobs

  const mutationJob =
    (mutation: MutationName): JobHandler =>
    async (job) => {
      const token = await offlineToken(job.shop);
      if (!token) {
        logger.error(APP_LOG_CODES.noToken, { shop: job.shop });
        return { status: 'retry', reason: 'no offline token for the shop' };
      }
      const result = await api.call(job.shop, token, mutation, job.payload.variables as Record<string, unknown>);
      return afterMutation(mutation, job.payload, result);
    };

  async function afterMutation(
    mutation: MutationName,
    payload: Record<string, unknown>,
    result: ApiResult,
  ): Promise<JobResult> {
    const paymentId = typeof payload.paymentId === 'string' ? payload.paymentId : undefined;
    const operationId = typeof payload.operationId === 'string' ? payload.operationId : undefined;
    switch (result.kind) {
      case 'retry':
        return { status: 'retry', reason: result.reason, afterMs: result.retryAfterMs };
      case 'broken':
        // 401/404/invalid query: retrying later may help after a reinstall; a human sees the log meanwhile.
        return { status: 'retry', reason: result.reason };
      case 'user_errors': {
        const text = result.errors.map((e) => e.message).join('; ');
        if (NOT_YET_RECEIVED.test(text)) return { status: 'retry', reason: 'Shopify has not seen our 2xx yet' };
        return { status: 'failed', reason: `userErrors: ${text}`, result: result.errors };
      }
      case 'ok': {
        if (paymentId) {
          const status =
            mutation === 'paymentSessionResolve'
              ? 'resolved'
              : mutation === 'paymentSessionReject'
                ? 'rejected'
                : 'pending';
          await setPaymentStatus(paymentId, status, nextActionUrl(result.payload));
        }
        if (operationId) {
          await client.query('update kassa_shopify_operation set status = ?, updated_at = ? where id = ?', [
            mutation.endsWith('Resolve') ? 'resolved' : 'rejected',
            Date.now(),
            operationId,
          ]);
        }
        return { status: 'done', result: { nextUrl: nextActionUrl(result.payload) ?? null } };
      }
    }
  }

  async function operationJob(kind: OperationKind, job: Parameters<JobHandler>[0]): Promise<JobResult> {
    const opId = String(job.payload.operationId);
    const [op] = await client.query<Record<string, unknown>>('select * from kassa_shopify_operation where id = ?', [
      opId,
    ]);
    if (!op) return { status: 'failed', reason: 'operation row missing' };
    const payment = await loadPayment(String(op.payment_id));
    const gw = await shops.gateway(job.shop);
    if (!payment?.invoiceId || !payment.gateway || !gw) return { status: 'retry', reason: 'payment or shop not ready' };
    const deps = { gateway: gw.gateway, ledger: db.ledger };
    const record = await db.ledger.find({ gateway: gw.gateway.id, invoiceId: payment.invoiceId });
    if (!record) return { status: 'failed', reason: 'no ledger record' };
    const gid = String(op.gid);
    const resolve = `${kind}SessionResolve` as MutationName;
    const reject = `${kind}SessionReject` as MutationName;
    const answer = async (ok: boolean, message?: string) => {
      await outbox.enqueue({
        dedupe: `${kind}-answer:${gid}`,
        shop: job.shop,
        kind: ok ? resolve : reject,
        payload: {
          operationId: opId,
          variables: ok
            ? { id: gid }
            : {
                id: gid,
                reason: {
                  code: 'PROCESSING_ERROR',
                  merchantMessage: (message ?? 'Refused by the gateway').slice(0, 255),
                },
              },
        },
      });
      return { status: 'done' as const, result: { ok } };
    };
    try {
      if (kind === 'refund') {
        const amount = parseMoney(String(op.amount), record.amount.currency);
        const before = String(op.status);
        if (before === 'sending') {
          // A crash interrupted the refund: finish it from the ledger's write-ahead record, never re-send blindly.
          if (record.state === 'refund_requested') {
            const verdict = await finishRefund(deps, record);
            if (verdict === 'unknown') return { status: 'retry', reason: 'refund state unknown' };
            return answer(verdict === 'done', 'The gateway refused the refund');
          }
          const done = Number(job.payload.refundedBefore ?? -1);
          return answer(Number(record.refunded.minor) >= done + Number(amount.minor), 'The gateway refused the refund');
        }
        await client.query("update kassa_shopify_operation set status = 'sending', updated_at = ? where id = ?", [
          Date.now(),
          opId,
        ]);
        await client.query('update kassa_shopify_outbox set payload = ? where id = ?', [
          JSON.stringify({ ...job.payload, refundedBefore: Number(record.refunded.minor) }),
          job.id,
        ]);
        await refundPayment(deps, record, { amount });
        return answer(true);
      }
      if (kind === 'capture') {
        const amount = parseMoney(String(op.amount), record.amount.currency);
        await capturePayment(deps, record, amount);
        return answer(true);
      }
      await cancelPayment(deps, record);
      return answer(true);
    } catch (error) {
      if (isKassaError(error)) {
        if (error.code === 'GATEWAY_UNREACHABLE' || error.code === 'GATEWAY_TIMEOUT') {
          return { status: 'retry', reason: error.code };
        }
        if (error.code === 'INVALID_TRANSITION' && record.state === 'refund_requested') {
          return { status: 'retry', reason: 'another refund is in flight' };
        }
        return answer(false, `${error.code}: ${error.message}`);
      }
      throw error;
    }
  }

  const handlers: Record<string, JobHandler> = {
    refund: (job) => operationJob('refund', job),
    capture: (job) => operationJob('capture', job),
    void: (job) => operationJob('void', job),
  };
  for (const m of [
    'paymentSessionResolve',
    'paymentSessionReject',
    'paymentSessionPending',
    'refundSessionResolve',
    'refundSessionReject',
    'captureSessionResolve',
    'captureSessionReject',
    'voidSessionResolve',
    'voidSessionReject',
  ] as const) {
    handlers[m] = mutationJob(m);
  }
  const outbox = new Outbox({ client, handlers, logger, ...options.outbox });
  if (options.startOutbox !== false) outbox.start();

  /**
   * The settle step: a paid or held invoice owes Shopify a resolve, enqueued once, durably, before the gateway's OK.
   * A payment Shopify can no longer take — its session was rejected, or the merchant voided the authorization and
   * the gateway reports money anyway (core now accepts a genuine payment on a cancelled invoice) — is a surplus:
   * core flags it once and refunds it when the gateway can, and Shopify is not asked again.
   */
  async function settle(record: PaymentRecord): Promise<SettleVerdict> {
    const payment = await paymentByInvoice(record.gateway, record.invoiceId);
    if (!payment) throw new Error('no Shopify payment session for this invoice');
    const voided = await client.query<{ id: string }>(
      "select id from kassa_shopify_operation where payment_id = ? and kind = 'void'",
      [payment.id],
    );
    if (payment.status === 'rejected' || payment.status === 'refused' || voided.length > 0) {
      logger.error(APP_LOG_CODES.surplus, { shop: payment.shop, id: payment.id, invoiceId: record.invoiceId });
      return 'surplus';
    }
    await outbox.enqueue({
      dedupe: `paymentSessionResolve:${payment.gid}`,
      shop: payment.shop,
      kind: 'paymentSessionResolve',
      payload: { paymentId: payment.id, variables: { id: payment.gid } },
    });
    await db.ledger.markSettled({ gateway: record.gateway, invoiceId: record.invoiceId }, record.state);
    return 'settled';
  }

  /**
   * Open sessions the gateway may have settled without telling us (a lost notification, the buyer closed the tab):
   * asked about per shop, with that shop's gateway only (the ledger is shared; a status call with another shop's
   * credentials would say "not found"), through core's `refreshPayment`, the settle step notifications take.
   */
  async function reconcile(): Promise<{ checked: number; settled: number; errors: number }> {
    const olderThan = Date.now() - (options.reconcileAfterMs ?? 600_000);
    const rows = await client.query<Record<string, unknown>>(
      "select * from kassa_shopify_payment where status in ('open', 'pending') and invoice_id is not null and updated_at <= ? order by updated_at limit 200",
      [olderThan],
    );
    const summary = { checked: 0, settled: 0, errors: 0 };
    for (const raw of rows) {
      const row = toPayment(raw);
      const configured = await shops.gateway(row.shop);
      if (!configured || configured.gateway.id !== row.gateway || !row.invoiceId) continue;
      const record = await db.ledger.find({ gateway: configured.gateway.id, invoiceId: row.invoiceId });
      if (!record) continue;
      summary.checked += 1;
      try {
        if (record.state === 'pending') {
          const result = await refreshPayment(
            { gateway: configured.gateway, ledger: db.ledger, logger, onSettled: (r) => settle(r) },
            record,
            'reconcile',
          );
          if (result.outcome === 'paid' || result.outcome === 'held') summary.settled += 1;
        } else if (record.state === 'paid' || record.state === 'held') {
          await settle(record); // paid in the ledger, resolve never enqueued (a crash inside the settle step)
          summary.settled += 1;
        }
        await client.query('update kassa_shopify_payment set updated_at = ? where id = ? and status in (?, ?)', [
          Date.now(),
          row.id,
          'open',
          'pending',
        ]);
      } catch {
        summary.errors += 1;
      }
    }
    return summary;
  }
  const reconcileEvery = options.reconcileEveryMs ?? 300_000;
  const reconcileTimer =
    reconcileEvery > 0 && options.startOutbox !== false
      ? setInterval(() => void reconcile().catch(() => undefined), reconcileEvery)
      : undefined;
  reconcileTimer?.unref();

  // -------------------------------------------------------------------------------------------------------------
  // Routes

  const app = new Hono<{ Bindings: HttpBindings }>();

  const clientCertificateOk = (env: HttpBindings | undefined): boolean => {
    if (!options.requireClientCertificate) return true;
    const socket = env?.incoming?.socket as TLSSocket | undefined;
    return Boolean(socket && 'authorized' in socket && socket.authorized);
  };

  app.get('/healthz', (c) => c.json({ ok: true }));
  app.post('/noop', (c) => c.json({ ok: true }));

  app.post('/shopify/payment_session', async (c) => {
    if (!clientCertificateOk(c.env)) {
      logger.warn(APP_LOG_CODES.mtlsRefused, { route: 'payment_session' });
      return c.json({ error: 'client certificate required' }, 401);
    }
    const headers = sessionHeadersSchema.safeParse(Object.fromEntries(c.req.raw.headers));
    if (!headers.success) return c.json({ error: 'invalid headers' }, 400);
    let json: unknown;
    try {
      json = await c.req.json();
    } catch {
      return c.json({ error: 'invalid JSON' }, 400);
    }
    const parsed = paymentSessionSchema.safeParse(json);
    if (!parsed.success) {
      return c.json({ error: 'invalid body', issues: parsed.error.issues.map((i) => i.path.join('.')) }, 400);
    }
    const body = parsed.data;
    const shop = headers.data['shopify-shop-domain'];
    const configured = await shops.gateway(shop);
    if (!configured?.row.ready) {
      logger.warn(APP_LOG_CODES.sessionRefused, { shop, reason: 'shop not configured' });
      return c.json({ error: 'shop not configured' }, 403);
    }
    const now = Date.now();
    await client.query(
      `insert into kassa_shopify_payment (id, shop, gid, kind, amount, currency, test, cancel_url, customer, status,
         created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?) on conflict (id) do nothing`,
      [
        body.id,
        shop,
        body.gid,
        body.kind,
        body.amount,
        body.currency,
        body.test ? 1 : 0,
        body.payment_method.data.cancel_url,
        body.customer ? JSON.stringify(body.customer) : null,
        now,
        now,
      ],
    );
    const redirectUrl = `${appUrl}/pay/${encodeURIComponent(body.id)}`;
    const deadline = Date.now() + 5000;
    for (;;) {
      const row = await loadPayment(body.id);
      if (!row) return c.json({ error: 'storage' }, 503);
      if (row.shop !== shop || row.gid !== body.gid || row.amount !== body.amount || row.currency !== body.currency) {
        return c.json({ error: 'this id was used for another payment' }, 409);
      }
      if (row.status !== 'new') return c.json({ redirect_url: redirectUrl }, 201);
      const claimed = await client.query(
        "update kassa_shopify_payment set claim_until = ? where id = ? and status = 'new' and claim_until < ? returning id",
        [Date.now() + 10_000, body.id, Date.now()],
      );
      if (claimed.length > 0) {
        await issue(row, configured.gateway, configured.row.settings);
        return c.json({ redirect_url: redirectUrl }, 201);
      }
      if (Date.now() > deadline) return c.json({ error: 'busy, retry' }, 503);
      await sleep(25);
    }
  });

  /** Allocates the invoice (once per Shopify id) or refuses the session with a reason Shopify understands. */
  async function issue(row: PaymentRow, gateway: Gateway, settings: GatewaySettings): Promise<void> {
    const refuse = async (code: string, message: string) => {
      await client.query("update kassa_shopify_payment set status = 'refused', updated_at = ? where id = ?", [
        Date.now(),
        row.id,
      ]);
      logger.warn(APP_LOG_CODES.sessionRefused, { shop: row.shop, id: row.id, reason: code });
      await outbox.enqueue({
        dedupe: `paymentSessionReject:${row.gid}`,
        shop: row.shop,
        kind: 'paymentSessionReject',
        payload: { paymentId: row.id, variables: { id: row.gid, reason: { code, merchantMessage: message } } },
        // Shopify must have our 2xx before any resolve or reject (§7.1).
        delayMs: 250,
      });
    };
    if (!isCurrencyCode(row.currency) || !gateway.capabilities.currencies.includes(row.currency)) {
      return refuse('INVALID_CURRENCY', `${gateway.id} does not take ${row.currency} for this account`);
    }
    // Assist's test mode is the account's (its test host): a Shopify test payment on a live account would take real
    // money, and a live one on a test account would be paid with fake money. Neither may go through.
    if (settings.gateway === 'assist' && settings.testMode !== row.test) {
      return refuse(
        'PROCESSING_ERROR',
        settings.testMode
          ? 'The Assist account is a test account: switch off test mode in Shopify or save the live account'
          : 'Shopify test mode needs an Assist test account (its test host): save one in the app settings',
      );
    }
    if (row.kind === 'authorization' && !gateway.capabilities.hold) {
      return refuse('PROCESSING_ERROR', `${gateway.id} is not set up for authorizations (holds)`);
    }
    // A crashed earlier attempt may have created the invoice without recording it here.
    const existing = await db.ledger.findByReference(row.id);
    const record =
      existing && existing.gateway === gateway.id
        ? existing
        : (
            await issuePayment(
              { gateway, ledger: db.ledger },
              {
                reference: row.id,
                amount: parseMoney(row.amount, row.currency),
                // Assist's test mode is the account's (its test host); equal to Shopify's flag, checked above.
                isTest: row.test,
                description: `Shopify payment ${row.id}`,
              },
            )
          ).record;
    await client.query(
      "update kassa_shopify_payment set gateway = ?, invoice_id = ?, status = 'open', updated_at = ? where id = ?",
      [record.gateway, record.invoiceId, Date.now(), row.id],
    );
    logger.info(APP_LOG_CODES.sessionIssued, {
      shop: row.shop,
      id: row.id,
      gateway: record.gateway,
      invoiceId: record.invoiceId,
    });
  }

  async function waitForNextUrl(id: string, ms: number): Promise<PaymentRow | undefined> {
    const until = Date.now() + ms;
    for (;;) {
      const row = await loadPayment(id);
      if (!row || row.nextUrl || Date.now() >= until) return row;
      await sleep(50);
    }
  }

  app.get('/pay/:id', async (c) => {
    const row = await loadPayment(c.req.param('id'));
    if (!row)
      return c.html(
        messagePage(
          'Unknown payment / Неизвестный платёж',
          'This payment link is not known. / Эта ссылка на оплату не найдена.',
        ),
        404,
      );
    if (row.nextUrl) return c.redirect(row.nextUrl, 303);
    if (row.status === 'refused' || row.status === 'rejected') {
      const after = await waitForNextUrl(row.id, returnWaitMs);
      if (after?.nextUrl) return c.redirect(after.nextUrl, 303);
      return c.html(
        messagePage(
          'Payment not possible / Оплата невозможна',
          'This payment cannot be taken here. / Этот платёж здесь принять нельзя.',
          {
            href: row.cancelUrl,
            label: 'Back to checkout / Вернуться к оформлению заказа',
          },
        ),
        409,
      );
    }
    const configured = await shops.gateway(row.shop);
    if (!configured || !row.invoiceId)
      return c.html(
        messagePage('Not available / Недоступно', 'The shop is not configured. / Магазин не настроен.'),
        503,
      );
    const record = await db.ledger.find({ gateway: configured.gateway.id, invoiceId: row.invoiceId });
    if (!record)
      return c.html(messagePage('Unknown payment / Неизвестный платёж', 'No invoice. / Счёт не найден.'), 404);
    const shopParam = encodeURIComponent(row.shop);
    const email = typeof row.customer?.email === 'string' ? row.customer.email : undefined;
    const redirect = configured.gateway.createPayment({
      record,
      description: `Shopify payment ${row.id}`,
      hold: row.kind === 'authorization',
      email,
      urls: {
        notification: `${appUrl}/notify/${record.gateway}/${shopParam}`,
        success: `${appUrl}/return/${record.gateway}/${shopParam}/success`,
        fail: `${appUrl}/return/${record.gateway}/${shopParam}/fail`,
        // Named only when the shop saved Robokassa's ResultUrl2 certificate: without it nothing could be verified.
        // Core leaves it out of test invoices (Robokassa has no test holds).
        ...(holdChannel(configured.row.settings)
          ? { holdNotification: `${appUrl}/hold/${record.gateway}/${shopParam}` }
          : {}),
      },
    });
    return c.html(redirectPage(redirect));
  });

  const notify = async (c: { req: { raw: Request; param: (k: string) => string } }) => {
    const shop = c.req.param('shop');
    const configured = await shops.gateway(shop);
    if (!configured || configured.gateway.id !== c.req.param('gateway'))
      return new Response('Not Found', { status: 404 });
    return configured.gateway.notificationReply(
      await processNotification(c.req.raw, {
        gateway: configured.gateway,
        ledger: db.ledger,
        logger,
        onSettled: (record) => settle(record),
      }),
    );
  };
  app.get('/notify/:gateway/:shop', (c) => notify(c));
  app.post('/notify/:gateway/:shop', (c) => notify(c));

  // The hold channel (Robokassa ResultUrl2): a signed HOLD takes the same settle step, so the authorization session
  // resolves once whichever of this, the buyer's return or reconciliation learns of the hold first.
  app.post('/hold/:gateway/:shop', async (c) => {
    const configured = await shops.gateway(c.req.param('shop'));
    if (!configured || configured.gateway.id !== c.req.param('gateway'))
      return new Response('Not Found', { status: 404 });
    return handleHoldNotification(c.req.raw, {
      gateway: configured.gateway,
      ledger: db.ledger,
      logger,
      onSettled: (record) => settle(record),
    });
  });

  const buyerReturn = async (c: { req: { raw: Request; param: (k: string) => string } }) => {
    const shop = c.req.param('shop');
    const page = c.req.param('page') === 'success' ? 'success' : 'fail';
    const configured = await shops.gateway(shop);
    if (!configured || configured.gateway.id !== c.req.param('gateway'))
      return new Response('Not Found', { status: 404 });
    const { gateway } = configured;
    const request = c.req.raw;
    const text = request.method === 'POST' ? await request.text() : new URL(request.url).search.slice(1);
    const read = await gateway.readReturn(text, page, (invoiceId) =>
      db.ledger.find({ gateway: gateway.id, invoiceId }),
    );
    if (!read.ok)
      return html(
        messagePage(
          'Payment / Оплата',
          'We could not read the payment page answer. / Не удалось прочитать ответ платёжной страницы.',
        ),
        400,
      );
    const payment = await paymentByInvoice(gateway.id, read.invoiceId);
    if (!payment || payment.shop !== shop)
      return html(messagePage('Payment / Оплата', 'Unknown payment. / Неизвестный платёж.'), 404);
    if (payment.nextUrl) return Response.redirect(payment.nextUrl, 303);
    // The buyer left or the card was declined: back to checkout, no reject (a reject blocks the buyer's retry).
    if (page === 'fail') return Response.redirect(payment.cancelUrl, 303);
    let row = await waitForNextUrl(payment.id, returnWaitMs / 2);
    if (row?.nextUrl) return Response.redirect(row.nextUrl, 303);
    // Ask the gateway (the same settle step a notification takes): a lost notification must not strand the buyer.
    const record = await db.ledger.find({ gateway: gateway.id, invoiceId: read.invoiceId });
    if (record?.state === 'pending') {
      await refreshPayment({ gateway, ledger: db.ledger, logger, onSettled: (r) => settle(r) }, record, 'return').catch(
        () => undefined,
      );
    }
    row = await waitForNextUrl(payment.id, returnWaitMs / 2);
    if (row?.nextUrl) return Response.redirect(row.nextUrl, 303);
    const token = await offlineToken(shop);
    if (token) {
      const pending = await api.call(shop, token, 'paymentSessionPending', {
        id: payment.gid,
        pendingExpiresAt: new Date(Date.now() + 24 * 3600_000).toISOString(),
        reason: 'PARTNER_ACTION_REQUIRED',
      });
      if (pending.kind === 'ok') {
        const url = nextActionUrl(pending.payload);
        if (url) {
          await client.query(
            "update kassa_shopify_payment set status = case when status = 'open' then 'pending' else status end, updated_at = ? where id = ?",
            [Date.now(), payment.id],
          );
          return Response.redirect(url, 303);
        }
      }
      row = await loadPayment(payment.id);
      if (row?.nextUrl) return Response.redirect(row.nextUrl, 303);
    }
    return html(
      messagePage(
        'Payment processing / Платёж обрабатывается',
        'Your payment is being confirmed. You will receive an e-mail from the shop. / Платёж подтверждается; магазин пришлёт вам письмо.',
      ),
      202,
    );
  };
  app.get('/return/:gateway/:shop/:page', (c) => buyerReturn(c));
  app.post('/return/:gateway/:shop/:page', (c) => buyerReturn(c));

  for (const kind of ['refund', 'capture', 'void'] as const) {
    app.post(`/shopify/${kind}_session`, async (c) => {
      if (!clientCertificateOk(c.env)) return c.json({ error: 'client certificate required' }, 401);
      const headers = sessionHeadersSchema.safeParse(Object.fromEntries(c.req.raw.headers));
      if (!headers.success) return c.json({ error: 'invalid headers' }, 400);
      let json: unknown;
      try {
        json = await c.req.json();
      } catch {
        return c.json({ error: 'invalid JSON' }, 400);
      }
      const parsed = OPERATION_SCHEMAS[kind].safeParse(json);
      if (!parsed.success) return c.json({ error: 'invalid body' }, 400);
      const body = parsed.data as { id: string; gid: string; payment_id: string; amount?: string; currency?: string };
      const shop = headers.data['shopify-shop-domain'];
      const payment = await loadPayment(body.payment_id);
      if (!payment || payment.shop !== shop) return c.json({ error: 'unknown payment' }, 404);
      const now = Date.now();
      await client.query(
        `insert into kassa_shopify_operation (id, kind, shop, gid, payment_id, amount, currency, status, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, 'new', ?, ?) on conflict (id) do nothing`,
        [body.id, kind, shop, body.gid, body.payment_id, body.amount ?? null, body.currency ?? null, now, now],
      );
      await outbox.enqueue({
        dedupe: `${kind}:${body.gid}`,
        shop,
        kind,
        payload: { operationId: body.id },
        delayMs: 100,
      });
      return c.body(null, 201);
    });
  }

  // Webhooks: HMAC over the raw body (401 when it does not verify), then act.
  const verifyWebhook = async (
    request: Request,
  ): Promise<{ topic: string; shop: string; payload: Record<string, unknown> } | Response> => {
    const raw = await request.text();
    const given = request.headers.get('x-shopify-hmac-sha256') ?? '';
    const expected = createHmac('sha256', options.apiSecretKey).update(raw, 'utf8').digest();
    const received = Buffer.from(given, 'base64');
    if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
      logger.warn(APP_LOG_CODES.webhookInvalid, { reason: 'hmac' });
      return new Response('Unauthorized', { status: 401 });
    }
    const topic = request.headers.get('x-shopify-topic') ?? '';
    const shop = request.headers.get('x-shopify-shop-domain') ?? '';
    if (!topic || !SHOP_DOMAIN.test(shop)) return new Response('Bad Request', { status: 400 });
    try {
      return { topic, shop, payload: JSON.parse(raw) as Record<string, unknown> };
    } catch {
      return new Response('Bad Request', { status: 400 });
    }
  };

  app.post('/webhooks/app-uninstalled', async (c) => {
    const hook = await verifyWebhook(c.req.raw);
    if (hook instanceof Response) return hook;
    const found = await sessions.findSessionsByShop(hook.shop);
    await sessions.deleteSessions(found.map((s) => s.id));
    await shops.setInstalled(hook.shop, false);
    return c.body(null, 200);
  });

  app.post('/webhooks/compliance', async (c) => {
    const hook = await verifyWebhook(c.req.raw);
    if (hook instanceof Response) return hook;
    const customer = (hook.payload.customer ?? {}) as { email?: string; phone?: string };
    const matches = async () => {
      const rows = await client.query<Record<string, unknown>>(
        'select id, customer from kassa_shopify_payment where shop = ? and customer is not null',
        [hook.shop],
      );
      return rows.filter((r) => {
        const data = JSON.parse(String(r.customer)) as { email?: string; phone_number?: string };
        return (
          (customer.email && data.email === customer.email) || (customer.phone && data.phone_number === customer.phone)
        );
      });
    };
    if (hook.topic === 'customers/data_request') {
      const rows = await matches();
      logger.info('SHOPIFY_DATA_REQUEST', { shop: hook.shop, payments: rows.length });
      return c.json({ payments: rows.map((r) => ({ id: r.id, customer: JSON.parse(String(r.customer)) })) }, 200);
    }
    if (hook.topic === 'customers/redact') {
      for (const r of await matches()) {
        await client.query('update kassa_shopify_payment set customer = null, updated_at = ? where id = ?', [
          Date.now(),
          r.id,
        ]);
      }
      return c.body(null, 200);
    }
    if (hook.topic === 'shop/redact') {
      await client.query('delete from kassa_shopify_operation where shop = ?', [hook.shop]);
      await client.query('delete from kassa_shopify_payment where shop = ?', [hook.shop]);
      await client.query('delete from kassa_shopify_outbox where shop = ?', [hook.shop]);
      await shops.delete(hook.shop);
      const found = await sessions.findSessionsByShop(hook.shop);
      await sessions.deleteSessions(found.map((s) => s.id));
      return c.body(null, 200);
    }
    return c.body(null, 200);
  });

  // OAuth (offline token) with @shopify/shopify-api.
  app.get('/auth', async (c) => {
    const shop = shopify.utils.sanitizeShop(c.req.query('shop') ?? '', false);
    if (!shop) return c.text('Missing or invalid shop', 400);
    const response = (await shopify.auth.begin({
      shop,
      callbackPath: '/auth/callback',
      isOnline: false,
      rawRequest: c.req.raw,
    })) as Response;
    return rewriteShopRedirect(response);
  });
  app.get('/auth/callback', async (c) => {
    try {
      const { session } = await shopify.auth.callback({ rawRequest: c.req.raw });
      await sessions.storeSession(session);
      const cookie = signCookie(session.shop);
      return new Response(null, {
        status: 302,
        headers: {
          location: `${appUrl}/settings?shop=${encodeURIComponent(session.shop)}`,
          'set-cookie': `kassa_shop=${cookie}; Path=/; HttpOnly; SameSite=Lax${appHost.protocol === 'https:' ? '; Secure' : ''}`,
        },
      });
    } catch (error) {
      logger.warn('SHOPIFY_OAUTH_FAILED', { error: (error as Error).name });
      return c.text('OAuth failed', 400);
    }
  });

  /** In development the shop's admin is the emulator: the browser must be sent there, not to *.myshopify.com. */
  function rewriteShopRedirect(response: Response): Response {
    const location = response.headers.get('location');
    if (!options.shopOrigin || !location) return response;
    const url = new URL(location);
    if (!SHOP_DOMAIN.test(url.hostname)) return response;
    const headers = new Headers(response.headers);
    headers.set('location', `${options.shopOrigin(url.hostname)}${url.pathname}${url.search}`);
    return new Response(null, { status: response.status, headers });
  }

  function signCookie(shop: string): string {
    const mac = createHmac('sha256', options.apiSecretKey).update(`shop:${shop}`).digest('base64url');
    return `${encodeURIComponent(shop)}.${mac}`;
  }
  function cookieShop(request: Request): string | undefined {
    const cookie = (request.headers.get('cookie') ?? '').split(/;\s*/).find((p) => p.startsWith('kassa_shop='));
    if (!cookie) return undefined;
    const value = cookie.slice('kassa_shop='.length);
    const dot = value.lastIndexOf('.');
    const shop = decodeURIComponent(value.slice(0, dot));
    const expected = signCookie(shop);
    const a = Buffer.from(value);
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b) ? shop : undefined;
  }
  const csrfFor = (shop: string) =>
    createHmac('sha256', options.apiSecretKey).update(`csrf:${shop}`).digest('base64url');

  app.get('/settings', async (c) => {
    const shop = cookieShop(c.req.raw);
    if (!shop || shop !== c.req.query('shop'))
      return c.redirect(`/auth?shop=${encodeURIComponent(c.req.query('shop') ?? '')}`, 302);
    const row = await shops.get(shop);
    return c.html(
      settingsPage({
        shop,
        appUrl,
        apiKey: options.apiKey,
        settings: row?.settings,
        ready: row?.ready ?? false,
        csrf: csrfFor(shop),
      }),
    );
  });

  app.post('/settings', async (c) => {
    const shop = cookieShop(c.req.raw);
    if (!shop || shop !== c.req.query('shop')) return c.text('Unauthorized', 401);
    const form = await c.req.parseBody();
    if (form.csrf !== csrfFor(shop)) return c.text('Forbidden', 403);
    const previous = (await shops.get(shop))?.settings;
    const text = (k: string) =>
      typeof form[k] === 'string' && (form[k] as string).trim() !== '' ? (form[k] as string).trim() : undefined;
    const gateway = form.gateway === 'assist' ? 'assist' : 'robokassa';
    const candidate: Record<string, unknown> =
      gateway === 'robokassa'
        ? {
            gateway,
            login: text('login'),
            password1: text('password1'),
            password2: text('password2'),
            testPassword1: text('testPassword1'),
            testPassword2: text('testPassword2'),
            password3: text('password3'),
            algorithm: text('algorithm'),
            country: text('country'),
            resultUrl2Certificate: text('resultUrl2Certificate'),
            baseUrl: text('baseUrl'),
          }
        : {
            gateway,
            merchantId: text('merchantId'),
            secretWord: text('secretWord'),
            login: text('wsLogin'),
            password: text('wsPassword'),
            region: text('region'),
            currency: text('currency'),
            testMode: form.assistTestMode === '1',
            baseUrl: text('baseUrl'),
          };
    // An empty secret field keeps the saved one (secrets are never sent back to the browser).
    if (previous?.gateway === gateway) {
      for (const key of SECRET_KEYS[gateway]) {
        if (candidate[key] === undefined) candidate[key] = (previous as Record<string, unknown>)[key];
      }
    }
    for (const k of Object.keys(candidate)) if (candidate[k] === undefined) delete candidate[k];
    const parsed = gatewaySettingsSchema.safeParse(candidate);
    const view = { shop, appUrl, apiKey: options.apiKey, csrf: csrfFor(shop) };
    if (!parsed.success) {
      const keysWrong = [...new Set(parsed.error.issues.map((i) => i.path.join('.')))].join(', ');
      return c.html(
        settingsPage({
          ...view,
          settings: previous,
          ready: false,
          banner: { kind: 'critical', text: `Check these fields / Проверьте поля: ${keysWrong}` },
        }),
        422,
      );
    }
    const settings: GatewaySettings = parsed.data;
    let gw: Gateway;
    try {
      gw = createGateway(settings);
    } catch (error) {
      return c.html(
        settingsPage({
          ...view,
          settings: previous,
          ready: false,
          banner: { kind: 'critical', text: isKassaError(error) ? error.message : 'Invalid settings' },
        }),
        422,
      );
    }
    const report = await gw.checkCredentials();
    if (form.action === 'check') {
      return c.html(settingsPage({ ...view, settings: previous ?? settings, ready: false, report }));
    }
    if (report.verdict !== 'ok') {
      return c.html(
        settingsPage({
          ...view,
          settings: previous,
          ready: false,
          report,
          banner: {
            kind: 'critical',
            text: 'Not saved: the gateway did not accept these credentials. / Не сохранено: платёжная система не приняла эти данные.',
          },
        }),
        422,
      );
    }
    const handle = externalHandle(settings);
    await shops.save(shop, settings, handle, false);
    const token = await offlineToken(shop);
    const configured = token
      ? await api.call(shop, token, 'paymentsAppConfigure', { externalHandle: handle, ready: true })
      : undefined;
    if (configured?.kind !== 'ok') {
      return c.html(
        settingsPage({
          ...view,
          settings,
          ready: false,
          report,
          banner: {
            kind: 'critical',
            text: 'Saved, but Shopify could not be told the app is ready; try saving again. / Сохранено, но Shopify не удалось сообщить о готовности; сохраните ещё раз.',
          },
        }),
        502,
      );
    }
    await shops.setReady(shop, true);
    return c.html(
      settingsPage({
        ...view,
        settings,
        ready: true,
        report,
        banner: {
          kind: 'success',
          text: 'Saved. Shopify now lets you activate the provider. / Сохранено. Теперь провайдера можно включить в Shopify.',
        },
      }),
    );
  });

  return {
    fetch: (request, env) => app.fetch(request, env as HttpBindings),
    hono: app,
    db,
    outbox,
    shops,
    sessions,
    api,
    shopify,
    keys,
    reconcile,
    async close() {
      if (reconcileTimer) clearInterval(reconcileTimer);
      await outbox.stop();
      const s = sessions as { disconnect?: () => Promise<void> };
      if (!options.sessionStorage && s.disconnect) await s.disconnect().catch(() => undefined);
      if (!options.database) await db.close();
    },
  };
}

function html(body: string, status: number): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8' } });
}
