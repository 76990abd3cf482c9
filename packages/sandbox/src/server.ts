import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { getPath } from 'hono/utils/url';
import { z } from 'zod';
import { SandboxAdmin } from './admin.js';
import { adminRoutes } from './admin-routes.js';
import { assistAdminRoutes } from './assist/admin-routes.js';
import { ASSIST_PATHS, assistRoutes } from './assist/routes.js';
import { type SandboxSettingsInput, sandboxSettingsSchema } from './config.js';
import type { SandboxContext } from './context.js';
import { renderDashboard } from './dashboard.js';
import { errorResponse, noticeResponse } from './errors-page.js';
import { attachReceipt, receiptStatus } from './fiscal.js';
import { type HoldAction, holdResponse, resolveHold } from './holds.js';
import { htmlResponse } from './html.js';
import { HttpClient } from './http-client.js';
import { resolveCulture, texts } from './i18n.js';
import { JwsSigner } from './jws.js';
import { Notifier } from './notifier.js';
import { readParams } from './params.js';
import { renderPaymentPage } from './payment-page.js';
import { validatePaymentRequest } from './payment-request.js';
import { completePayment, openPayment, type PayAction } from './payments.js';
import { loadSnapshot, SnapshotWriter } from './persist.js';
import { recurringCharge } from './recurring.js';
import { redirectResponse } from './redirect.js';
import { createRefund, refundState } from './refunds.js';
import { sendSms } from './sms.js';
import { SandboxStore } from './store.js';
import { xmlService } from './xml.js';

export interface SandboxOptions extends SandboxSettingsInput {
  /** The clock (ExpirationDate, hold expiry, dates in XML); default: the real one. */
  now?: () => Date;
  /** One line per event (payments, notification attempts, refunds); never contains a password. Default: silent. */
  log?: (line: string) => void;
}

export interface SandboxEndpoints {
  payment: string;
  recurring: string;
  holdConfirm: string;
  holdCancel: string;
  xml: string;
  refundCreate: string;
  refundState: string;
  fiscalAttach: string;
  fiscalStatus: string;
  sms: string;
  certificate: string;
  admin: string;
  dashboard: string;
  /** Assist's endpoints (assist.md §0): the same paths as on `https://payments.paysecure.ru`. */
  assist: AssistEndpoints;
}

export interface AssistEndpoints {
  payment: string;
  orderstate: string;
  orderresult: string;
  charge: string;
  cancel: string;
  wscancel: string;
  recurring: string;
  admin: string;
}

