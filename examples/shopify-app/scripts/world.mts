/** The demo's world, also used by the browser test: emulator + sandbox + app, shop installed and configured. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@kassa/core';
import { startSandbox } from '@kassa/sandbox';
import { generateKeySpec, startShopifyApp } from '@kassa/shopify';
import { startEmulator } from '../../../plugins/shopify/test/emulator/emulator.ts';

export const DEMO_SHOP = 'kassa-demo.myshopify.com';
const API_KEY = 'demo-api-key';
const API_SECRET = 'demo-api-secret';
const ROBOKASSA = {
  login: 'kassa-demo',
  password1: 'demo-p1',
  password2: 'demo-p2',
  password3: 'demo-p3',
  testPassword1: 'demo-t1',
  testPassword2: 'demo-t2',
};
const ASSIST = {
  merchantId: '100600',
  secretWord: 'demo secret word',
  login: 'kassa_demo',
  password: 'demo-ws-password',
};

export interface Demo {
  emulatorUrl: string;
  sandboxUrl: string;
  appUrl: string;
  settingsUrl: string;
  checkoutUrl: string;
  newCheckoutUrl(): string;
  stop(): Promise<void>;
}

const UA = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36';

/** A cookie-keeping client for the merchant's side (OAuth, then the settings form). */
async function browse(url: string, jar: Map<string, string>, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('user-agent', UA);
  if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  for (const c of response.headers.getSetCookie()) {
    const pair = c.split(';')[0] as string;
    jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
  }
  return response;
}

export async function startDemo(options: {
  gateway: 'robokassa' | 'assist';
  basePort?: number;
  quiet?: boolean;
}): Promise<Demo> {
  const base = options.basePort ?? 0;
  const dir = mkdtempSync(join(tmpdir(), 'kassa-shopify-demo-'));
  const emulator = await startEmulator({ apiKey: API_KEY, apiSecret: API_SECRET, ...(base ? { port: base } : {}) });
  const app = await startShopifyApp(
    {
      apiKey: API_KEY,
      apiSecretKey: API_SECRET,
      databaseUrl: join(dir, 'app.sqlite'),
      encryptionKeys: generateKeySpec('demo'),
      shopOrigin: emulator.shopOrigin,
      ...(options.quiet ? { logger: silentLogger } : {}),
    },
    { port: base ? base + 1 : 0 },
  );
  const sandbox = await startSandbox({
    port: base ? base + 2 : 0,
    merchants: [
      {
        ...ROBOKASSA,
        shopName: 'Kassa Shopify demo',
        resultUrl: `${app.url}/notify/robokassa/${DEMO_SHOP}`,
        successUrl: `${app.url}/return/robokassa/${DEMO_SHOP}/success`,
        failUrl: `${app.url}/return/robokassa/${DEMO_SHOP}/fail`,
      },
    ],
    assistMerchants: [
      {
        ...ASSIST,
        notifyUrl: `${app.url}/notify/assist/${DEMO_SHOP}`,
        returnUrlOk: `${app.url}/return/assist/${DEMO_SHOP}/success`,
        returnUrlNo: `${app.url}/return/assist/${DEMO_SHOP}/fail`,
      },
    ],
    retryBackoffMs: 1000,
  });
  emulator.endpoints = {
    payment: `${app.url}/shopify/payment_session`,
    refund: `${app.url}/shopify/refund_session`,
    capture: `${app.url}/shopify/capture_session`,
    void: `${app.url}/shopify/void_session`,
    webhooks: { uninstalled: `${app.url}/webhooks/app-uninstalled`, compliance: `${app.url}/webhooks/compliance` },
  };

  // The merchant installs the app (OAuth through @shopify/shopify-api) and saves the gateway on the settings page.
  const jar = new Map<string, string>();
  let response = await browse(`${app.url}/auth?shop=${DEMO_SHOP}`, jar);
  for (let i = 0; i < 3 && response.status === 302; i += 1) {
    response = await browse(response.headers.get('location') as string, jar);
  }
  const settingsUrl = `${app.url}/settings?shop=${DEMO_SHOP}`;
  const page = await (await browse(settingsUrl, jar)).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const form: Record<string, string> =
    options.gateway === 'robokassa'
      ? {
          gateway: 'robokassa',
          ...ROBOKASSA,
          algorithm: 'md5',
          country: 'RU',
          // The sandbox's ResultUrl2 certificate (its /jwtsign.cer): live authorizations resolve on Robokassa's HOLD.
          resultUrl2Certificate: await sandbox.admin.certificatePem(),
        }
      : {
          gateway: 'assist',
          merchantId: ASSIST.merchantId,
          secretWord: ASSIST.secretWord,
          wsLogin: ASSIST.login,
          wsPassword: ASSIST.password,
          region: 'RU',
          assistTestMode: '1',
        };
  const saved = await browse(settingsUrl, jar, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, ...form, baseUrl: sandbox.url, action: 'save' }).toString(),
  });
  if (saved.status !== 200) throw new Error(`the settings page refused the demo credentials (${saved.status})`);

  const newCheckoutUrl = () =>
    `${emulator.shopOrigin(DEMO_SHOP)}/checkouts/${Math.random().toString(16).slice(2, 14)}?amount=1500.00&currency=RUB&test=1`;
  return {
    emulatorUrl: emulator.url,
    sandboxUrl: sandbox.url,
    appUrl: app.url,
    settingsUrl,
    checkoutUrl: newCheckoutUrl(),
    newCheckoutUrl,
    async stop() {
      await app.stop();
      await sandbox.stop();
      await emulator.stop();
    },
  };
}
