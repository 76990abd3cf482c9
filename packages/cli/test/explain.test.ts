import { describe, expect, test } from 'vitest';
import { kassa } from './support.js';

describe('kassa robokassa explain', () => {
  test('explains error 29 with its five usual causes', async () => {
    const run = await kassa(['robokassa', 'explain', '29']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Robokassa error 29: wrong SignatureValue/);
    expect(run.stdout).toContain('  5. ');
    const json = JSON.parse((await kassa(['robokassa', 'explain', '26', '--json'])).stdout);
    expect(json.code).toBe(26);
    expect(json.causes[0]).toContain('cabinet login');
  });

  test('an unknown or missing code is a usage error', async () => {
    expect((await kassa(['robokassa', 'explain', '99'])).code).toBe(2);
    expect((await kassa(['robokassa', 'explain'])).code).toBe(2);
  });
});

describe('kassa sandbox', () => {
  test('delegates to the sandbox CLI (its help lists the demo)', async () => {
    const run = await kassa(['sandbox', 'help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('kassa-sandbox demo');
  });
});
