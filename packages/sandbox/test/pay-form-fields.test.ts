import { describe, expect, it } from 'vitest';
import { MERCHANT, startShop, testSandbox } from './helpers.js';

/**
 * `POST /sandbox/api/pay` takes a payment exactly as a plugin hands it to the storefront: @kassa/medusa's
 * `session.data.form.fields` is a list of `{ name, value }` (issue #11 §4).
 */
describe('pay with a form’s fields', () => {
  it('accepts [{ name, value }] as posted by a form and pays', async () => {
    const shop = await startShop();
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT, resultUrl: `${shop.url}/r` }] });
    const link = sandbox.admin.paymentUrl({ merchant: 'shop', outSum: '1534.50', invId: '931' });
    const fields = [...new URL(link?.url ?? '').searchParams].map(([name, value]) => ({ name, value }));
    const response = await fetch(`${sandbox.url}/sandbox/api/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ params: fields, waitFor: 'delivery' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true });
    expect(shop.received.map((r) => r.params.get('InvId'))).toEqual(['931']);
    const bad = await fetch(`${sandbox.url}/sandbox/api/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ params: [{ name: 'OutSum' }] }),
    });
    expect(bad.status).toBe(400);
  });
});
