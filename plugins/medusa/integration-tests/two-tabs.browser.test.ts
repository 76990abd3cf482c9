import { type Sandbox, startSandbox } from '@kassa/sandbox';
import type { Page } from 'playwright-core';
import { browserForSuite } from './support/browser';
import { type Checkout, secondTab, shopState, startCheckout } from './support/checkout';
import { PROVIDERS } from './support/merchant';
import { shopSuite } from './support/suite';

/**
 * Issue #11 "Done when": the two-tabs double payment in a real browser (Chromium through playwright-core) on the
 * sandbox's payment pages. One cart, two payment pages (the second supersedes the first invoice); the buyer pays the
 * older page, then the newer one. One order, the second payment refunded as a surplus, and both tabs land on the
 * order's confirmation — never on a «Платёж обрабатывается» that never ends.
 */

const STOREFRONT = 'http://storefront.test';
const sandbox: Sandbox = await startSandbox({ retryBackoffMs: 50, callbackTimeoutMs: 30_000 });
process.env.ROBOKASSA_BASE_URL = sandbox.url;
const browser = browserForSuite(() => sandbox.stop());

async function openPaymentPage(page: Page, checkout: Checkout): Promise<void> {
  // The storefront's GET link to the payment page (`session.data.redirect_url`; the same request as the POST form).
  await page.goto(checkout.data.redirect_url);
  await page.waitForSelector('button[data-action="pay"]');
}

/**
 * Pays on the sandbox page and follows the buyer back through SuccessURL to the storefront. The storefront itself is
 * not part of this test (its host does not resolve): where the browser is sent is the answer.
 */
async function pay(page: Page): Promise<URL> {
  const [request] = await Promise.all([
    page.waitForEvent('request', { predicate: (r) => r.url().startsWith(`${STOREFRONT}/`), timeout: 90_000 }),
    page.click('button[data-action="pay"]'),
  ]);
  return new URL(request.url());
}

shopSuite({ sandbox }, (t) => {
  const { api, getContainer } = t;
  const invoice = (invId: number) => t.record('robokassa', invId);

  test('two tabs, older page paid first, then the newer one: one order, the second payment refunded, both tabs on the confirmation', async () => {
    const first = await startCheckout(api, t.shop, PROVIDERS.capture);
    // The second tab: the storefront creates a new payment session for the same cart; Medusa drops the first one.
    const second = await secondTab(api, getContainer(), t.shop, first, PROVIDERS.capture);
    expect(second.data.inv_id).not.toBe(first.data.inv_id);

    const context = await browser().newContext({ locale: 'ru-RU' });
    try {
      const older = await context.newPage();
      const newer = await context.newPage();
      await openPaymentPage(older, first);
      await openPaymentPage(newer, second);
      expect(await older.textContent('main')).toContain(String(first.data.inv_id));
      expect(await newer.textContent('main')).toContain(String(second.data.inv_id));

      const landedFirst = await pay(older);
      const afterFirst = await shopState(getContainer(), first.cartId);
      expect(afterFirst.orderIds).toHaveLength(1);
      const orderId = afterFirst.orderIds[0] as string;
      expect(landedFirst.pathname).toBe('/order/confirmed');
      expect(landedFirst.searchParams.get('order_id')).toBe(orderId);

      const landedSecond = await pay(newer);
      expect(landedSecond.pathname).toBe('/order/confirmed');
      expect(landedSecond.searchParams.get('order_id')).toBe(orderId);
    } finally {
      await context.close();
    }

    const state = await shopState(getContainer(), first.cartId);
    expect(state.orderIds).toHaveLength(1);
    expect(state.payments.filter((p) => p.captured)).toHaveLength(1);
    expect(await invoice(first.data.inv_id)).toMatchObject({ state: 'paid', settledState: 'paid' });
    // The newer payment is a surplus: ResultURL was answered OK, and the money went back through the Refund API.
    expect(await invoice(second.data.inv_id)).toMatchObject({ state: 'refunded', surplus: true });
  });
});
