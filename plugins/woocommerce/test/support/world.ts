/**
 * One real WooCommerce (with our plugin installed from the zip), the sandbox (Robokassa and Assist) and the bridge, all
 * over real HTTP on localhost. Plus a buyer: the Checkout block's Store API and the classic checkout form.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@kassa/core';
import { type Sandbox, startSandbox } from '@kassa/sandbox';
import { startWooCommerce, type WooSite } from '../../src/harness/index.js';
import {
  type BridgeServer,
  buildPluginZip,
  createWooShop,
  type GatewaySettings,
  type Shop,
  signApiRequest,
  startBridge,
} from '../../src/index.js';

export const SECRET = 'kassa-test-shared-secret-0123456789';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface World {
  site: WooSite;
  bridgePort: number;
  sandbox: Sandbox;
  bridge: BridgeServer;
  bridgeUrl: string;
  shop: Shop;
  dir: string;
  settings: GatewaySettings;
  startBridgeAgain(): Promise<BridgeServer>;
  stop(): Promise<void>;
}

export function gatewaySettings(gateway: 'robokassa' | 'assist', sandboxUrl: string, hold = false): GatewaySettings {
  return {
    gateway,
    hold,
    robokassa: { login: 'wcshop', password1: 'rk-p1', password2: 'rk-p2', password3: 'rk-p3', baseUrl: sandboxUrl },
    assist: {
      merchantId: '679471',
      secretWord: 'assist-secret-word',
      login: 'wc_ws_login',
      password: 'wc-ws-password',
      baseUrl: sandboxUrl,
      testMode: true,
    },
  };
}

export async function startWorld(options: {
  gateway: 'robokassa' | 'assist';
  hpos: boolean;
  hold?: boolean;
  /** false: no bridge in this process (the test runs its own, e.g. as a child process). */
  bridge?: boolean;
}): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-wc-world-'));
  const zip = buildPluginZip(join(dir, 'kassa-woocommerce.zip'));
  const bridgePort = await freePort();
  const bridgeUrl = `http://127.0.0.1:${bridgePort}`;
  const site = await startWooCommerce({
    hpos: options.hpos,
    pluginZip: zip,
    pluginSettings: {
      enabled: 'yes',
      title: 'Kassa',
      bridge_url: bridgeUrl,
      bridge_secret: SECRET,
      gateway: options.gateway,
    },
  });
  const sandbox = await startSandbox({
    merchants: [
      {
        login: 'wcshop',
        password1: 'rk-p1',
        password2: 'rk-p2',
        password3: 'rk-p3',
        resultUrl: `${bridgeUrl}/notify/robokassa`,
        successUrl: `${bridgeUrl}/return/robokassa/success`,
        failUrl: `${bridgeUrl}/return/robokassa/fail`,
      },
    ],
    assistMerchants: [
      {
        merchantId: '679471',
        secretWord: 'assist-secret-word',
        login: 'wc_ws_login',
        password: 'wc-ws-password',
        notifyUrl: `${bridgeUrl}/notify/assist`,
        returnUrlOk: `${bridgeUrl}/return/assist/success`,
        returnUrlNo: `${bridgeUrl}/return/assist/fail`,
      },
    ],
    retryBackoffMs: 0,
    assistRetryBackoffMs: 0,
  });
  const settings = gatewaySettings(options.gateway, sandbox.url, options.hold);
  const shopConfig = { url: site.url, consumerKey: site.rest.consumerKey, consumerSecret: site.rest.consumerSecret };
  const start = () =>
    startBridge({
      shop: shopConfig,
      secret: SECRET,
      databaseUrl: `sqlite:${join(dir, 'bridge.db')}`,
      port: bridgePort,
      settings,
      reconcileEveryMs: 0,
      logger: silentLogger,
    });
  const world: World = {
    site,
    sandbox,
    bridge: options.bridge === false ? (undefined as unknown as BridgeServer) : await start(),
    bridgeUrl,
    bridgePort,
    shop: createWooShop(shopConfig),
    dir,
    settings,
    async startBridgeAgain() {
      world.bridge = await start();
      return world.bridge;
    },
    async stop() {
      await world.bridge?.stop().catch(() => {});
      await sandbox.stop();
      await site.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

class Jar {
  cookies = new Map<string, string>();
  take(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair?.indexOf('=') ?? -1;
      if (pair && at > 0) this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export const BILLING = {
  first_name: 'Иван',
  last_name: 'Петров',
  address_1: 'ул. Тверская, 1',
  city: 'Москва',
  state: 'Москва',
  postcode: '101000',
  country: 'RU',
  email: 'ivan@example.com',
  phone: '+79990000000',
};

/** The Checkout block's path: Store API cart → checkout → `payment_result.redirect_url` (the bridge's /pay link). */
export async function blockCheckout(site: WooSite, options: { quantity?: number; method?: string } = {}) {
  const jar = new Jar();
  const cart = await fetch(`${site.url}/wp-json/wc/store/v1/cart`);
  jar.take(cart);
  const nonce = cart.headers.get('nonce') ?? '';
  await cart.arrayBuffer();
  const headers = () => ({ 'content-type': 'application/json', nonce, cookie: jar.header() });
  const add = await fetch(`${site.url}/wp-json/wc/store/v1/cart/add-item`, {
    method: 'POST',
    headers: headers(),
    body: JSON.stringify({ id: site.productId, quantity: options.quantity ?? 2 }),
  });
  jar.take(add);
  if (!add.ok) throw new Error(`add-item ${add.status} ${await add.text()}`);
  await add.arrayBuffer();
  const checkout = await fetch(`${site.url}/wp-json/wc/store/v1/checkout`, {
    method: 'POST',
    headers: headers(),
    body: JSON.stringify({
      billing_address: BILLING,
      shipping_address: BILLING,
      payment_method: 'kassa',
      payment_data: options.method ? [{ key: 'kassa_method', value: options.method }] : [],
    }),
  });
  const body = (await checkout.json()) as {
    order_id: number;
    payment_result?: { payment_status: string; redirect_url: string };
    message?: string;
  };
  if (!checkout.ok || !body.payment_result) throw new Error(`checkout ${checkout.status} ${JSON.stringify(body)}`);
  return { orderId: body.order_id, payUrl: body.payment_result.redirect_url };
}

/** The classic shortcode checkout: the rendered form's nonce, then `?wc-ajax=checkout`. */
export async function classicCheckout(site: WooSite, options: { method?: string } = {}) {
  const jar = new Jar();
  const add = await fetch(`${site.url}/?add-to-cart=${site.productId}&quantity=1`, { redirect: 'manual' });
  jar.take(add);
  await add.arrayBuffer();
  const form = await fetch(site.classicCheckoutUrl, { headers: { cookie: jar.header() } });
  jar.take(form);
  const html = await form.text();
  const nonce = /name="woocommerce-process-checkout-nonce" value="([^"]+)"/.exec(html)?.[1];
  if (!nonce) throw new Error('no checkout nonce on the classic checkout page');
  const fields = new URLSearchParams({
    ...Object.fromEntries(Object.entries(BILLING).map(([k, v]) => [`billing_${k}`, v])),
    payment_method: 'kassa',
    kassa_method: options.method ?? '',
    'woocommerce-process-checkout-nonce': nonce,
    _wp_http_referer: '/classic-checkout/',
    terms: '1',
  });
  const result = await fetch(`${site.url}/?wc-ajax=checkout`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: fields,
  });
  const body = (await result.json()) as { result: string; redirect?: string; messages?: string; order_id?: number };
  if (body.result !== 'success' || !body.redirect) throw new Error(`classic checkout: ${JSON.stringify(body)}`);
  const orderId = Number(/\/pay\/(\d+)/.exec(body.redirect)?.[1]);
  return { orderId, payUrl: body.redirect };
}

/** Follows the bridge's /pay link: the auto-posted form to the gateway, as fields. */
export async function openPayLink(payUrl: string) {
  const response = await fetch(payUrl, { redirect: 'manual' });
  const html = await response.text();
  const action = /<form method="POST" action="([^"]+)"/.exec(html)?.[1];
  const decode = (s: string) => s.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');
  const fields: [string, string][] = [];
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields.push([decode(m[1] ?? ''), decode(m[2] ?? '')]);
  }
  return {
    status: response.status,
    location: response.headers.get('location'),
    action: action && decode(action),
    fields,
    html,
  };
}

