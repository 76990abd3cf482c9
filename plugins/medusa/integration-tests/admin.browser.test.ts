import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Sandbox, startSandbox } from '@kassa/sandbox';
import type { MedusaContainer } from '@medusajs/framework/types';
import { Modules } from '@medusajs/framework/utils';
import { createUserAccountWorkflow } from '@medusajs/medusa/core-flows';
import { medusaIntegrationTestRunner } from '@medusajs/test-utils';
import type { Page } from 'playwright-core';
import { registerAssistMerchant } from './support/assist';
import { browserForSuite } from './support/browser';
import { type Api, payInSandbox, shopState, startCheckout } from './support/checkout';
import { MERCHANT, PROVIDERS } from './support/merchant';
import { seedShop } from './support/seed';

/**
 * The merchant's admin in a real browser (Debian's headless Chromium) and in Russian: a real Medusa serving its
 * dashboard with the built plugin's extensions, the sandbox as Robokassa. It opens Settings → payment gateways, an
 * order paid through Robokassa (the widget: people's words, money as money, a refund with Medusa's safeguards) and
 * the Payments page, and saves a screenshot of each beside this file (integration-tests/screenshots).
 *
 * The dashboard is served by Vite in development mode (`medusa develop` does the same): a production build of the
 * dashboard takes minutes on two cores, Vite's first page load well under one.
 */

const shots = path.join(__dirname, 'screenshots');
mkdirSync(shots, { recursive: true });
const ADMIN = { email: 'merchant@kassa.test', password: 'kassa-admin-test' };

// Medusa's admin loader serves the dashboard through Vite only in development; vitest sets NODE_ENV=test.
process.env.NODE_ENV = 'development';
const sandbox: Sandbox = await startSandbox({ retryBackoffMs: 50, callbackTimeoutMs: 30_000 });
process.env.ROBOKASSA_BASE_URL = sandbox.url;
process.env.ASSIST_BASE_URL = sandbox.url;
const browser = browserForSuite(() => sandbox.stop());

async function createAdmin(container: MedusaContainer): Promise<void> {
  const auth = container.resolve(Modules.AUTH);
  const { authIdentity, error } = await auth.register('emailpass', {
    body: { email: ADMIN.email, password: ADMIN.password },
  } as Parameters<typeof auth.register>[1]);
  if (!authIdentity) throw new Error(`admin registration failed: ${error}`);
  await createUserAccountWorkflow(container).run({
    input: { authIdentityId: authIdentity.id, userData: { email: ADMIN.email, first_name: 'Анна' } },
  });
}

