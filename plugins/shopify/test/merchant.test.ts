/** The merchant's side: OAuth install through @shopify/shopify-api, the settings page, credentials at rest, webhooks. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateKeySpec, parseKeyRing } from '../src/crypto.js';
import { fixture, ROBOKASSA, SHOP, startWorld, type World } from './harness.js';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36';
let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.stop();
});

class Browser {
  readonly cookies = new Map<string, string>();
  async go(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('user-agent', UA);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const c of response.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = (pair as string).indexOf('=');
      this.cookies.set((pair as string).slice(0, eq), (pair as string).slice(eq + 1));
    }
    return response;
  }
}

describe('install and settings', () => {
  const browser = new Browser();
  test("OAuth: /auth → the shop's consent → HMAC'ed callback → offline token stored → settings page", async () => {
    const begin = await browser.go(`${world.app.url}/auth?shop=${SHOP}`);
    expect(begin.status).toBe(302);
    const authorize = begin.headers.get('location') as string;
    expect(authorize).toContain(`/store/${SHOP}/admin/oauth/authorize`);
    const consent = await browser.go(authorize);
    expect(consent.status).toBe(302);
    const callback = await browser.go(consent.headers.get('location') as string);
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe(`${world.app.url}/settings?shop=${SHOP}`);
    const session = await world.app.app.sessions.loadSession(`offline_${SHOP}`);
    expect(session?.accessToken).toMatch(/^shpat_/);
    expect(session?.isOnline).toBe(false);
    const page = await browser.go(`${world.app.url}/settings?shop=${SHOP}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Kassa payments for');
  });

  test('a tampered callback (bad HMAC) is refused', async () => {
    const other = new Browser();
    const begin = await other.go(`${world.app.url}/auth?shop=${SHOP}`);
    const consent = await other.go(begin.headers.get('location') as string);
    const url = new URL(consent.headers.get('location') as string);
    url.searchParams.set('hmac', '0'.repeat(64));
    expect((await other.go(url.toString())).status).toBe(400);
  });

  test('settings: wrong credentials are not saved; right ones are checked, encrypted, masked and make the app ready', async () => {
    const page = await browser.go(`${world.app.url}/settings?shop=${SHOP}`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] as string;
    const form = (values: Record<string, string>) =>
      browser.go(`${world.app.url}/settings?shop=${SHOP}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          csrf,
          gateway: 'robokassa',
          algorithm: 'md5',
          country: 'RU',
          baseUrl: world.sandbox.url,
          ...values,
        }).toString(),
      });
    const wrong = await form({
      login: ROBOKASSA.login,
      password1: ROBOKASSA.password1,
      password2: 'nope',
      action: 'save',
    });
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain('wrong_secret');
    expect(await world.app.app.shops.get(SHOP)).toBeUndefined();

    const ok = await form({
      login: ROBOKASSA.login,
      password1: ROBOKASSA.password1,
      password2: ROBOKASSA.password2,
      password3: ROBOKASSA.password3,
      testPassword1: ROBOKASSA.testPassword1,
      testPassword2: ROBOKASSA.testPassword2,
      action: 'save',
    });
    const html = await ok.text();
    expect(ok.status).toBe(200);
    expect(html).toContain('Saved.');
    expect(world.emulator.configurations.get(SHOP)).toEqual({
      externalHandle: `robokassa:${ROBOKASSA.login}`,
      ready: true,
    });
    for (const secret of Object.values(ROBOKASSA).filter((v) => v !== ROBOKASSA.login)) {
      expect(html).not.toContain(secret);
    }
    const raw = (await world.app.app.shops.rawSettings(SHOP)) as string;
    expect(raw.startsWith('v1.k1.')).toBe(true);
    expect(raw).not.toContain(ROBOKASSA.password2);
    expect((await world.app.app.shops.get(SHOP))?.settings).toMatchObject({ password2: ROBOKASSA.password2 });

    // Saving again with the secret fields empty keeps them.
    const again = await form({ login: ROBOKASSA.login, action: 'save' });
    expect(again.status).toBe(200);
    expect((await world.app.app.shops.get(SHOP))?.settings).toMatchObject({
      password1: ROBOKASSA.password1,
      password3: ROBOKASSA.password3,
    });

    // Robokassa's ResultUrl2 certificate (public): not a PEM → 422, nothing changes; the real one is kept and shown.
    const bad = await form({ login: ROBOKASSA.login, resultUrl2Certificate: 'not a certificate', action: 'save' });
    expect(bad.status).toBe(422);
    await bad.body?.cancel();
    expect((await world.app.app.shops.get(SHOP))?.settings).not.toHaveProperty('resultUrl2Certificate');
    const certificate = await world.sandbox.admin.certificatePem();
    const withCert = await form({ login: ROBOKASSA.login, resultUrl2Certificate: certificate, action: 'save' });
    expect(withCert.status).toBe(200);
    expect(await withCert.text()).toContain('-----BEGIN CERTIFICATE-----');
    expect((await world.app.app.shops.get(SHOP))?.settings).toMatchObject({
      resultUrl2Certificate: certificate.trim(),
    });
  });

  test('a forged settings post (no csrf, or no cookie) changes nothing', async () => {
    const stranger = new Browser();
    const response = await stranger.go(`${world.app.url}/settings?shop=${SHOP}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'gateway=robokassa&login=evil',
    });
    expect(response.status).toBe(401);
    const noCsrf = await browser.go(`${world.app.url}/settings?shop=${SHOP}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'gateway=robokassa&login=evil&action=save',
    });
    expect(noCsrf.status).toBe(403);
  });

  test('key rotation: a new primary key, rotate() re-encrypts, the old key can then go', async () => {
    const before = (await world.app.app.shops.rawSettings(SHOP)) as string;
    const newKeys = `${generateKeySpec('k2')},${world.keys}`;
    await world.restartApp({ encryptionKeys: newKeys });
    expect((await world.app.app.shops.get(SHOP))?.settings).toMatchObject({ password2: ROBOKASSA.password2 });
    expect(await world.app.app.shops.rotate()).toBe(1);
    const after = (await world.app.app.shops.rawSettings(SHOP)) as string;
    expect(after.startsWith('v1.k2.')).toBe(true);
    expect(after).not.toBe(before);
    await world.restartApp({ encryptionKeys: newKeys.split(',')[0] as string });
    expect((await world.app.app.shops.get(SHOP))?.settings).toMatchObject({ password2: ROBOKASSA.password2 });
  });
});

describe('crypto', () => {
  test('AES-256-GCM: bound to the shop, tamper-evident, unknown key named', () => {
    const ring = parseKeyRing(generateKeySpec('a'));
    const env = ring.encrypt('{"x":1}', 'a.myshopify.com');
    expect(ring.decrypt(env, 'a.myshopify.com')).toBe('{"x":1}');
    expect(() => ring.decrypt(env, 'b.myshopify.com')).toThrow(/do not decrypt/);
    const parts = env.split('.');
    parts[3] = `${(parts[3] as string).slice(0, -2)}AA`;
    expect(() => ring.decrypt(parts.join('.'), 'a.myshopify.com')).toThrow(/do not decrypt/);
    expect(() => parseKeyRing(generateKeySpec('b')).decrypt(env, 'a.myshopify.com')).toThrow(/Key a is not/);
    expect(() => parseKeyRing('k:short')).toThrow(/32 bytes/);
  });
});

describe('webhooks', () => {
  const gdpr = JSON.parse(fixture('gdpr_webhooks.json')) as Record<string, Record<string, unknown>>;
  test('a bad HMAC → 401 on every topic; nothing changes', async () => {
    for (const topic of ['customers/data_request', 'customers/redact', 'shop/redact', 'app/uninstalled']) {
      expect(await world.emulator.sendWebhook(topic, SHOP, { shop_domain: SHOP }, { badHmac: true })).toBe(401);
    }
    expect(await world.app.app.shops.get(SHOP)).toBeDefined();
  });

  test('customers/data_request and customers/redact act on the payment sessions holding that customer', async () => {
    const body = world.emulator.newPaymentBody({
      shop: SHOP,
      amount: '9.00',
      currency: 'RUB',
      test: true,
      customer: { email: 'john@example.com', phone_number: '555-625-1199' },
    });
    expect((await world.emulator.startPayment(body, { shop: SHOP })).ok).toBe(true);
    expect(
      await world.emulator.sendWebhook('customers/data_request', SHOP, {
        ...gdpr['customers/data_request'],
        shop_domain: SHOP,
      }),
    ).toBe(200);
    expect(
      await world.emulator.sendWebhook('customers/redact', SHOP, { ...gdpr['customers/redact'], shop_domain: SHOP }),
    ).toBe(200);
    const [row] = await world.app.app.db.client.query<{ customer: unknown }>(
      'select customer from kassa_shopify_payment where id = ?',
      [body.id],
    );
    expect(row?.customer).toBeNull();
  });

  test("app/uninstalled drops the token and stops payments; shop/redact deletes the shop's data", async () => {
    expect(await world.emulator.sendWebhook('app/uninstalled', SHOP, { id: 1, domain: SHOP })).toBe(200);
    expect(await world.app.app.sessions.findSessionsByShop(SHOP)).toEqual([]);
    const refused = await world.emulator.startPayment(
      world.emulator.newPaymentBody({ shop: SHOP, amount: '1.00', currency: 'RUB' }),
      { shop: SHOP, attempts: 1, force: true },
    );
    expect(refused.statuses).toEqual([403]);
    expect(await world.emulator.sendWebhook('shop/redact', SHOP, { ...gdpr['shop/redact'], shop_domain: SHOP })).toBe(
      200,
    );
    expect(await world.app.app.shops.get(SHOP)).toBeUndefined();
    const rows = await world.app.app.db.client.query('select id from kassa_shopify_payment where shop = ?', [SHOP]);
    expect(rows).toEqual([]);
    world.emulator.violations.splice(0); // the refused session above was sent to a not-ready shop on purpose
  });
});
