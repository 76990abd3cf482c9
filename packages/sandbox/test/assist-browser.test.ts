import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSIST, assistCheckvalue, assistOrder, assistSetup, pushOk } from './assist-helpers.js';
import type { Received } from './helpers.js';

/**
 * Debian's Chromium, driven by playwright-core, posts an order form to /pay/order.cfm, pays with a test card on
 * the Assist page and lands on URL_RETURN_OK with billnumber and ordernumber; a declining card lands on
 * URL_RETURN_NO. The shop checks the notification's checkvalue on its side.
 */

const SCREENSHOTS = new URL('../test-results/', import.meta.url);
type Browser = Awaited<ReturnType<typeof chromium.launch>>;
let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    timeout: 30_000,
  });
}, 40_000);

afterAll(async () => {
  await browser?.close();
});

/** The test shop: an order form page, the notification handler, and the two return pages. */
function shop(req: Received): { body: string; status?: number } {
  const p = req.params;
  if (req.path === '/assist/notify') {
    const x = `${p.get('merchant_id')}${p.get('ordernumber')}${p.get('amount')}${p.get('currency')}${p.get('orderstate')}`;
    if (p.get('checkvalue') !== assistCheckvalue(ASSIST.secretWord, x)) return { status: 400, body: 'bad checkvalue' };
    return pushOk(req);
  }
  return { body: `${req.path.slice(1)} billnumber=${p.get('billnumber')} ordernumber=${p.get('ordernumber')}` };
}

describe('Assist payment page in a browser', () => {
  it('pays with a test card and returns to URL_RETURN_OK; a declining card returns to URL_RETURN_NO', async () => {
    const { shop: server, sandbox } = await assistSetup(shop);
    const form = (orderNumber: string) =>
      `<!doctype html><meta charset="utf-8"><form id="f" method="post" action="${sandbox.endpoints.assist.payment}">${assistOrder(
        orderNumber,
        '1500.00',
        [
          ['OrderComment', 'Чайник «Заря»'],
          ['Language', 'RU'],
        ],
      )
        .map(([n, v]) => `<input type="hidden" name="${n}" value="${v.replace(/"/g, '&quot;')}">`)
        .join('')}<button>Оплатить</button></form>`;

    const context = await browser.newContext({ locale: 'ru-RU' });
    context.setDefaultTimeout(15_000);
    try {
      const page = await context.newPage();
      await page.setContent(form('Б-101'));
      await Promise.all([page.waitForURL(`${sandbox.url}/pay/order.cfm`), page.locator('button').click()]);
      await expect(page.locator('.amount').textContent()).resolves.toContain('1\u00a0500.00');
      await expect(page.locator('dl.facts').textContent()).resolves.toContain('Чайник «Заря»');
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: new URL('assist-payment-page.png', SCREENSHOTS).pathname, fullPage: true });
      const bill = await page.locator('main').getAttribute('data-bill-number');
      await page.locator('input[name=card]').fill('5555 5555 5555 4444');
      await page.locator('input[name=cardholder]').fill('IVAN PETROV');
      await Promise.all([page.waitForURL(`${server.url}/ok?**`), page.locator('[data-action=pay]').click()]);
      await expect(page.locator('body').textContent()).resolves.toBe(`ok billnumber=${bill} ordernumber=Б-101`);
      const notification = server.received.find((r) => r.path === '/assist/notify');
      expect(notification?.params.get('meannumber')).toBe('555555****4444');
      expect(notification?.params.get('meantypename')).toBe('EC/MC');
      await sandbox.admin.idle();
      expect(sandbox.admin.assist.notifications({ orderNumber: 'Б-101' })).toMatchObject([{ outcome: 'ok' }]);

      const declined = await context.newPage();
      await declined.setContent(form('Б-102'));
      await Promise.all([declined.waitForURL(`${sandbox.url}/pay/order.cfm`), declined.locator('button').click()]);
      await declined.locator('input[name=card]').fill('4000 0000 0000 0002');
      await Promise.all([declined.waitForURL(`${server.url}/no?**`), declined.locator('[data-action=pay]').click()]);
      await expect(declined.locator('body').textContent()).resolves.toMatch(/^no billnumber=\d{16} ordernumber=Б-102$/);
      expect(sandbox.admin.assist.bills({ orderNumber: 'Б-102' })[0]).toMatchObject({
        state: 'Declined',
        responseCode: 'AS100',
      });
    } finally {
      await context.close();
    }
  }, 60_000);
});