medusaIntegrationTestRunner({
  cwd: path.join(__dirname, 'admin-app'),
  dbName: 'm3_admin_browser',
  testSuite: ({ api: rawApi, getContainer }) => {
    const api = rawApi as Api;
    const base = () => api.defaults.baseURL ?? '';
    let page: Page;
    let orderId: string;

    beforeAll(async () => {
      sandbox.admin.reset();
      sandbox.admin.upsertMerchant({
        ...MERCHANT,
        resultUrl: `${base()}/robokassa/result`,
        resultMethod: 'POST',
        successUrl: `${base()}/robokassa/success`,
        failUrl: `${base()}/robokassa/fail`,
      });
      registerAssistMerchant(sandbox, api);
      const shop = await seedShop(getContainer());
      await createAdmin(getContainer());
      const checkout = await startCheckout(api, shop, PROVIDERS.capture);
      await payInSandbox(sandbox, checkout, { method: 'SBPPSR' });
      const state = await shopState(getContainer(), checkout.cartId);
      orderId = state.orderIds[0] ?? '';
      expect(orderId).not.toBe('');

      const context = await browser().newContext({ viewport: { width: 1280, height: 900 }, locale: 'ru-RU' });
      // The dashboard's language detector reads the `lng` cookie first (Medusa ships a Russian admin).
      await context.addCookies([{ name: 'lng', value: 'ru', url: base() }]);
      page = await context.newPage();
      await page.goto(`${base()}/app/login`, { timeout: 240_000 });
      // Vite compiles the dashboard on the first visit (and may reload once after optimising dependencies).
      await page.waitForSelector('input[name=email]', { timeout: 240_000 }).catch(async (error: unknown) => {
        await page.screenshot({ path: path.join(tmpdir(), 'kassa-admin-login-failed.png') });
        throw error;
      });
      await page.fill('input[name=email]', ADMIN.email);
      await page.fill('input[name=password]', ADMIN.password);
      await page.click('button[type=submit]');
      await page.waitForURL((url) => !url.pathname.endsWith('/login'), { timeout: 120_000 });
    }, 600_000);

    afterAll(async () => {
      await page?.context().close();
    });

    // One test in three steps: Medusa's runner resets the database between tests, and the steps share the order.
    test('the admin in Russian: settings, the order widget with a refund, the Payments page', async () => {
      await settingsPage();
      await orderWidget();
      await paymentsPage();
    }, 300_000);

    async function settingsPage() {
      await page.goto(`${base()}/app/settings/robokassa`);
      const settings = page.getByTestId('kassa-settings');
      await settings.getByText('Платёжные системы').first().waitFor({ timeout: 120_000 });
      // The sandbox's address is not Robokassa's: the badge says so, whatever the test flag.
      await expect(page.getByTestId('kassa-mode').getAttribute('data-mode')).resolves.toBe('sandbox');
      await settings.getByText('Песочница').waitFor();
      // Medusa on localhost: every URL carries the warning.
      await expect(settings.getByText('это локальный или внутренний адрес').count()).resolves.toBeGreaterThan(0);
      await settings.getByRole('button', { name: 'Проверить доступы' }).click();
      await settings.getByText('Доступы работают').waitFor();
      await settings.getByText(/Проверено: идентификатор магазина, Пароль №2 и алгоритм подписи/).waitFor();
      await settings.getByText(/Отсюда проверить нельзя: Пароль №1/).waitFor();
      await page.screenshot({ path: path.join(shots, 'admin-settings-ru.png'), fullPage: true });

      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: path.join(shots, 'admin-settings-ru-phone.png'), fullPage: true });
      const overflow = await page.evaluate(() => {
        const el = document.querySelector('[data-testid=kassa-urls]');
        return el ? el.scrollWidth - el.clientWidth : -1;
      });
      expect(overflow).toBe(0);
      await page.setViewportSize({ width: 1280, height: 900 });

      // The Assist tab: its cabinet's URLs and its own credentials check (merchant id, web-service login, secret word).
      await settings.getByRole('tab', { name: 'Assist' }).click();
      await settings.getByText('URL для уведомлений').waitFor();
      await settings.getByRole('button', { name: 'Проверить доступы' }).click();
      await settings.getByText('Доступы работают').waitFor({ timeout: 60_000 });
      await settings.getByText(/Проверено: номер магазина, логин и пароль веб-сервисов/).waitFor();
      await page.screenshot({ path: path.join(shots, 'admin-settings-assist-ru.png'), fullPage: true });
    }

    /** The widget at the top of the side column, in Russian, refunding with Medusa's safeguards. */
    async function orderWidget() {
      await page.goto(`${base()}/app/orders/${orderId}`);
      const widget = page.getByTestId('kassa-order-widget');
      await widget.waitFor({ timeout: 120_000 });
      await widget.getByText('оплачен', { exact: true }).waitFor();
      await widget.getByText('СБП').waitFor();
      await expect(widget.textContent()).resolves.toMatch(/2\s769,00\s₽/);
      await expect(widget.textContent()).resolves.not.toMatch(/SBPPSR|paid|0\.000000/);
      // Seen without scrolling: the widget starts inside the first screen.
      const box = await widget.boundingBox();
      expect(box && box.y < 900).toBe(true);
      await page.screenshot({ path: path.join(shots, 'admin-order-widget-ru.png'), fullPage: false });

      const amount = widget.getByLabel('Сумма возврата');
      await amount.fill('3000');
      await widget.getByText(/Вернуть можно не больше 2\s769,00\s₽/).waitFor();
      await amount.fill('100,50');
      await widget.getByLabel('Комментарий (сохраняется с возвратом)').fill('Покупатель вернул одну вещь');
      await widget.getByRole('button', { name: 'Вернуть…' }).click();
      const prompt = page.getByRole('alertdialog');
      await prompt.getByText(/Вернуть 100,50\s₽\?/).waitFor();
      await page.screenshot({ path: path.join(shots, 'admin-order-refund-confirm-ru.png') });
      await prompt.getByRole('button', { name: 'Вернуть' }).click();
      await widget.getByText('частично возвращён').waitFor({ timeout: 60_000 });
      // The field is cleared: a second click has nothing to send.
      await expect(amount.inputValue()).resolves.toBe('');
      await expect(widget.getByRole('button', { name: 'Вернуть…' }).isDisabled()).resolves.toBe(true);
      await expect(widget.textContent()).resolves.toMatch(/2\s668,50\s₽/);
      // Medusa's own Payments section shows the refund without a reload (its queries were invalidated).
      await page.getByText('Частично возвращен').first().waitFor();
      const state = await shopState(getContainer(), (await cartOf(getContainer(), orderId)) ?? '');
      expect(state.payments[0]?.refunded).toHaveLength(1);
      await page.screenshot({ path: path.join(shots, 'admin-order-after-refund-ru.png'), fullPage: true });
    }

    /** Every invoice with its state in words and a link to its order. */
    async function paymentsPage() {
      await page.goto(`${base()}/app/kassa`);
      const list = page.getByTestId('kassa-payments');
      await list.getByText('Платежи').first().waitFor({ timeout: 120_000 });
      await page.waitForFunction(
        () =>
          document.querySelector('[data-testid=kassa-payment-row]') !== null ||
          document.querySelector('[data-testid=kassa-payments] [role=alert]') !== null,
      );
      await page.screenshot({ path: path.join(shots, 'admin-payments-ru.png'), fullPage: true });
      await list.getByTestId('kassa-payment-row').first().getByText('частично возвращён').waitFor();
      await list.getByRole('link', { name: 'Открыть заказ' }).first().waitFor();
      await expect(list.getByTestId('kassa-payment-row').first().textContent()).resolves.toMatch(/100,50\s₽/);
    }
  },
});

async function cartOf(container: MedusaContainer, orderId: string): Promise<string | undefined> {
  const query = container.resolve('query') as {
    graph(q: object): Promise<{ data: Array<{ cart_id?: string }> }>;
  };
  const { data } = await query.graph({ entity: 'order_cart', fields: ['cart_id'], filters: { order_id: orderId } });
  return data[0]?.cart_id;
}
