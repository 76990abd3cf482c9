import { describe, expect, it } from 'vitest';
import { DEMO_ASSIST_MERCHANT, runCli, type Sandbox } from '../src/index.js';
import { billOf } from './assist-helpers.js';
import { postForm } from './helpers.js';

/** The CLI prints Assist's URLs and merchants; the demo shop pays through Assist end to end. */

async function withCli(
  argv: string[],
  body: (info: { sandbox: Sandbox; shopUrl?: string | undefined }) => Promise<void>,
) {
  let out = '';
  let failure: unknown;
  const controller = new AbortController();
  const code = await runCli(argv, {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      out += t;
    },
    signal: controller.signal,
    onReady: (info) => {
      body(info)
        .catch((error: unknown) => {
          failure = error;
        })
        .finally(() => controller.abort());
    },
  });
  if (failure) throw failure;
  return { code, out };
}

describe('kassa-sandbox and Assist', () => {
  it('adds an Assist merchant from flags and prints the URLs to paste, never its secrets', async () => {
    const { code, out } = await withCli(
      [
        '--port',
        '0',
        '--quiet',
        '--assist-merchant',
        '424242',
        '--assist-secret',
        'flag-secret-word',
        '--assist-login',
        'flag_login',
        '--assist-password',
        'flag-password',
        '--assist-mode',
        'concat',
        '--assist-notify-url',
        'http://127.0.0.1:9/assist',
        '--assist-retry-backoff',
        'four-hours',
      ],
      async ({ sandbox }) => {
        expect(sandbox.admin.assist.merchant('424242')).toMatchObject({
          checkvalueMode: 'concat',
          login: 'flag_login',
        });
      },
    );
    expect(code).toBe(0);
    expect(out).toMatch(/payment page\s+http:\/\/127\.0\.0\.1:\d+\/pay\/order\.cfm/);
    expect(out).toMatch(/orderstate\s+http:\/\/127\.0\.0\.1:\d+\/orderstate\/orderstate\.cfm/);
    expect(out).toContain('/recurrent/rp.cfm');
    expect(out).toContain('Assist merchant 424242');
    expect(out).toContain('POST http://127.0.0.1:9/assist');
    expect(out).not.toContain('flag-secret-word');
    expect(out).not.toContain('flag-password');
  });

  it('demo: the shop signs order.cfm, the buyer pays, the verified notification fulfils the order', async () => {
    const { code } = await withCli(['demo', '--port', '0', '--no-persist', '--quiet'], async ({ sandbox, shopUrl }) => {
      expect(sandbox.admin.assist.merchant(DEMO_ASSIST_MERCHANT.merchantId)?.notifyUrl).toBe(
        `${shopUrl}/assist/notify`,
      );
      const checkout = await postForm(`${shopUrl}/assist/checkout`, '');
      expect(checkout.status).toBe(303);
      const location = checkout.headers.get('location') ?? '';
      expect(location.startsWith(`${sandbox.url}/pay/order.cfm?`)).toBe(true);
      const page = await (await fetch(location)).text();
      expect(page).toContain('Демо-магазин Kassa (Assist)');
      const paid = await postForm(
        `${sandbox.url}/pay/sandbox/${billOf(page)}/pay`,
        'method=card&card=4111111111111111',
      );
      const back = paid.headers.get('location') ?? '';
      expect(back.startsWith(`${shopUrl}/assist/ok?billnumber=`)).toBe(true);
      await sandbox.admin.idle();
      expect(await (await fetch(back)).text()).toMatch(/Спасибо! Заказ A-\d+ оплачен/);
      expect(await (await fetch(`${shopUrl}/`)).text()).toContain('уведомление: Approved (VISA)');
    });
    expect(code).toBe(0);
  });
});
