/**
 * A buyer in a real browser (Debian's headless Chromium through playwright-core) on the real WooCommerce 9.4.3 (HPOS
 * off): product in the cart → the Checkout block (our method and its picker rendered by blocks.js) → Place order → the
 * bridge's /pay → the sandbox's Robokassa page → Pay → back to WooCommerce's order-received page; the order is paid
 * once with its note. Every step is screenshotted into test/screenshots/ (committed beside this test).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BILLING, startWorld, type World } from '../support/world.js';

const SHOTS = join(import.meta.dirname, '..', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let world: World;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [world, browser] = await Promise.all([
    startWorld({ gateway: 'robokassa', hpos: false }),
    chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    }),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await world?.stop();
});

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function fillIfPresent(page: Page, selector: string, value: string) {
  const field = page.locator(selector);
  if ((await field.count()) > 0 && (await field.first().isVisible())) await field.first().fill(value);
}

describe('Checkout block in Chromium → bridge → sandbox → paid order', () => {
  test('Robokassa, card picked in the block, paid once; the buyer lands on order-received', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1000 }, locale: 'ru-RU' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('requestfailed', (r) => errors.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`));
    try {
      await page.goto(`${world.site.url}/?add-to-cart=${world.site.productId}&quantity=2`);
      await page.goto(`${world.site.url}/checkout/`);
      await page.locator('.wc-block-checkout').waitFor({ timeout: 30_000 });
      await page.locator('#email').fill(BILLING.email);
      await fillIfPresent(page, '#billing-first_name', BILLING.first_name);
      await fillIfPresent(page, '#billing-last_name', BILLING.last_name);
      await fillIfPresent(page, '#billing-address_1', BILLING.address_1);
      await fillIfPresent(page, '#billing-city', BILLING.city);
      await fillIfPresent(page, '#billing-state', BILLING.state);
      await fillIfPresent(page, '#billing-postcode', BILLING.postcode);
      await fillIfPresent(page, '#billing-phone', BILLING.phone);
      // Our method, rendered by blocks.js, with the picker fed by the bridge's catalog.
      const picker = page.locator('#kassa-method');
      await picker.waitFor({ timeout: 15_000 });
      await picker.selectOption('BankCardPSR');
      await shot(page, '01-checkout-block');
      await Promise.all([
        page.waitForURL((url) => url.origin === world.sandbox.url, { timeout: 30_000 }),
        page.locator('.wc-block-components-checkout-place-order-button').click(),
      ]);
      await page.locator('[data-action=pay]').waitFor();
      await shot(page, '02-sandbox-robokassa-page');
      const email = page.locator('input[type=email]');
      if ((await email.count()) > 0 && (await email.inputValue()) === '') await email.fill(BILLING.email);
      await Promise.all([
        page.waitForURL(/order-received/, { timeout: 30_000 }),
        page.locator('[data-action=pay]').click(),
      ]);
      await world.sandbox.admin.idle();
      await shot(page, '03-order-received');
      const orderId = Number(/order-received\/(\d+)/.exec(page.url())?.[1]);
      const order = await world.shop.getOrder(orderId);
      expect(order?.status).toBe('processing');
      expect(order?.date_paid).not.toBeNull();
      expect(order?.transaction_id).not.toBe('');
      const notes = (await world.shop.listNotes(orderId)).filter((n) => n.note.includes('[kassa:'));
      expect(notes).toHaveLength(1);
      expect(await page.locator('body').textContent()).toContain(String(orderId));
    } catch (error) {
      await shot(page, 'failure').catch(() => {});
      throw new Error(`${(error as Error).message}\nbrowser errors:\n${errors.join('\n')}`);
    } finally {
      await page.close();
    }
  });
});
