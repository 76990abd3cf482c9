/**
 * The PHP plugin's CI checks, run with the package's tests (so by `npm test`): `php -l` over every PHP file, and
 * PHP_CodeSniffer with `php/phpcs.xml`. The WordPress Coding Standards are not installable here (neither Debian nor npm
 * ships them, Composer cannot reach Packagist), so the ruleset is built from the sniffs Debian's php-codesniffer ships
 * (scripts/system-deps.sh installs it); a seeded bad file proves the ruleset bites.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { pluginSourceDir } from '../../src/zip.js';

const run = promisify(execFile);
const PHP_DIR = join(pluginSourceDir(), '..');
const RULESET = join(PHP_DIR, 'phpcs.xml');

function phpFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.php'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

describe('PHP plugin checks', () => {
  const files = phpFiles(pluginSourceDir());

  test('php -l: every PHP file parses', async () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
    const results = await Promise.all(files.map((f) => run('php', ['-l', f]).then((r) => r.stdout)));
    for (const out of results) expect(out).toMatch(/^No syntax errors detected/);
  });

  test('phpcs with the plugin ruleset: no errors, no warnings', async () => {
    const phpcs = await run('phpcs', ['--version']).catch(() => undefined);
    if (!phpcs) throw new Error('phpcs is missing: bash scripts/system-deps.sh installs Debian php-codesniffer');
    const result = await run('phpcs', [`--standard=${RULESET}`, '--report=full', '-q', pluginSourceDir()], {
      cwd: PHP_DIR,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }));
    expect(result.stdout).toBe('');
  });

  test('the ruleset bites: a file with WordPress-style faults is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kassa-phpcs-'));
    try {
      const bad = join(dir, 'bad.php');
      writeFileSync(bad, '<?php\nfunction f($a) {\n    $x = [1, 2];\n    eval($a);\n    return @$x[0];\n}\n');
      const out = await run('phpcs', [`--standard=${RULESET}`, '--report=source', '-q', bad])
        .then(() => '')
        .catch((error: { stdout?: string }) => error.stdout ?? '');
      for (const sniff of [
        'Generic.WhiteSpace.DisallowSpaceIndent',
        'Generic.Arrays.DisallowShortArraySyntax',
        'Squiz.PHP.Eval',
        'Generic.PHP.NoSilencedErrors',
        'Squiz.Commenting.FunctionComment',
      ]) {
        expect(out).toContain(sniff.split('.').slice(0, 2).join('.'));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
