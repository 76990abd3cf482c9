import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hash, MERCHANT, type Received, signedRequest, startShop, testSandbox } from './helpers.js';

/**
 * A real browser (Debian's Chromium, driven by playwright-core) goes through the payment page: picks a method,
 * pays, and lands on the test shop's SuccessURL, whose signature the shop checks; Decline lands on FailURL through
 * the auto-submitting POST form.
 */

const SCREENSHOTS = new URL('../test-results/', import.meta.url);
type Browser = Awaited<ReturnType<typeof chromium.launch>>;
let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
    timeout: 30_000,
  });
}, 40_000);

afterAll(async () => {
  await browser?.close();
});

/** What the test shop shows on SuccessURL: whether the Password #1 signature it received is right. */
function shopPage(req: Received): { body: string } {
  const p = req.params;
  if (req.path === '/result') return { body: `OK${p.get('InvId')}` };
  if (req.path === '/fail')
    return { body: `fail ${req.method} InvId=${p.get('InvId')} signed=${p.has('SignatureValue')}` };
  const shp = [...p].filter(([n]) => n.startsWith('Shp_')).map(([n, v]) => `${n}=${v}`);
  const expected = hash('md5', [p.get('OutSum'), p.get('InvId'), MERCHANT.password1, ...shp].join(':')).toUpperCase();
  return {
    body: `success InvId=${p.get('InvId')} signature=${p.get('SignatureValue') === expected ? 'verified' : 'WRONG'}`,
  };
}

describe('payment page in a browser', () => {
  it('pays with a chosen method and lands on SuccessURL with a valid signature; Decline lands on FailURL', async () => {
    const shop = await startShop(shopPage);
    const sandbox = await testSandbox({
      merchants: [
        {
          ...MERCHANT,
          resultUrl: `${shop.url}/result`,
          successUrl: `${shop.url}/success`,
          failUrl: `${shop.url}/fail`,
          failMethod: 'POST',
        },
      ],
    });
    const receipt = new URLSearchParams([
      ['', JSON.stringify({ sno: 'osn', items: [{ name: 'Чайник «Заря»', quantity: 1, sum: 1500, tax: 'vat20' }] })],
    ])
      .toString()
      .slice(1);
    const request = (invId: string) =>
      signedRequest({
        login: 'shop',
        password: MERCHANT.password1,
        outSum: '1500.00',
        invId,
        extra: [
          ['Description', 'Заказ в тестовом магазине'],
          ['Receipt', receipt],
          ['Culture', 'ru'],
        ],
        modifiers: [receipt],
        shp: [['Shp_order', invId]],
      });

    const context = await browser.newContext({ locale: 'ru-RU' });
    context.setDefaultTimeout(15_000);
    try {
      const page = await context.newPage();
      await page.goto(`${sandbox.url}/Merchant/Index.aspx?${request('2001')}`);
      await expect(page.locator('.amount').textContent()).resolves.toContain('1\u00a0500.00\u00a0₽');
      await expect(page.locator('table').textContent()).resolves.toContain('Чайник «Заря»');
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: new URL('payment-page.png', SCREENSHOTS).pathname, fullPage: true });
      await page.locator('input[value="SBPPSR"]').check();
      await page.locator('input[type=email]').fill('buyer@example.ru');
      await Promise.all([page.waitForURL(`${shop.url}/success?**`), page.locator('[data-action=pay]').click()]);
      await expect(page.locator('body').textContent()).resolves.toBe('success InvId=2001 signature=verified');
      const result = shop.received.find((r) => r.path === '/result');
      expect(result?.params.get('IncCurrLabel')).toBe('SBPPSR');
      expect(result?.params.get('EMail')).toBe('buyer@example.ru');

      const declined = await context.newPage();
      await declined.goto(`${sandbox.url}/Merchant/Index.aspx?${request('2002')}`);
      await Promise.all([declined.waitForURL(`${shop.url}/fail`), declined.locator('[data-action=decline]').click()]);
      await expect(declined.locator('body').textContent()).resolves.toBe('fail POST InvId=2002 signed=false');
      expect(sandbox.admin.operations({ invId: 2002 })[0]?.state).toBe(10);
    } finally {
      await context.close();
    }
  }, 60_000);
});
