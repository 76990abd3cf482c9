/** `kassa download shopify`: the deployable copy, and the TOMLs pinned to the version the app is validated against. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { writeDeployableApp } from '../src/download.js';
import { EnvError, readServerEnv } from '../src/env.js';
import { PAYMENTS_API_VERSION } from '../src/payments-api.js';
import { SUPPORTED_VERSIONS } from './emulator/emulator.js';

describe('kassa download shopify', () => {
  test('writes the TOMLs, env and README with the app URL filled in', () => {
    const out = mkdtempSync(join(tmpdir(), 'kassa-dl-'));
    const files = writeDeployableApp({ out, appUrl: 'https://pay.example.kz/', apiKey: 'abc123' });
    expect(files).toEqual([
      '.env.example',
      'README.md',
      'extensions/kassa-offsite/shopify.extension.toml',
      'package.json',
      'shopify.app.toml',
    ]);
    const app = readFileSync(join(out, 'shopify.app.toml'), 'utf8');
    const ext = readFileSync(join(out, 'extensions/kassa-offsite/shopify.extension.toml'), 'utf8');
    expect(app).not.toContain('{{');
    expect(ext).not.toContain('{{');
    expect(app).toContain('client_id = "abc123"');
    expect(app).toMatch(/^embedded = false$/m);
    expect(app).toContain('compliance_topics = ["customers/data_request", "customers/redact", "shop/redact"]');
    expect(app).toContain(`api_version = "${PAYMENTS_API_VERSION}"`);
    expect(ext).toContain(`api_version = "${PAYMENTS_API_VERSION}"`);
    for (const kind of ['payment', 'refund', 'capture', 'void']) {
      expect(ext).toContain(`${kind}_session_url = "https://pay.example.kz/shopify/${kind}_session"`);
    }
    expect(ext).toContain('target = "payments.offsite.render"');
    expect(ext).toMatch(/test_mode_available = true/);
    // Names Shopify accepts (activemerchant/payment_icons); it has no robokassa, mir or sbp.
    const methods = JSON.parse(/supported_payment_methods = (\[.*\])/.exec(ext)?.[1] ?? '[]') as string[];
    expect(methods.every((m) => ['visa', 'master', 'maestro', 'american_express', 'unionpay', 'jcb'].includes(m))).toBe(
      true,
    );
    // The newest version in the published schema this repo carries.
    expect(
      Object.keys(SUPPORTED_VERSIONS)
        .filter((v) => v !== 'unstable')
        .sort()
        .at(-1),
    ).toBe(PAYMENTS_API_VERSION);
  });

  test('the server names every missing setting at start-up', () => {
    expect(() => readServerEnv({})).toThrow(EnvError);
    try {
      readServerEnv({ SHOPIFY_API_KEY: 'k' });
    } catch (error) {
      expect((error as Error).message).toContain('SHOPIFY_API_SECRET');
      expect((error as Error).message).toContain('KASSA_APP_URL');
      expect((error as Error).message).toContain('KASSA_SHOPIFY_KEYS');
    }
  });
});
