import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runCli } from '../src/main.js';

test('kassa download woocommerce --out DIR writes the plugin zip and the bridge settings', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-dl-'));
  try {
    const out: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t), readStdin: async () => '' };
    expect(await runCli(['download', 'woocommerce', '--out', dir], io)).toBe(0);
    const listing = execFileSync('unzip', ['-l', join(dir, 'kassa-woocommerce.zip')], { encoding: 'utf8' });
    expect(listing).toContain('kassa-woocommerce/kassa-woocommerce.php');
    expect(listing).toContain('kassa-woocommerce/assets/blocks.js');
    expect(readFileSync(join(dir, 'bridge.env.example'), 'utf8')).toContain('KASSA_WC_SECRET=');
    expect(await runCli(['download', 'woocommerce'], io)).toBe(2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