/** Switches the bridge's active gateway (the signed settings push the PHP plugin makes) and drops the plugin's cached
 * method list, as saving the settings page does. */
export async function useGateway(world: World, gateway: 'robokassa' | 'assist', hold = false): Promise<void> {
  const body = JSON.stringify(gatewaySettings(gateway, world.sandbox.url, hold));
  const response = await fetch(`${world.bridgeUrl}/api/settings`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...signApiRequest(SECRET, { method: 'POST', path: '/api/settings', body }),
    },
    body,
  });
  if (response.status !== 200) throw new Error(`settings push: ${response.status} ${await response.text()}`);
  await world.site.php(
    `$s = get_option('woocommerce_kassa_settings'); $s['gateway'] = '${gateway}'; update_option('woocommerce_kassa_settings', $s); delete_transient('kassa_wc_methods'); echo 'ok';`,
  );
}

/** The method picker as the buyer sees it: the classic checkout's `<select name="kassa_method">` options, and the
 * methods the Checkout block's script receives (`kassa_data`). */
export async function methodPicker(site: WooSite) {
  const jar = new Jar();
  const add = await fetch(`${site.url}/?add-to-cart=${site.productId}&quantity=1`, { redirect: 'manual' });
  jar.take(add);
  await add.arrayBuffer();
  const classic = await (await fetch(site.classicCheckoutUrl, { headers: { cookie: jar.header() } })).text();
  const select = /<select name="kassa_method"[^>]*>([\s\S]*?)<\/select>/.exec(classic)?.[1] ?? '';
  const classicCodes = [...select.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1] as string).filter(Boolean);
  const block = await (await fetch(`${site.url}/checkout/`, { headers: { cookie: jar.header() } })).text();
  // WooCommerce prints wcSettings as JSON.parse(decodeURIComponent('…')); our data is `paymentMethodData.kassa` there
  // (WooCommerce 9.x; older releases used a top-level `kassa_data`, which blocks.js reads as a fallback).
  let blockMethods: string[] = [];
  for (const m of block.matchAll(/decodeURIComponent\(\s*'([^']*)'\s*\)/g)) {
    try {
      type Data = { methods: { code: string }[] };
      const settings = JSON.parse(decodeURIComponent(m[1] as string)) as {
        paymentMethodData?: { kassa?: Data };
        kassa_data?: Data;
      };
      const data = settings.paymentMethodData?.kassa ?? settings.kassa_data;
      if (data) blockMethods = data.methods.map((x) => x.code);
    } catch {
      // another script's data
    }
  }
  return { classicCodes, blockMethods, blockHasKassa: block.includes('kassa-wc-blocks') };
}