/** A running sandbox. */
export interface Sandbox {
  /** `http://host:port`, no trailing slash: use it wherever a shop has `https://auth.robokassa.ru`. */
  url: string;
  host: string;
  port: number;
  endpoints: SandboxEndpoints;
  admin: SandboxAdmin;
  /** Stops listening, ends retries and injected delays, writes the state file. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Robokassa's paths are case-insensitive (IIS); the docs themselves write both `/Merchant/` and `/merchant/`.
 * Assist's `.cfm` paths are treated the same way (ColdFusion on Windows; the sources spell them in lower case).
 */
const PROTOCOL_PATH =
  /^\/(merchant|refundservice|robofiscal|sms|media|pay|orderstate|orderresult|charge|cancel|recurrent)(\/|$)/i;

export function endpointsFor(url: string): SandboxEndpoints {
  return {
    payment: `${url}/Merchant/Index.aspx`,
    recurring: `${url}/Merchant/Recurring`,
    holdConfirm: `${url}/Merchant/Payment/Confirm`,
    holdCancel: `${url}/Merchant/Payment/Cancel`,
    xml: `${url}/Merchant/WebService/Service.asmx`,
    refundCreate: `${url}/RefundService/Refund/Create`,
    refundState: `${url}/RefundService/Refund/GetState`,
    fiscalAttach: `${url}/RoboFiscal/Receipt/Attach`,
    fiscalStatus: `${url}/RoboFiscal/Receipt/Status`,
    sms: `${url}/SMS/`,
    certificate: `${url}/jwtsign.cer`,
    admin: `${url}/sandbox/api`,
    dashboard: `${url}/sandbox`,
    assist: {
      payment: `${url}${ASSIST_PATHS.payment}`,
      orderstate: `${url}${ASSIST_PATHS.orderstate}`,
      orderresult: `${url}${ASSIST_PATHS.orderresult}`,
      charge: `${url}${ASSIST_PATHS.charge}`,
      cancel: `${url}${ASSIST_PATHS.cancel}`,
      wscancel: `${url}${ASSIST_PATHS.wscancel}`,
      recurring: `${url}${ASSIST_PATHS.recurring}`,
      admin: `${url}/sandbox/api/assist`,
    },
  };
}

/** The HTTP face of the sandbox: every route is a few lines over the modules that do the work. */
export function createApp(ctx: SandboxContext, admin: SandboxAdmin, baseUrl: () => string): Hono {
  const app = new Hono({
    getPath: (request) => {
      const path = getPath(request);
      return PROTOCOL_PATH.test(path) ? path.toLowerCase() : path;
    },
  });

  app.onError((error, c) => {
    ctx.log(
      `internal error on ${c.req.method} ${c.req.path}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return c.text('Internal sandbox error', 500);
  });

  app.on(['GET', 'POST'], '/merchant/index.aspx', async (c) => {
    const bag = await readParams(c.req.raw);
    const acceptLanguage = c.req.header('accept-language');
    const validated = validatePaymentRequest(bag, { store: ctx.store, now: ctx.now(), acceptLanguage });
    if (!validated.ok) {
      ctx.log(`payment refused: error ${validated.error.code} (${validated.error.detail})`);
      return errorResponse(validated.error, validated.culture);
    }
    const op = openPayment(ctx, validated.request);
    return htmlResponse(renderPaymentPage(op, validated.request.merchant));
  });

  app.get('/merchant/sandbox/:opId', (c) => {
    const op = ctx.store.operations.get(c.req.param('opId'));
    const merchant = op && ctx.store.merchants.get(op.merchant);
    const culture = op?.culture ?? resolveCulture(undefined, c.req.header('accept-language'));
    if (!op || !merchant) return noticeResponse(culture, texts(culture).notFound, '', 404);
    if (op.page !== 'open') return noticeResponse(culture, texts(culture).notActive, texts(culture).notActiveText);
    return htmlResponse(renderPaymentPage(op, merchant));
  });

  app.post('/merchant/sandbox/:opId/:action{pay|decline|leave}', async (c) => {
    const form = await readParams(c.req.raw);
    const opId = c.req.param('opId');
    const action = c.req.param('action') as PayAction;
    const result = await completePayment(ctx, opId, { action, method: form.get('method'), email: form.get('email') });
    const op = ctx.store.operations.get(opId);
    const culture = op?.culture ?? 'ru';
    const t = texts(culture);
    if (!result.ok) {
      if (result.reason === 'refused') return errorResponse(result.error, culture);
      if (result.reason === 'not-found') return noticeResponse(culture, t.notFound, '', 404);
      if (result.reason === 'not-active') return noticeResponse(culture, t.notActive, t.notActiveText);
      const merchant = op && ctx.store.merchants.get(op.merchant);
      if (op && merchant) return htmlResponse(renderPaymentPage(op, merchant, t.unknownMethod));
      return noticeResponse(culture, t.notFound, '', 404);
    }
    if (result.closedTab) return noticeResponse(culture, t.closedTab, t.closedTabText);
    if (result.redirect) return redirectResponse(result.redirect, culture);
    const title = action === 'pay' ? (result.op.hold ? t.held : t.paid) : action === 'decline' ? t.declined : t.left;
    return noticeResponse(culture, title, t.noReturnUrl);
  });

  app.on(['GET', 'POST'], '/merchant/recurring', async (c) => {
    const result = recurringCharge(ctx, await readParams(c.req.raw));
    if (!result.ok) {
      ctx.log(`recurring refused: error ${result.error.code} (${result.error.detail})`);
      return errorResponse(result.error, result.culture);
    }
    return c.text(`OK${result.op.invId}`);
  });

  for (const action of ['confirm', 'cancel'] as const satisfies HoldAction[]) {
    app.post(`/merchant/payment/${action}`, async (c) =>
      holdResponse(resolveHold(ctx, action, await readParams(c.req.raw))),
    );
  }

  app.on(['GET', 'POST'], '/merchant/webservice/service.asmx/:method', async (c) =>
    xmlService(ctx, c.req.param('method'), await readParams(c.req.raw)),
  );

  app.post('/refundservice/refund/create', (c) => createRefund(ctx, c.req.raw));
  app.get('/refundservice/refund/getstate', (c) => refundState(ctx, c.req.query('id')));
  app.post('/robofiscal/receipt/attach', (c) => attachReceipt(ctx, c.req.raw));
  app.post('/robofiscal/receipt/status', (c) => receiptStatus(ctx, c.req.raw));
  app.get('/sms/', async (c) => sendSms(ctx, await readParams(c.req.raw)));
  app.get('/sms', async (c) => sendSms(ctx, await readParams(c.req.raw)));

  // Robokassa publishes its ResultUrl2 certificate at docs.robokassa.ru/media/files/jwtsign.cer.
  const certificate = async () =>
    new Response(await ctx.signer.certificatePem(), { headers: { 'content-type': 'application/x-pem-file' } });
  app.get('/jwtsign.cer', certificate);
  app.get('/media/files/jwtsign.cer', certificate);

  app.route('/', assistRoutes(ctx));
  const api = adminRoutes(admin, ctx.settings.adminToken);
  api.route('/assist', assistAdminRoutes(admin.assist));
  app.route('/sandbox/api', api);
  app.get('/sandbox', (c) => {
    if (ctx.settings.adminToken !== undefined) return c.text('The dashboard is off when adminToken is set.', 403);
    return htmlResponse(renderDashboard(admin, baseUrl()));
  });
  app.get('/', (c) => c.redirect('/sandbox'));
  return app;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts a sandbox; resolves once it listens. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const { now = () => new Date(), log = () => {}, ...rest } = options;
  const parsed = sandboxSettingsSchema.safeParse(rest);
  if (!parsed.success) throw new Error(`invalid sandbox options:\n${z.prettifyError(parsed.error)}`);
  const settings = parsed.data;

  const store = new SandboxStore();
  let writer: SnapshotWriter | undefined;
  if (settings.persistPath !== undefined) {
    const snapshot = loadSnapshot(settings.persistPath);
    if (snapshot) store.restore(snapshot);
    writer = new SnapshotWriter(
      settings.persistPath,
      () => store.snapshot(),
      (error) =>
        log(`could not write ${settings.persistPath}: ${error instanceof Error ? error.message : String(error)}`),
    );
    const w = writer;
    store.changed = () => w.schedule();
  }
  for (const merchant of settings.merchants) store.merchants.set(merchant.login, merchant);
  for (const merchant of settings.assistMerchants) store.assist.merchants.set(merchant.merchantId, merchant);
  store.changed();

  const stopController = new AbortController();
  const http = new HttpClient();
  const notifier = new Notifier({
    settings,
    http,
    stopSignal: stopController.signal,
    now,
    changed: () => store.changed(),
    email: (record) => {
      store.emails.push(record);
      store.changed();
      log(`e-mail to ${record.to}: ${record.subject}`);
    },
    log,
  });
  const signer = new JwsSigner(
    () => store.signingKey,
    (record) => {
      store.signingKey = record;
      store.changed();
    },
  );
  const ctx: SandboxContext = {
    store,
    settings,
    notifier,
    http,
    signer,
    now,
    log,
    stopSignal: stopController.signal,
  };
  let baseUrl = '';
  const admin = new SandboxAdmin(ctx, () => baseUrl);
  const app = createApp(ctx, admin, () => baseUrl);

  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve(
      { fetch: app.fetch, hostname: settings.host, port: settings.port, overrideGlobalObjects: false },
      () => resolve(s),
    );
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${urlHost(settings.host)}:${port}`;

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      stopController.abort();
      await notifier.idle();
      http.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      await writer?.flush();
    })();
    return stopped;
  };
  return {
    url: baseUrl,
    host: settings.host,
    port,
    endpoints: endpointsFor(baseUrl),
    admin,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
