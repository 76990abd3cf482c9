import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { demoSecrets, demoSettings, setupFingerprint } from '../scripts/demo-state.mts';

/**
 * `npm run demo` (issue #11 §5): loopback by default, its state under the clone (not a /tmp path every clone
 * shares), random secrets made once per clone, the sandbox's state kept across restarts; and the repo-level
 * promises of §4: the published packages run on Node 22 and 24, and `npm test` leaves package-lock.json alone.
 */

const appDir = path.join(__dirname, '..');
const root = path.join(appDir, '../..');

describe('the demo', () => {
  test('listens on loopback and keeps its state under this clone, git-ignored', () => {
    const s = demoSettings({}, appDir);
    expect(s.host).toBe('127.0.0.1');
    for (const file of [s.pgDir, s.sandboxState, s.secrets]) {
      expect(file.startsWith(path.join(appDir, '.kassa') + path.sep)).toBe(true);
    }
    // git check-ignore prints the paths it ignores.
    const ignored = execFileSync('git', ['check-ignore', s.pgDir, s.sandboxState, s.secrets], { cwd: root });
    expect(ignored.toString().trim().split('\n')).toHaveLength(3);
    expect(demoSettings({ DEMO_HOST: '0.0.0.0' }, appDir).host).toBe('0.0.0.0');
  });

  test('Medusa’s secrets are random per install, made once, kept private, and never «supersecret»', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'm4-demo-'));
    try {
      const a = await demoSecrets(path.join(dir, 'one/secrets.json'));
      const again = await demoSecrets(path.join(dir, 'one/secrets.json'));
      const other = await demoSecrets(path.join(dir, 'two/secrets.json'));
      expect(again).toEqual(a);
      expect(other.jwtSecret).not.toBe(a.jwtSecret);
      expect(a.jwtSecret).not.toBe(a.cookieSecret);
      expect(a.jwtSecret.length).toBeGreaterThanOrEqual(40);
      expect(statSync(path.join(dir, 'one/secrets.json')).mode & 0o077).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const config = readFileSync(path.join(appDir, 'medusa-config.ts'), 'utf8');
    expect(config).not.toContain("'supersecret'");
    const demo = readFileSync(path.join(appDir, 'scripts/demo.mts'), 'utf8');
    expect(demo).toContain('persistPath: settings.sandboxState');
    expect(demo).not.toMatch(/\/tmp\//);
  });

  test('a second start skips migrations and the seed only when nothing they depend on changed', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'm4-demo-fp-'));
    try {
      const files = {
        lockfile: path.join(dir, 'package-lock.json'),
        seed: path.join(dir, 'seed.ts'),
        pluginDir: path.join(dir, 'plugin'),
      };
      const migrations = path.join(dir, 'plugin/.medusa/server/src/modules/robokassa/migrations');
      mkdirSync(migrations, { recursive: true });
      writeFileSync(files.lockfile, '{}');
      writeFileSync(files.seed, 'seed v1');
      writeFileSync(path.join(migrations, 'Migration1.js'), 'm1');
      const first = setupFingerprint(files);
      expect(setupFingerprint(files)).toBe(first);
      writeFileSync(path.join(migrations, 'Migration2.js'), 'm2');
      const withMigration = setupFingerprint(files);
      expect(withMigration).not.toBe(first);
      writeFileSync(files.seed, 'seed v2');
      expect(setupFingerprint(files)).not.toBe(withMigration);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const demo = readFileSync(path.join(appDir, 'scripts/demo.mts'), 'utf8');
    expect(demo).toMatch(/!process\.env\.DATABASE_URL &&\s+embeddedWasThere &&/);
  });
});

describe('install as written', () => {
  test('the published packages support Node 22 LTS and 24 (engines >=22), and CI runs them on Node 22 too', () => {
    for (const dir of ['packages/core', 'packages/sandbox', 'packages/cli', 'plugins/medusa']) {
      const pkg = JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8')) as {
        engines?: { node?: string };
      };
      expect([dir, pkg.engines?.node]).toEqual([dir, '>=22']);
    }
    const run = readFileSync(path.join(root, 'scripts/run.sh'), 'utf8');
    expect(run).toContain('scripts/node22.sh');
    expect(run).toMatch(/--project core --project sandbox --project cli --project medusa/);
  });

  test('npm test puts back the committed package-lock.json when npm install rewrites it', () => {
    const run = readFileSync(path.join(root, 'scripts/run.sh'), 'utf8');
    const install = run.indexOf('npm install --no-audit');
    expect(install).toBeGreaterThan(0);
    expect(run.slice(0, install)).toContain('cp package-lock.json "$lock_before"');
    expect(run.slice(install)).toContain('cp "$lock_before" package-lock.json');
  });
});
