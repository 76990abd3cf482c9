import { describe, expect, it } from 'vitest';
import { DEMO_MERCHANT, runCli, type Sandbox } from '../src/index.js';
import { opIdOf, postForm } from './helpers.js';

/** `kassa-sandbox` as a function: flags, the printed URLs, and the demo's whole payment loop over HTTP. */

function capture() {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: (t: string) => {
        out += t;
      },
      stderr: (t: string) => {
        err += t;
      },
    },
    out: () => out,
    err: () => err,
  };
}

/** Runs the CLI until `body` is done with the running sandbox, then stops it like Ctrl-C would. */
async function withCli(
  argv: string[],
  body: (info: { sandbox: Sandbox; shopUrl?: string | undefined }) => Promise<void>,
) {
  const c = capture();
  const controller = new AbortController();
  let failure: unknown;
  const code = await runCli(argv, {
    ...c.io,
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
  return { code, out: c.out(), err: c.err() };
}

describe('kassa-sandbox CLI', () => {
  it('prints usage for help and refuses unknown flags and commands with code 2', async () => {
    const help = capture();
    expect(await runCli(['help'], help.io)).toBe(0);
    expect(help.out()).toContain('kassa-sandbox demo');
    const bad = capture();
    expect(await runCli(['--nope'], bad.io)).toBe(2);
    expect(bad.err()).toContain("Unknown option '--nope'");
    expect(await runCli(['launch'], capture().io)).toBe(2);
    const badMethod = capture();
    expect(await runCli(['--merchant', 'm', '--result-method', 'PUT', '--port', '0'], badMethod.io)).toBe(2);
    expect(badMethod.err()).toContain('resultMethod');
  });

  it('starts with a merchant from flags, prints the URLs to paste and no password, and stops on the signal', async () => {
    const { code, out } = await withCli(
      [
        '--port',
        '0',
        '--quiet',
        '--merchant',
        'm1',
        '--password1',
        'cli-secret-1',
        '--password2',
        'cli-secret-2',
        '--result-url',
        'http://127.0.0.1:9/result',
        '--algorithm',
        'sha256',
      ],
      async ({ sandbox }) => {
        expect(sandbox.admin.merchant('m1')).toMatchObject({
          algorithm: 'sha256',
          resultUrl: 'http://127.0.0.1:9/result',
        });
      },
    );
    expect(code).toBe(0);
    expect(out).toMatch(/payment page\s+http:\/\/127\.0\.0\.1:\d+\/Merchant\/Index\.aspx/);
    expect(out).toMatch(/XML interface\s+http:\/\/127\.0\.0\.1:\d+\/Merchant\/WebService\/Service\.asmx/);
    expect(out).toMatch(/ResultURL\s+POST http:\/\/127\.0\.0\.1:9\/result/);
    expect(out).toContain('passwords not printed');
    expect(out).not.toContain('cli-secret');
    expect(out).toContain('Press Ctrl-C to stop.');
  });

  it('demo: the shop sends the buyer to the sandbox, the buyer pays, ResultURL fulfils the order, SuccessURL thanks', async () => {
    const { code, out } = await withCli(
      ['demo', '--port', '0', '--no-persist', '--quiet'],
      async ({ sandbox, shopUrl }) => {
        expect(shopUrl).toBeDefined();
        expect(sandbox.admin.merchant(DEMO_MERCHANT.login)?.resultUrl).toBe(`${shopUrl}/robokassa/result`);
        const checkout = await postForm(`${shopUrl}/checkout`, '');
        expect(checkout.status).toBe(303);
        const paymentUrl = checkout.headers.get('location') ?? '';
        expect(paymentUrl.startsWith(`${sandbox.url}/Merchant/Index.aspx?`)).toBe(true);
        const page = await (await fetch(paymentUrl)).text();
        expect(page).toContain('Демо-магазин Kassa');
        expect(page).toContain('1\u00a0500.00\u00a0₽');
        const opId = opIdOf(page) ?? '';
        const paid = await postForm(
          `${sandbox.url}/Merchant/Sandbox/${opId}/pay`,
          'method=BankCardPSR&email=buyer%40example.ru',
        );
        const success = paid.headers.get('location') ?? '';
        expect(success.startsWith(`${shopUrl}/robokassa/success?`)).toBe(true);
        const thanks = await (await fetch(success)).text();
        expect(thanks).toMatch(/Спасибо! Заказ №\d+ оплачен/);
        const home = await (await fetch(`${shopUrl}/`)).text();
        expect(home).toContain('ResultURL: оплачено через BankCardPSR, комиссия 58.500000');

        const declined = await (
          await fetch((await postForm(`${shopUrl}/checkout`, 'test=1')).headers.get('location') ?? '')
        ).text();
        expect(declined).toContain('тестовый платёж');
        const back = await postForm(`${sandbox.url}/Merchant/Sandbox/${opIdOf(declined)}/decline`, '');
        expect(await (await fetch(back.headers.get('location') ?? '')).text()).toContain('Оплата не завершена');
      },
    );
    expect(code).toBe(0);
    expect(out).toMatch(/Demo shop: open http:\/\/127\.0\.0\.1:\d+ and press "Pay"/);
    expect(out).toContain('Merchant "demo"');
  });

  it('says so when the port is taken', async () => {
    await withCli(['--port', '0', '--quiet'], async ({ sandbox }) => {
      const taken = capture();
      expect(await runCli(['--port', String(sandbox.port), '--quiet'], taken.io)).toBe(1);
      expect(taken.err()).toContain('Try --port 0');
    });
  });
});
