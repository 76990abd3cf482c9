/** One world for a test: the sandbox (Robokassa + Assist), the Shopify emulator and the app, over real HTTP. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@kassa/core';
import { type Sandbox as SandboxHandle, startSandbox } from '@kassa/sandbox';
import { Session } from '@shopify/shopify-api';
import { generateKeySpec } from '../src/crypto.js';
import type { GatewaySettings } from '../src/gateways.js';
import { type RunningApp, startShopifyApp } from '../src/server.js';
import { type ShopifyEmulator, startEmulator } from './emulator/emulator.js';

export const SHOP = 'kassa-test.myshopify.com';
export const API_KEY = 'test-api-key';
export const API_SECRET = 'test-api-secret';
export const ROBOKASSA = {
  login: 'kassa-shopify',
  password1: 'rk-password-1',
  password2: 'rk-password-2',
  password3: 'rk-password-3',
  testPassword1: 'rk-test-1',
  testPassword2: 'rk-test-2',
};
export const ASSIST = {
  merchantId: '679471',
  secretWord: 'assist secret word',
  login: 'kassa_shopify',
  password: 'assist-ws-password',
};

export const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

export interface World {
  sandbox: SandboxHandle;
  emulator: ShopifyEmulator;
  app: RunningApp;
  dir: string;
  keys: string;
  /** Saves gateway settings for SHOP directly (the settings page is tested on its own) and marks the shop ready. */
  configure(gateway: 'robokassa' | 'assist', shop?: string, extra?: Record<string, unknown>): Promise<void>;
  restartApp(overrides?: Parameters<typeof startShopifyApp>[0] extends infer O ? Partial<O> : never): Promise<void>;
  stop(): Promise<void>;
}

export interface WorldOptions {
  databaseUrl?: string;
  startOutbox?: boolean;
  tls?: { key: string; cert: string; clientCa: string };
  clientTls?: { cert: string; key: string; ca: string };
  returnWaitMs?: number;
}

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-shopify-'));
  const keys = generateKeySpec('k1');
  const emulator = await startEmulator({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    sessionRetryDelayMs: 20,
    ...(options.clientTls ? { clientTls: options.clientTls } : {}),
  });
  const databaseUrl = options.databaseUrl ?? join(dir, 'app.sqlite');
  const appOptions = {
    apiKey: API_KEY,
    apiSecretKey: API_SECRET,
    databaseUrl,
    encryptionKeys: keys,
    shopOrigin: emulator.shopOrigin,
    logger: silentLogger,
    returnWaitMs: options.returnWaitMs ?? 1500,
    outbox: { backoffMs: () => 30, pollMs: 100 },
    ...(options.startOutbox === false ? { startOutbox: false } : {}),
  };
  let app = await startShopifyApp(appOptions, options.tls ? { tls: options.tls } : {});
  const sandbox = await startSandbox({
    merchants: [
      {
        ...ROBOKASSA,
        resultUrl: `${app.url}/notify/robokassa/${SHOP}`,
        successUrl: `${app.url}/return/robokassa/${SHOP}/success`,
        failUrl: `${app.url}/return/robokassa/${SHOP}/fail`,
      },
    ],
    assistMerchants: [
      {
        ...ASSIST,
        notifyUrl: `${app.url}/notify/assist/${SHOP}`,
        returnUrlOk: `${app.url}/return/assist/${SHOP}/success`,
        returnUrlNo: `${app.url}/return/assist/${SHOP}/fail`,
      },
    ],
    retryBackoffMs: 0,
    assistRetryBackoffMs: 0,
  });
  const endpoints = (base: string) => ({
    payment: `${base}/shopify/payment_session`,
    refund: `${base}/shopify/refund_session`,
    capture: `${base}/shopify/capture_session`,
    void: `${base}/shopify/void_session`,
    webhooks: { uninstalled: `${base}/webhooks/app-uninstalled`, compliance: `${base}/webhooks/compliance` },
  });
  emulator.endpoints = endpoints(app.url);
  const world: World = {
    sandbox,
    emulator,
    get app() {
      return app;
    },
    dir,
    keys,
    async configure(gateway, shop = SHOP, extra = {}) {
      const settings = {
        ...(gateway === 'robokassa'
          ? { gateway, ...ROBOKASSA, algorithm: 'md5', country: 'RU', baseUrl: sandbox.url }
          : { gateway, ...ASSIST, region: 'RU', testMode: true, baseUrl: sandbox.url }),
        ...extra,
      } as GatewaySettings;
      const token = emulator.install(shop);
      await app.app.sessions.storeSession(
        new Session({
          id: app.app.shopify.session.getOfflineId(shop),
          shop,
          state: 'x',
          isOnline: false,
          accessToken: token,
          scope: 'write_payment_gateways,write_payment_sessions',
        }),
      );
      await app.app.shops.save(shop, settings, `${gateway}:test`, true);
      emulator.configurations.set(shop, { externalHandle: `${gateway}:test`, ready: true });
    },
    async restartApp(overrides = {}) {
      const port = app.port;
      await app.stop();
      app = await startShopifyApp(
        { ...appOptions, ...overrides },
        { port, ...(options.tls ? { tls: options.tls } : {}) },
      );
    },
    async stop() {
      await app.stop();
      await sandbox.stop();
      await emulator.stop();
    },
  };
  return world;
}

/** The gateway request our /pay page renders (its auto-submitted form), as a GET URL. */
export async function gatewayUrlFrom(redirectUrl: string): Promise<string> {
  const response = await fetch(redirectUrl, { redirect: 'manual' });
  const html = await response.text();
  if (response.status !== 200) throw new Error(`pay page answered ${response.status}: ${html.slice(0, 200)}`);
  const action = /<form id="pay" method="POST" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error('no form on the pay page');
  const unhtml = (s: string) =>
    s
      .replaceAll('&quot;', '"')
      .replaceAll('&#39;', "'")
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&amp;', '&');
  const params = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    params.append(unhtml(m[1] as string), unhtml(m[2] as string));
  }
  const url = new URL(unhtml(action));
  for (const [k, v] of params) url.searchParams.append(k, v);
  return url.toString();
}

/** Follows the buyer's return from the gateway to where our app sends them (a 303). */
export async function buyerReturns(location: string): Promise<{ status: number; location: string | null }> {
  const response = await fetch(location, { redirect: 'manual' });
  await response.body?.cancel();
  return { status: response.status, location: response.headers.get('location') };
}

/** The buyer on the sandbox's page of either gateway: pays (or declines), returns where the gateway sends them. */
export async function payAt(
  world: World,
  gateway: 'robokassa' | 'assist',
  redirectUrl: string,
  extra: Record<string, unknown> = {},
): Promise<string | null> {
  const url = await gatewayUrlFrom(redirectUrl);
  const declining = extra.action === 'decline';
  const outcome =
    gateway === 'robokassa'
      ? await world.sandbox.admin.pay({ url, ...(declining ? {} : { method: 'BankCardPSR' }), ...extra })
      : await world.sandbox.admin.assist.pay({ url, ...(declining ? {} : { card: '4111111111111111' }), ...extra });
  if (!outcome.ok) throw new Error(`sandbox refused: ${JSON.stringify(outcome)}`);
  return outcome.redirect?.location ?? null;
}

/** Waits (capped) for a condition the app reaches asynchronously; a wait, never an assertion about speed. */
export async function until(what: string, condition: () => boolean | Promise<boolean>, capMs = 20_000): Promise<void> {
  const end = Date.now() + capMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
