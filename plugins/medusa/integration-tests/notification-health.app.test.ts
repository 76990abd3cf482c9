import { type Sandbox, startSandbox } from '@kassa/sandbox';
import { adminHeaders } from './support/admin';
import { payInSandbox, startCheckout } from './support/checkout';
import { PROVIDERS } from './support/merchant';
import { shopSuite } from './support/suite';

/**
 * Issue #11 §1 "no payment is invisible", the notification side: every ResultURL call is journalled with core's
 * outcome, and GET /admin/kassa/payments reports per gateway when the last one arrived and how many were refused
 * in the last 24 hours — what the admin's Payments page shows as notification health.
 */

const sandbox: Sandbox = await startSandbox({ retryBackoffMs: 50, callbackTimeoutMs: 30_000 });
process.env.ROBOKASSA_BASE_URL = sandbox.url;
afterAll(() => sandbox.stop());

shopSuite({ sandbox, dbName: 'h_notification_health' }, (t) => {
  const { api, getContainer } = t;

  test('after a paid notification and a tampered one: last received now, one failure in 24 h', async () => {
    const admin = await adminHeaders(api, getContainer());

    const fresh = await api.get('/admin/kassa/payments', admin);
    expect(fresh.data.health.robokassa).toEqual({ last_received_at: null, last_ok_at: null, failures_24h: 0 });
    // The test app configures Assist too: it gets its own entry.
    expect(fresh.data.health.assist).toEqual({ last_received_at: null, last_ok_at: null, failures_24h: 0 });

    const before = Date.now();
    const checkout = await startCheckout(api, t.shop, PROVIDERS.capture);
    const paid = await payInSandbox(sandbox, checkout, { method: 'BankCardPSR' });
    expect(paid.delivery.attempts.map((a) => a.bodyExcerpt)).toEqual([`OK${checkout.data.inv_id}`]);

    // The same invoice and amount with a forged signature: refused, and the refusal is journalled.
    const outSum = checkout.data.form.fields.find((f) => f.name === 'OutSum')?.value ?? '';
    const tampered = await api.post(
      '/robokassa/result',
      `OutSum=${outSum}&InvId=${checkout.data.inv_id}&SignatureValue=${'0'.repeat(64)}`,
      {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        validateStatus: () => true,
      },
    );
    expect(tampered.status).toBe(400);
    const after = Date.now();

    const { data } = await api.get('/admin/kassa/payments', admin);
    const health = data.health.robokassa;
    expect(health.failures_24h).toBe(1);
    const last = Date.parse(health.last_received_at);
    const lastOk = Date.parse(health.last_ok_at);
    expect(last).toBeGreaterThanOrEqual(before);
    expect(last).toBeLessThanOrEqual(after);
    // The last OK is the paid notification, which came before the tampered one.
    expect(lastOk).toBeGreaterThanOrEqual(before);
    expect(lastOk).toBeLessThanOrEqual(last);
    expect(data.health.assist.last_received_at).toBeNull();
    // Filters narrow the payments, never the health.
    const filtered = await api.get('/admin/kassa/payments?state=refunded', admin);
    expect(filtered.data.health.robokassa).toEqual(health);
  });
});
