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
 * A buyer in a real browser (Debian's headless Chromium) in the example shop, paying through each gateway the shop
 * offers (Robokassa and Assist, both played by the sandbox over HTTP): the cart page, the total and the pay button,
 * the e-mail and the description on the gateway's page, the confirmation, and every way back (Back, reload, a form
 * sent twice, «вернуться в магазин», a decline, a payment that is never confirmed). Every step is screenshotted into
 * artifacts/screenshots (gitignored) and the orders are checked in Medusa's database.
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

const assistMerchant = {
  merchantId: '679471',
  secretWord: 'browser-assist-secret',
  login: 'browser_assist',
  password: 'browser-assist-password',
  checkvalueMode: 'semicolon' as const,
};

const BUYER_EMAIL = 'buyer@example.com';
/** Самовар 1 234,50 ₽ + courier 300 ₽. */
const TOTAL_RU = '1\u00a0534,50\u00a0₽';

// The sandbox and the storefront's address must exist before Medusa reads medusa-config at boot.
const sandbox: Sandbox = await startSandbox({ retryBackoffMs: 50, assistRetryBackoffMs: 50 });
const storefrontPort = await freePort();
const storefrontUrl = `http://127.0.0.1:${storefrontPort}`;
Object.assign(process.env, {
  ROBOKASSA_LOGIN: merchant.login,
  ROBOKASSA_PASSWORD1: merchant.password1,
  ROBOKASSA_PASSWORD2: merchant.password2,
  ROBOKASSA_PASSWORD3: merchant.password3,
  ROBOKASSA_ALGORITHM: merchant.algorithm,
  ROBOKASSA_BASE_URL: sandbox.url,
  ASSIST_MERCHANT_ID: assistMerchant.merchantId,
  ASSIST_SECRET_WORD: assistMerchant.secretWord,
  ASSIST_LOGIN: assistMerchant.login,
  ASSIST_PASSWORD: assistMerchant.password,
  ASSIST_BASE_URL: sandbox.url,
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
      sandbox.admin.assist.upsertMerchant({
        ...assistMerchant,
        notifyUrl: `${medusaUrl()}/assist/notification`,
        returnUrlOk: `${medusaUrl()}/assist/return/ok`,
        returnUrlNo: `${medusaUrl()}/assist/return/no`,
      });
      await seed({ container: getContainer(), args: [] });
      storefront = await startStorefront({
        medusaUrl: medusaUrl(),
        publishableKey: await publishableKey(getContainer()),
        port: storefrontPort,
        providers: { robokassa: 'pp_robokassa_robokassa', assist: 'pp_assist_assist' },
        waitRefreshes: 2,
      });
      page = await browser.newPage({ viewport: { width: 1100, height: 900 }, locale: 'ru-RU' });
    });

    afterEach(async () => {
      await page?.close();
      await storefront?.close();
    });

    const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

    /** Catalog → «Купить» → the cart page → checkout; returns the cart id. */
    async function toCheckout(name: string): Promise<string> {
      await page.goto(`${storefront.url}/`);
      await page.click('[data-test=buy]');
      await page.waitForURL(`${storefront.url}/cart`);
      await page.click('[data-test=to-checkout]');
      await page.waitForURL(/\/checkout\?cart_id=/);
      await shot(`${name}-1-checkout`);
      return new URL(page.url()).searchParams.get('cart_id') ?? '';
    }

    async function toGateway(name: string, method: string): Promise<string> {
      const cartId = await toCheckout(name);
      await page.check(`input[name=method][value="${method}"]`);
      await page.click('[data-test=pay]');
      await page.waitForURL(`${sandbox.url}/**`);
      await shot(`${name}-2-gateway`);
      return cartId;
    }

    test('Robokassa: the total and the amount on the pay button, the e-mail and the description reach the payment page, the confirmation shows the payment number; Back and reload land on the confirmation', async () => {
      const cartId = await toCheckout('robokassa');
      expect(await page.locator('[data-test=total]').textContent()).toBe(TOTAL_RU);
      expect(await page.locator('[data-test=pay]').textContent()).toBe(`Оплатить ${TOTAL_RU}`);
      await page.check('input[name=method][value="robokassa:SBPPSR"]');
      await page.click('[data-test=pay]');
      await page.waitForURL(`${sandbox.url}/**`);
      await shot('robokassa-2-gateway');
      // The method chosen in the shop arrives preselected, the e-mail is filled in (not asked again).
      expect(await page.isChecked('input[value=SBPPSR]')).toBe(true);
      expect(await page.inputValue('input[name=email]')).toBe(BUYER_EMAIL);
      const operation = sandbox.admin.operations()[0];
      expect(operation?.email).toBe(BUYER_EMAIL);
      expect(operation?.description).toBe('Заказ в интернет-магазине «Kassa demo shop»');
      await page.click('button.pay');
      await page.waitForURL(`${storefront.url}/order/confirmed**`);
      await shot('robokassa-3-confirmed');
      expect(await page.locator('[data-test=order-confirmed]').textContent()).toContain('оплачен');
      // The number on Robokassa's page is the one the confirmation shows.
      expect(await page.locator('[data-test=payment-number]').textContent()).toBe(String(operation?.invId));

      const orders = await ordersOf(getContainer(), cartId);
      expect(orders).toHaveLength(1);
      const payment = orders[0]?.payment_collections[0]?.payments[0];
      expect(payment?.provider_id).toBe('pp_robokassa_robokassa');
      expect(Boolean(payment?.captured_at)).toBe(true);
      expect(sandbox.admin.operations()[0]?.paidWith?.label).toBe('SBPPSR');

      // Reloading the confirmation shows it again.
      await page.reload();
      expect(await page.locator('[data-test=order-confirmed]').isVisible()).toBe(true);
      // Back from the confirmation: first the gateway's page (a POST result, which the browser offers to resend),
      // then our shop's pages, which never send the paid invoice to Robokassa again (error 40): they go to the
      // confirmation.
      // (Chromium reports that page as net::ERR_CACHE_MISS: the POST is not resent without the buyer's consent.)
      await page.goBack().catch((error: Error) => expect(error.message).toContain('ERR_CACHE_MISS'));
      await page.waitForURL((u) => !u.href.startsWith(storefront.url));
      await page.goBack();
      await page.waitForURL(`${storefront.url}/order/confirmed**`);
      await shot('robokassa-4-back');
      expect(await page.locator('[data-test=order-confirmed]').isVisible()).toBe(true);
      expect(await ordersOf(getContainer(), cartId)).toHaveLength(1);
    });

    test('Assist: the buyer picks Assist (card) at checkout → the sandbox’s Assist page → Pay → the order confirmation', async () => {
      const cartId = await toGateway('assist', 'assist:card');
      expect(page.url()).toContain('/pay/');
      await page.click('button.pay');
      await page.waitForURL(`${storefront.url}/order/confirmed**`);
      await shot('assist-3-confirmed');
      expect(await page.locator('[data-test=order-confirmed]').textContent()).toContain('оплачен');
      const orders = await ordersOf(getContainer(), cartId);
      expect(orders).toHaveLength(1);
      const payment = orders[0]?.payment_collections[0]?.payments[0];
      expect(payment?.provider_id).toBe('pp_assist_assist');
      expect(Boolean(payment?.captured_at)).toBe(true);
    });

    test('«вернуться в магазин» is not reported as a decline, the chosen method is remembered, and paying again works', async () => {
      const cartId = await toGateway('leave', 'robokassa:BankCardPSR');
      await page.click('button.leave');
      await page.waitForURL(`${storefront.url}/checkout?**`);
      await shot('leave-3-back-to-checkout');
      const notice = (await page.locator('[data-test=payment-unfinished]').textContent()) ?? '';
      expect(notice).toContain('не завершена');
      expect(notice).not.toMatch(/не прошла|отклон/);
      expect(new URL(page.url()).searchParams.get('cart_id')).toBe(cartId);
      expect(await page.isChecked('input[name=method][value="robokassa:BankCardPSR"]')).toBe(true);
      expect(await ordersOf(getContainer(), cartId)).toEqual([]);

      // A declined card comes back the same way, and Assist's choice is remembered too.
      await page.check('input[name=method][value="assist:card"]');
      await page.click('[data-test=pay]');
      await page.waitForURL(`${sandbox.url}/**`);
      await page.click('button.decline');
      await page.waitForURL(`${storefront.url}/checkout?**`);
      expect(await page.isChecked('input[name=method][value="assist:card"]')).toBe(true);

      await page.click('[data-test=pay]');
      await page.waitForURL(`${sandbox.url}/**`);
      await page.click('button.pay');
      await page.waitForURL(`${storefront.url}/order/confirmed**`);
      await shot('leave-4-paid-on-retry');
      expect(await ordersOf(getContainer(), cartId)).toHaveLength(1);
    });

    test('the cart: «Купить» twice keeps one samovar, the quantity is changed on the cart page and the checkout total follows', async () => {
      await page.goto(`${storefront.url}/`);
      await page.click('[data-test=buy]');
      await page.goto(`${storefront.url}/`);
      await page.click('[data-test=buy]');
      await page.waitForURL(`${storefront.url}/cart`);
      expect(await page.inputValue('[data-test=quantity]')).toBe('1');
      await page.fill('[data-test=quantity]', '3');
      await page.click('[data-test=update-quantity]');
      await page.waitForURL(`${storefront.url}/cart`);
      expect(await page.inputValue('[data-test=quantity]')).toBe('3');
      await shot('cart-1-three');
      await page.click('[data-test=to-checkout]');
      // 3 × 1 234,50 + 300 = 4 003,50 ₽
      expect(await page.locator('[data-test=total]').textContent()).toBe('4\u00a0003,50\u00a0₽');
      expect(await page.locator('[data-test=pay]').textContent()).toBe('Оплатить 4\u00a0003,50\u00a0₽');
    });

    test('the waiting page stops after a while and offers to pay again; a form sent again after paying goes to the confirmation; English', async () => {
      const cartId = await toGateway('wait', 'robokassa:BankCardPSR');
      // Nothing paid yet: the confirmation page waits, refreshing itself, then stops and offers to pay again.
      await page.goto(`${storefront.url}/order/confirmed?cart_id=${cartId}`);
      expect(await page.locator('[data-test=payment-waiting]').isVisible()).toBe(true);
      await page.waitForSelector('[data-test=payment-not-confirmed]');
      await shot('wait-3-stopped');
      expect(await page.locator('meta[http-equiv=refresh]').count()).toBe(0);
      await page.click('[data-test=pay-again]');
      await page.waitForURL(/\/checkout\?cart_id=/);

      await page.click('[data-test=pay]');
      await page.waitForURL(`${sandbox.url}/**`);
      await page.click('button.pay');
      await page.waitForURL(`${storefront.url}/order/confirmed**`);
      // The checkout form sent again (another tab, a resubmission) lands on the confirmation, not on an error.
      const again = await fetch(`${storefront.url}/checkout/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ cart_id: cartId, email: BUYER_EMAIL, method: 'robokassa:BankCardPSR' }),
        redirect: 'manual',
      });
      expect(again.status).toBe(303);
      expect(again.headers.get('location')).toBe(`/order/confirmed?cart_id=${encodeURIComponent(cartId)}`);
      expect(await ordersOf(getContainer(), cartId)).toHaveLength(1);

      await page.goto(`${storefront.url}/?lang=en`);
      expect(await page.locator('[data-test=buy]').textContent()).toBe('Buy');
      await page.click('[data-test=buy]');
      await page.click('[data-test=to-checkout]');
      await shot('wait-4-english-checkout');
      expect(await page.locator('[data-test=pay]').textContent()).toBe('Pay 1,534.50\u00a0₽');
    });
  },
});
