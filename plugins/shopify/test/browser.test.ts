/**
 * A real browser (Chromium via playwright-core), once per gateway: the emulator's checkout → our redirect → the
 * sandbox's payment page → pay → Shopify's thank-you; and leaving the gateway → back to the checkout. Screenshots
 * in test-results/. Fails (never skips) when Chromium is missing.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SHOP, startWorld, type World } from './harness.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = new URL('../test-results/', import.meta.url);
type Browser = Awaited<ReturnType<typeof chromium.launch>>;
let browser: Browser | undefined;
let world: World;

beforeAll(async () => {
  // No skip: Chromium is part of the test machine (scripts/system-deps.sh installs Debian's chromium).
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM} (scripts/system-deps.sh, or CHROMIUM_PATH)`);
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  world = await startWorld({ returnWaitMs: 3000 });
});
afterAll(async () => {
  await browser?.close();
  await world?.stop();
});

const checkout = (token: string) =>
  `${world.emulator.shopOrigin(SHOP)}/checkouts/${token}?amount=1500.00&currency=RUB&test=1`;

describe.each(['robokassa', 'assist'] as const)('%s in Chromium', (gateway) => {
  test('checkout → gateway page → pay → thank-you; leave → back to checkout', async () => {
    if (!browser) throw new Error('Chromium did not start');
    await world.configure(gateway);
    const page = await browser.newPage();
    try {
      const token = `${gateway}-paid`;
      await page.goto(checkout(token));
      await page.locator('#pay').click();
      if (gateway === 'robokassa') {
        await page.waitForURL(`${world.sandbox.url}/Merchant/Index.aspx**`);
        await page.screenshot({ path: new URL(`${gateway}-gateway.png`, SHOTS).pathname });
        await Promise.all([page.waitForURL('**/thank_you'), page.locator('[data-action=pay]').click()]);
      } else {
        await page.waitForURL(`${world.sandbox.url}/pay/order.cfm**`);
        await page.locator('input[name=card]').fill('4111 1111 1111 1111');
        await page.locator('input[name=cardholder]').fill('IVAN PETROV');
        await page.screenshot({ path: new URL(`${gateway}-gateway.png`, SHOTS).pathname });
        await Promise.all([page.waitForURL('**/thank_you'), page.locator('[data-action=pay]').click()]);
      }
      await expect(page.locator('#thank-you').textContent()).resolves.toContain('Thank you');
      await page.screenshot({ path: new URL(`${gateway}-thank-you.png`, SHOTS).pathname });
      expect(world.emulator.thankYouVisits).toContain(token);

      const left = `${gateway}-left`;
      await page.goto(checkout(left));
      await page.locator('#pay').click();
      if (gateway === 'robokassa') {
        await page.waitForURL(`${world.sandbox.url}/Merchant/Index.aspx**`);
        await Promise.all([page.waitForURL(`**/checkouts/${left}`), page.locator('[data-action=decline]').click()]);
      } else {
        await page.waitForURL(`${world.sandbox.url}/pay/order.cfm**`);
        await page.locator('input[name=card]').fill('4000 0000 0000 0002');
        await Promise.all([page.waitForURL(`**/checkouts/${left}`), page.locator('[data-action=pay]').click()]);
      }
      await expect(page.locator('#checkout').textContent()).resolves.toContain(left);
      await page.screenshot({ path: new URL(`${gateway}-back-to-checkout.png`, SHOTS).pathname });
      expect(world.emulator.violations).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
