import { describe, expect, it } from 'vitest';
import { MERCHANT, startShop, testSandbox } from './helpers.js';

/** The JSON admin API: zod-validated input, masked secrets, fault injection, paying without a browser. */

const json = (method: string, body?: unknown, headers: Record<string, string> = {}) => ({
  method,
  body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...headers },
});

describe('admin API', () => {
  it('refuses bad merchant input with a fixed 400 body that never echoes a value', async () => {
    const sandbox = await testSandbox();
    const response = await fetch(
      `${sandbox.url}/sandbox/api/merchants`,
      json('POST', { login: 'bad login', password1: 'very-secret-1', algorithm: 'crc32', resultUrl: 'ftp://x' }),
    );
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body).toMatchObject({ error: 'invalid_request', message: 'The request does not match the schema.' });
    expect(body.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'algorithm',
      'login',
      'password2',
      'resultUrl',
    ]);
    expect(JSON.stringify(body)).not.toContain('very-secret-1');
    const notJson = await fetch(`${sandbox.url}/sandbox/api/merchants`, json('POST', '{nope'));
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({
      error: 'invalid_request',
      issues: [{ path: '', message: 'the body is not JSON' }],
    });
  });

  it('answers an unparsable pay URL with the fixed 400 invalid_request, not a 500', async () => {
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT }] });
    const response = await fetch(`${sandbox.url}/sandbox/api/pay`, json('POST', { url: 'http://[::1' }));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'invalid_request',
      message: 'The request does not match the schema.',
      issues: [{ path: 'url', message: 'not a valid URL' }],
    });
    await expect(sandbox.admin.pay({ url: 'http://[::1' })).rejects.toMatchObject({
      name: 'SandboxInputError',
      issues: [{ path: 'url', message: 'not a valid URL' }],
    });
    expect(sandbox.admin.operations()).toEqual([]);
  });

  it('creates, reads (masked), patches and deletes merchants', async () => {
    const sandbox = await testSandbox();
    const base = `${sandbox.url}/sandbox/api/merchants`;
    const created = await fetch(base, json('POST', { ...MERCHANT, login: 'm1' }));
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      login: 'm1',
      algorithm: 'md5',
      password1: '***',
      password2: '***',
      password3: '***',
      testPassword1: '***',
      resultMethod: 'POST',
    });
    expect((await fetch(base, json('POST', { ...MERCHANT, login: 'm1' }))).status).toBe(409);
    const patched = await fetch(`${base}/m1`, json('PATCH', { algorithm: 'sha512', commissionPercent: 3.5 }));
    expect(await patched.json()).toMatchObject({ algorithm: 'sha512', commissionPercent: 3.5 });
    expect((await fetch(`${base}/m1`, json('PATCH', { algorithm: 'crc32' }))).status).toBe(400);
    expect((await fetch(`${base}/m1`, json('PATCH', { testPassword1: null }))).status).toBe(400);
    const put = await fetch(`${base}/m2`, json('PUT', { password1: 'a', password2: 'b' }));
    expect(put.status).toBe(201);
    const list = await (await fetch(base)).text();
    expect(list).not.toContain(MERCHANT.password1);
    expect(JSON.parse(list).map((m: { login: string }) => m.login)).toEqual(['m1', 'm2']);
    expect((await fetch(`${base}/m2`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${base}/m2`)).status).toBe(404);
  });

  it('builds a signed payment URL and pays it over HTTP, reporting the redirect and the delivery', async () => {
    const shop = await startShop();
    const sandbox = await testSandbox({
      merchants: [{ ...MERCHANT, resultUrl: `${shop.url}/r`, successUrl: `${shop.url}/ok` }],
    });
    const link = await (
      await fetch(
        `${sandbox.url}/sandbox/api/payment-url`,
        json('POST', {
          merchant: 'shop',
          outSum: '42.00',
          invId: '900',
          shp: { Shp_cart: '7' },
          receipt: { items: [{ name: 'X', quantity: 1, sum: 42, tax: 'none' }] },
        }),
      )
    ).json();
    expect(link.url).toMatch(new RegExp(`^${sandbox.url}/Merchant/Index\\.aspx\\?`));
    expect(link.url).toContain('Receipt=%257B'); // twice encoded for GET
    expect(link.signatureBase).toBe(
      `shop:42.00:900:${new URLSearchParams([['', JSON.stringify({ items: [{ name: 'X', quantity: 1, sum: 42, tax: 'none' }] })]]).toString().slice(1)}:[Password#1]:Shp_cart=7`,
    );

    const paid = await fetch(`${sandbox.url}/sandbox/api/pay`, json('POST', { url: link.url, method: 'SBPPSR' }));
    expect(paid.status).toBe(200);
    const outcome = await paid.json();
    expect(outcome).toMatchObject({
      ok: true,
      operation: { invId: 900, state: 100, paidWith: { label: 'SBPPSR', group: 'SBP' } },
      redirect: { kind: 'success', method: 'GET' },
      delivery: { outcome: 'delivered', attempts: [{ attempt: 1, outcome: 'ok', status: 200 }] },
    });
    expect(outcome.redirect.location).toMatch(
      new RegExp(`^${shop.url}/ok\\?OutSum=42\\.00&InvId=900&SignatureValue=[0-9A-F]{32}&Culture=ru&Shp_cart=7$`),
    );

    const refused = await fetch(
      `${sandbox.url}/sandbox/api/pay`,
      json('POST', { url: link.url.replace('OutSum=42.00', 'OutSum=43.00') }),
    );
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({
      ok: false,
      reason: 'refused',
      error: { code: 29, message: 'Invalid SignatureValue parameter' },
    });

    const both = await fetch(`${sandbox.url}/sandbox/api/pay`, json('POST', { url: link.url, opId: 'x' }));
    expect(both.status).toBe(400);
    const unknownOp = await fetch(`${sandbox.url}/sandbox/api/pay`, json('POST', { opId: 'nope' }));
    expect(unknownOp.status).toBe(404);
  });

  it('lists operations and notifications with validated filters, and resets', async () => {
    const shop = await startShop();
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT, resultUrl: `${shop.url}/r` }] });
    const link = sandbox.admin.paymentUrl({ merchant: 'shop', outSum: '1', invId: '901' });
    await sandbox.admin.pay({ url: link?.url ?? '' });
    const api = `${sandbox.url}/sandbox/api`;
    expect(await (await fetch(`${api}/operations?merchant=shop&invId=901`)).json()).toHaveLength(1);
    expect((await fetch(`${api}/operations?invId=abc`)).status).toBe(400);
    expect(await (await fetch(`${api}/notifications?kind=ResultURL`)).json()).toMatchObject([
      { invId: 901, outcome: 'ok' },
    ]);
    expect((await fetch(`${api}/idle`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${api}/reset`, { method: 'POST' })).status).toBe(204);
    expect(await (await fetch(`${api}/operations`)).json()).toEqual([]);
    expect(await (await fetch(`${api}/merchants`)).json()).toHaveLength(1);
  });

  it('sets and clears faults per merchant and per invoice over HTTP', async () => {
    const shop = await startShop();
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT, resultUrl: `${shop.url}/r` }] });
    const api = `${sandbox.url}/sandbox/api/merchants/shop`;
    expect((await fetch(`${api}/faults`, json('PUT', { callback: { drop: 'yes' } }))).status).toBe(400);
    expect((await fetch(`${api}/faults`, json('PUT', { callback: { duplicate: 1 } }))).status).toBe(200);
    expect((await fetch(`${api}/invoices/902/faults`, json('PUT', { callback: { drop: true } }))).status).toBe(204);
    const dropped = await sandbox.admin.pay({
      url: sandbox.admin.paymentUrl({ merchant: 'shop', outSum: '1', invId: '902' })?.url ?? '',
    });
    expect(dropped).toMatchObject({ ok: true, delivery: { outcome: 'dropped' } });
    expect((await fetch(`${api}/invoices/902/faults`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${api}/faults`, { method: 'DELETE' })).status).toBe(204);
    await sandbox.admin.pay({
      url: sandbox.admin.paymentUrl({ merchant: 'shop', outSum: '1', invId: '903' })?.url ?? '',
      waitFor: 'delivery',
    });
    expect(shop.received.map((r) => r.params.get('InvId'))).toEqual(['903']);
    expect((await fetch(`${sandbox.url}/sandbox/api/merchants/nobody/faults`, json('PUT', {}))).status).toBe(404);
  });

  it('wants the bearer token when adminToken is set, and then hides the dashboard', async () => {
    const sandbox = await testSandbox({ adminToken: 'tok' });
    expect((await fetch(`${sandbox.url}/sandbox/api/merchants`)).status).toBe(401);
    const ok = await fetch(`${sandbox.url}/sandbox/api/merchants`, { headers: { authorization: 'Bearer tok' } });
    expect(ok.status).toBe(200);
    expect((await fetch(`${sandbox.url}/sandbox`)).status).toBe(403);
  });

  it('shows a dashboard without any password', async () => {
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT }] });
    await sandbox.admin.pay({
      url: sandbox.admin.paymentUrl({ merchant: 'shop', outSum: '1', invId: '904' })?.url ?? '',
    });
    const html = await (await fetch(`${sandbox.url}/sandbox`)).text();
    expect(html).toContain('<td>904</td>');
    for (const secret of [MERCHANT.password1, MERCHANT.password2, MERCHANT.password3, MERCHANT.testPassword1]) {
      expect(html).not.toContain(secret);
    }
  });

  it('refuses invalid options at start with every problem named', async () => {
    const { startSandbox } = await import('../src/index.js');
    await expect(startSandbox({ port: -1, merchants: [{ login: 'x' } as never] })).rejects.toThrow(
      /port[\s\S]*merchants\[0\]\.password1/,
    );
  });
});
