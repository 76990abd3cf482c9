import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { kassa } from './support.js';

interface Vector {
  id: string;
  origin: string;
  inputs: Record<string, string>;
  expected: unknown;
}

/** The public Assist vectors, read from core's test folder (same repository, stable relative path). */
const vectors: Vector[] = JSON.parse(
  readFileSync(new URL('../../core/test/vectors/assist.json', import.meta.url), 'utf8'),
).vectors;
const vector = (id: string): Vector => {
  const v = vectors.find((x) => x.id === id);
  if (!v) throw new Error(`vector ${id} is gone from packages/core/test/vectors/assist.json`);
  return v;
};

/** The formula written out independently of core: UPPER(md5(UPPER(md5(salt) + md5(X)))). */
const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
const checkvalue = (salt: string, x: string) => md5((md5(salt) + md5(x)).toUpperCase()).toUpperCase();

const sign = (...args: string[]) => kassa(['assist', 'sign', ...args]);

describe('kassa assist sign', () => {
  test('the independent formula reproduces the public vector (so it can check the CLI below)', () => {
    const v = vector('assist-payment-checkvalue-semicolon-1');
    expect(v.origin).toBe('public');
    expect(checkvalue(v.inputs.salt as string, v.inputs.X as string)).toBe(v.expected);
  });

  test('concat mode: the legacy no-delimiter vector', async () => {
    const v = vector('assist-payment-checkvalue-legacy-nodelim-derived-1');
    const { salt, Merchant_ID, OrderNumber, OrderAmount, OrderCurrency } = v.inputs as Record<string, string>;
    const run = await sign(
      ...(['--merchant-id', Merchant_ID, '--order-number', OrderNumber, '--amount', OrderAmount] as string[]),
      ...(['--currency', OrderCurrency, '--secret-word', salt, '--checkvalue-mode', 'concat', '--json'] as string[]),
    );
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.checkvalue).toBe(v.expected);
    expect(out.base).toBe(v.inputs.X);
  });

  test('semicolon mode: the CustomerNumber vector', async () => {
    const v = vector('assist-payment-checkvalue-customernumber-derived-1');
    const i = v.inputs as Record<string, string>;
    const run = await sign(
      ...(['--merchant-id', i.Merchant_ID, '--order-number', i.OrderNumber, '--amount', i.OrderAmount] as string[]),
      ...(['--currency', i.OrderCurrency, '--customer-number', i.CustomerNumber, '--secret-word', i.salt] as string[]),
      '--json',
    );
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.checkvalue).toBe(v.expected);
    expect(out.base).toBe(i.X);
  });

  test("semicolon is the default; the public vector's 100.0 is sent and signed as 100.00 with its currency", async () => {
    // The public vector signs "100.0" without a currency (a Ruby float, OrderCurrency left out). Kassa always sends
    // OrderCurrency and two decimals, so the base differs by design; the value follows the same formula.
    const ok = await sign(
      ...['--merchant-id', '111111', '--order-number', '100', '--amount', '100.0', '--secret-word', 'secret'],
      '--json',
    );
    expect(ok.code).toBe(0);
    const out = JSON.parse(ok.stdout);
    expect(out.base).toBe('111111;100;100.00;RUB');
    expect(out.checkvalue).toBe(checkvalue('secret', '111111;100;100.00;RUB'));
  });

  test('--json shape: {url, fields, checkvalue, base}, Checkvalue the last field, URL on the live host', async () => {
    const run = await sign(
      ...['--merchant-id', '111111', '--order-number', 'A-42', '--amount', '1534.50', '--currency', 'RUB'],
      ...['--secret-word', 'secret', '--json'],
    );
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(Object.keys(out).sort()).toEqual(['base', 'checkvalue', 'fields', 'url']);
    expect(out.fields).toEqual([
      { name: 'Merchant_ID', value: '111111' },
      { name: 'OrderNumber', value: 'A-42' },
      { name: 'OrderAmount', value: '1534.50' },
      { name: 'OrderCurrency', value: 'RUB' },
      { name: 'Checkvalue', value: out.checkvalue },
    ]);
    expect(out.checkvalue).toBe(checkvalue('secret', '111111;A-42;1534.50;RUB'));
    const url = new URL(out.url);
    expect(url.origin + url.pathname).toBe('https://payments.paysecure.ru/pay/order.cfm');
    expect(url.searchParams.get('Checkvalue')).toBe(out.checkvalue);
  });

  test('--test and --host pick the host; --region BY defaults to BYN', async () => {
    const common = ['--merchant-id', '1', '--order-number', '1', '--amount', '1', '--secret-word', 's', '--json'];
    const test = JSON.parse((await sign(...common, '--test')).stdout);
    expect(test.url).toMatch(/^https:\/\/payments\.demo\.paysecure\.ru\/pay\/order\.cfm\?/);
    const local = JSON.parse((await sign(...common, '--host', 'http://127.0.0.1:4010/')).stdout);
    expect(local.url).toMatch(/^http:\/\/127\.0\.0\.1:4010\/pay\/order\.cfm\?/);
    const by = JSON.parse((await sign(...common, '--region', 'BY')).stdout);
    expect(by.base).toBe('1;1;1.00;BYN');
  });

  describe('the secret word', () => {
    const saved = process.env.ASSIST_SECRET_WORD;
    afterEach(() => {
      if (saved === undefined) delete process.env.ASSIST_SECRET_WORD;
      else process.env.ASSIST_SECRET_WORD = saved;
    });

    test('human output shows URL, form, checkvalue and the base with the secret masked, never the secret', async () => {
      const run = await sign(
        ...['--merchant-id', '111111', '--order-number', '7', '--amount', '1534.50'],
        ...['--secret-word', 'Sup3rSecretWord', '--checkvalue-mode', 'concat'],
      );
      expect(run.code).toBe(0);
      const expected = checkvalue('Sup3rSecretWord', '11111171534.50RUB');
      expect(run.stdout).toContain('Payment URL (GET):');
      expect(run.stdout).toContain('Form (POST https://payments.paysecure.ru/pay/order.cfm):');
      expect(run.stdout).toContain(`Checkvalue (concat): ${expected}`);
      expect(run.stdout).toContain('Checkvalue base:  11111171534.50RUB');
      expect(run.stdout).toContain('UPPER(md5(UPPER(md5(***) + md5("11111171534.50RUB"))))');
      expect(run.stdout + run.stderr).not.toContain('Sup3rSecretWord');
    });

    test('comes from ASSIST_SECRET_WORD when the flag is absent, and is never printed', async () => {
      process.env.ASSIST_SECRET_WORD = 'EnvSecretWord42';
      const run = await sign('--merchant-id', '111111', '--order-number', '7', '--amount', '10', '--json');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout).checkvalue).toBe(checkvalue('EnvSecretWord42', '111111;7;10.00;RUB'));
      expect(run.stdout + run.stderr).not.toContain('EnvSecretWord42');
    });
  });

  test('bad input exits 2 with a reason that names the flag, never the secret', async () => {
    const base = ['--merchant-id', '111111', '--order-number', '7', '--secret-word', 'Sup3rSecretWord'];
    const runs = await Promise.all([
      sign(...base, '--amount', '100,50'),
      sign(...base, '--amount', '1.005'),
      sign(...base, '--amount', '0'),
      sign(...base, '--amount', '1', '--currency', 'GBP'),
      sign(...base, '--amount', '1', '--checkvalue-mode', 'comma'),
      sign(...base, '--amount', '1', '--host', 'ftp://x'),
      sign('--merchant-id', 'abc', '--order-number', '7', '--amount', '1', '--secret-word', 'Sup3rSecretWord'),
      sign(...base, '--amount', '1', '--bogus'),
      sign('--merchant-id', '1'),
    ]);
    for (const run of runs) {
      expect(run.code).toBe(2);
      expect(run.stdout + run.stderr).not.toContain('Sup3rSecretWord');
    }
    expect(runs[0]?.stderr).toContain('--amount "100,50" is not an amount');
    expect(runs[2]?.stderr).toContain('MONEY_ZERO');
    expect(runs[3]?.stderr).toContain('--currency is one of');
    expect(runs[4]?.stderr).toContain('--checkvalue-mode is semicolon or concat');
    expect(runs[6]?.stderr).toContain('merchantId');
    expect(runs[8]?.stderr).toContain('missing --order-number, --amount, --secret-word');
  });
});
