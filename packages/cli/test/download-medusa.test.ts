import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runCli } from '../src/main.js';

/**
 * `kassa download medusa --out DIR` (issue #11 §4): the packed @kassa/core and @kassa/medusa, and the one install
 * line. Proven by running that line in a fresh project: the plugin pins @kassa/core exactly, and with both
 * tarballs in one `npm install` the pin is met (the plugin's Medusa peers are the app's own, left out here).
 */
test('kassa download medusa --out DIR writes both tarballs and an install line that works', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'm4-dl-medusa-'));
  try {
    const out: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t), readStdin: async () => '' };
    expect(await runCli(['download', 'medusa', '--out', join(dir, 'kassa')], io)).toBe(0);
    const text = out.join('');
    const manifest = (file: string) =>
      JSON.parse(execFileSync('tar', ['-xzOf', file, 'package/package.json'], { encoding: 'utf8' })) as {
        name: string;
        version: string;
        dependencies: Record<string, string>;
      };
    const version = (pkg: string) =>
      (JSON.parse(readFileSync(join(__dirname, '../..', pkg, 'package.json'), 'utf8')) as { version: string }).version;
    const core = join(dir, 'kassa', `kassa-core-${version('core')}.tgz`);
    const medusa = join(dir, 'kassa', `kassa-medusa-${version('../plugins/medusa')}.tgz`);
    expect(manifest(core).name).toBe('@kassa/core');
    expect(manifest(medusa).name).toBe('@kassa/medusa');
    expect(manifest(medusa).dependencies['@kassa/core']).toBe(manifest(core).version);
    const listing = execFileSync('tar', ['-tzf', medusa], { encoding: 'utf8' });
    expect(listing).toContain('package/.medusa/server/src/providers/robokassa/index.js');
    expect(listing).toContain('package/README.md');

    const line = /^\s*npm install (.+)$/m.exec(text)?.[1];
    expect(line?.split(' ')).toEqual([core, medusa]);

    const shop = join(dir, 'shop');
    execFileSync('mkdir', ['-p', shop]);
    writeFileSync(join(shop, 'package.json'), JSON.stringify({ name: 'shop', private: true }));
    execFileSync(
      'npm',
      ['install', ...(line ?? '').split(' '), '--ignore-scripts', '--legacy-peer-deps', '--no-audit', '--no-fund'],
      { cwd: shop, stdio: 'pipe', env: { ...process.env, npm_config_prefer_offline: 'true' } },
    );
    const installed = (name: string) =>
      JSON.parse(readFileSync(join(shop, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
    expect(installed('@kassa/core').version).toBe(version('core'));
    expect(installed('@kassa/medusa').version).toBe(version('../plugins/medusa'));

    expect(await runCli(['download', 'medusa'], io)).toBe(2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);
