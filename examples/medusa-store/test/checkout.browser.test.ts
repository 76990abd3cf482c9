import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { type Sandbox, startSandbox } from '@kassa/sandbox';
import type { MedusaContainer } from '@medusajs/framework/types';
import { ContainerRegistrationKeys } from '@medusajs/framework/utils';
import { medusaIntegrationTestRunner } from '@medusajs/test-utils';
import { type Browser, chromium, type Page } from 'playwright-core';
import seed, { STOREFRONT_KEY_TITLE } from '../src/scripts/seed';
import { type Storefront, startStorefront } from '../storefront/server.mts';

/**
 * A buyer in a real browser (Debian's headless Chromium): storefront → Robokassa with a chosen method → the
 * sandbox's payment page → Pay → the order confirmation page; and Decline → back to checkout. Every step is
 * screenshotted into artifacts/screenshots (gitignored) and the order is checked in Medusa's database.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const shots = path.join(__dirname, '../artifacts/screenshots');
mkdirSync(shots, { recursive: true });

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const merchant = {
  login: 'kassa-browser-shop',
  password1: 'browser-password-1',
  password2: 'browser-password-2',
  password3: 'browser-password-3',
  algorithm: 'sha256' as const,
};

// The sandbox and the storefront's address must exist before Medusa reads medusa-config at boot.
const sandbox: Sandbox = await startSandbox({ retryBackoffMs: 50 });
const storefrontPort = await freePort();
const storefrontUrl = `http://127.0.0.1:${storefrontPort}`;
Object.assign(process.env, {
  ROBOKASSA_LOGIN: merchant.login,
  ROBOKASSA_PASSWORD1: merchant.password1,
  ROBOKASSA_PASSWORD2: merchant.password2,
  ROBOKASSA_PASSWORD3: merchant.password3,
  ROBOKASSA_ALGORITHM: merchant.algorithm,
  ROBOKASSA_BASE_URL: sandbox.url,
  STOREFRONT_URL: storefrontUrl,
});
let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});
afterAll(async () => {
  await browser?.close();
  await sandbox.stop();
});

async function publishableKey(container: MedusaContainer): Promise<string> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY);
  const { data } = await query.graph({
    entity: 'api_key',
    fields: ['token'],
    filters: { title: STOREFRONT_KEY_TITLE },
  });
  const token = (data[0] as { token?: string } | undefined)?.token;
  if (!token) throw new Error('the seed made no publishable key');
  return token;
}

async function ordersOf(container: MedusaContainer, cartId: string) {
  const query = container.resolve(ContainerRegistrationKeys.QUERY);
  const { data } = await query.graph({
    entity: 'order',
    fields: ['id', 'total', 'payment_collections.payments.captured_at', 'payment_collections.payments.provider_id'],
    filters: {
      id: (await query.graph({ entity: 'order_cart', fields: ['order_id'], filters: { cart_id: cartId } })).data.map(
        (l: { order_id: string }) => l.order_id,
      ),
    },
  });
  return data as Array<{
    id: string;
    total: number;
    payment_collections: Array<{ payments: Array<{ captured_at: unknown; provider_id: string }> }>;
  }>;
}

medusaIntegrationTestRunner({
  cwd: path.join(__dirname, '..'),
  testSuite: ({ api, getContainer }) => {
    const medusaUrl = () => (api as { defaults: { baseURL: string } }).defaults.baseURL;
    let storefront: Storefront;
    let page: Page;

    beforeEach(async () => {
      sandbox.admin.reset();
      sandbox.admin.upsertMerchant({
        ...merchant,
        shopName: 'Kassa demo shop',
        resultUrl: `${medusaUrl()}/robokassa/result`,
        successUrl: `${medusaUrl()}/robokassa/success`,
        failUrl: `${medusaUrl()}/robokassa/fail`,
      });
      await seed({ container: getContainer(), args: [] });
      storefront = await startStorefront({
        medusaUrl: medusaUrl(),
        publishableKey: await publishableKey(getContainer()),
        port: storefrontPort,
      });
      page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    });

    afterEach(async () => {
      await page?.close();
      await storefront?.close();
    });

    async function toSandbox(name: string, method: string): Promise<string> {
      await page.goto(`${storefront.url}/`);
      await page.screenshot({ path: path.join(shots, `${name}-1-catalog.png`) });
      await page.click('[data-test=buy]');
      await page.waitForURL(/\/checkout\?cart_id=/);
      const cartId = new URL(page.url()).searchParams.get('cart_id') ?? '';
      await page.check(`input[name=inc_curr_label][value=${method}]`);
      await page.screenshot({ path: path.join(shots, `${name}-2-checkout.png`), fullPage: true });
      await page.click('[data-test=pay]');
      await page.waitForURL(`${sandbox.url}/**`);
      await page.screenshot({ path: path.join(shots, `${name}-3-robokassa.png`), fullPage: true });
      return cartId;
    }

    test('pay: storefront → Robokassa (SBP chosen in the shop) → Pay → order confirmation', async () => {
      const cartId = await toSandbox('pay', 'SBPPSR');
      // The method chosen in the shop arrives preselected on Robokassa's page.
      expect(await page.isChecked('input[value=SBPPSR]')).toBe(true);
      await page.click('button.pay');
      await page.waitForURL(`${storefront.url}/order/confirmed**`);
      await page.screenshot({ path: path.join(shots, 'pay-4-confirmed.png'), fullPage: true });
      expect(await page.locator('[data-test=order-confirmed]').textContent()).toContain('оплачен');

      const orders = await ordersOf(getContainer(), cartId);
      expect(orders).toHaveLength(1);
      expect(new URL(page.url()).searchParams.get('order_id')).toBe(orders[0]?.id);
      const payment = orders[0]?.payment_collections[0]?.payments[0];
      expect(payment?.provider_id).toBe('pp_robokassa_robokassa');
      expect(Boolean(payment?.captured_at)).toBe(true);
      expect(sandbox.admin.operations()[0]?.paidWith?.label).toBe('SBPPSR');
    });

    test('decline: Robokassa → Card declined → back to checkout, no order, and paying again works', async () => {
      const cartId = await toSandbox('decline', 'BankCardPSR');
      await page.click('button.decline');
      await page.waitForURL(`${storefront.url}/checkout?**`);
      await page.screenshot({ path: path.join(shots, 'decline-4-back-to-checkout.png'), fullPage: true });
      expect(await page.locator('[data-test=payment-failed]').isVisible()).toBe(true);
      expect(new URL(page.url()).searchParams.get('cart_id')).toBe(cartId);
      expect(await ordersOf(getContainer(), cartId)).toEqual([]);

      await page.click('[data-test=pay]');
      await page.waitForURL(`${sandbox.url}/**`);
      await page.click('button.pay');
      await page.waitForURL(`${storefront.url}/order/confirmed**`);
      await page.screenshot({ path: path.join(shots, 'decline-5-paid-on-retry.png'), fullPage: true });
      expect(await ordersOf(getContainer(), cartId)).toHaveLength(1);
    });
  },
});
