import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { kassa } from './support.js';

const base = ['robokassa', 'sign', '--login', 'login', '--password1', 'p1', '--inv-id', '9', '--description', 'test'];

describe('kassa robokassa sign', () => {
  test('reproduces the official SDK vector (Shp value urlencoded before signing)', async () => {
    const run = await kassa([...base, '--out-sum', '5', '--shp', 'order=abc 1', '--json']);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.signature).toBe('46e153d00db13ba3848be7d08f1cf62f');
    expect(out.base).toBe('login:5:9:***:Shp_order=abc+1');
    expect(out.fields).toEqual(expect.arrayContaining([{ name: 'Shp_order', value: 'abc+1' }]));
    expect(out.url).toMatch(/^https:\/\/auth\.robokassa\.ru\/Merchant\/Index\.aspx\?/);
    expect(new URL(out.url).searchParams.get('Shp_order')).toBe('abc+1');
  });

  test.each([
    ['md5', 'dff7f18d5df8a35d4b1591e2a423cca7'],
    ['sha256', '6654c7df578e3905aa780f99c0cf9f01ccb390148d5291df5a5840f41b967e44'],
  ])('--algorithm %s pins the sdk-php algorithm table', async (algorithm, expected) => {
    const run = await kassa([
      'robokassa',
      'sign',
      '--login',
      'login',
      '--password1',
      'p1',
      '--out-sum',
      '10',
      '--inv-id',
      '20',
      '--description',
      'x',
      '--algorithm',
      algorithm,
      '--json',
    ]);
    expect(JSON.parse(run.stdout).signature).toBe(expected);
  });

  test('human output shows the URL, the form and the masked base, never the password', async () => {
    const run = await kassa([
      ...base,
      '--out-sum',
      '1500.00',
      '--password1',
      'Sup3rSecretPass',
      '--test',
      '--culture',
      'ru',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Payment URL (GET):');
    expect(run.stdout).toContain('IsTest');
    expect(run.stdout).toContain('Signature base:  login:1500.00:9:***');
    expect(run.stdout + run.stderr).not.toContain('Sup3rSecretPass');
  });

  test('a receipt file is validated, signed urlencoded once and double-encoded in the URL', async () => {
    const file = join(tmpdir(), `kassa-receipt-${process.pid}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        items: [
          {
            name: 'Товар',
            quantity: 1,
            sum: '1500.00',
            tax: 'vat22',
            payment_method: 'full_payment',
            payment_object: 'commodity',
          },
        ],
      }),
    );
    const run = await kassa([...base, '--out-sum', '1500.00', '--receipt', file, '--json']);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.base).toMatch(/^login:1500\.00:9:%7B%22items%22.*:\*\*\*$/);
    expect(out.url).toContain('Receipt=%257B');
  });

  test('bad input exits 2 with a typed reason', async () => {
    const tooLong = await kassa([...base.slice(0, -1), 'x'.repeat(101), '--out-sum', '1']);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toContain('DESCRIPTION_TOO_LONG');
    const float = await kassa([...base, '--out-sum', '1.005']);
    expect(float.code).toBe(2);
    expect(float.stderr).toContain('MONEY_TOO_PRECISE');
    const missing = await kassa(['robokassa', 'sign', '--login', 'x']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing --password1, --out-sum, --inv-id, --description/);
    const unknown = await kassa([...base, '--out-sum', '1', '--bogus']);
    expect(unknown.code).toBe(2);
  });
});
