import { type Sandbox, startSandbox } from '@kassa/sandbox';
import { adminHeaders as adminOf } from './support/admin';
import { payInSandbox, secondTab, shopState, startCheckout } from './support/checkout';
import { PROVIDERS } from './support/merchant';
import { shopSuite } from './support/suite';

/**
 * Issue #11 §1 on a real Medusa + PostgreSQL + the sandbox over HTTP: a payment on any invoice the shop ever issued
 * is accounted for (a superseded invoice paid first completes the order, the newer one paid after is refunded as a
 * surplus and listed), the admin refresh finishes a paid invoice Medusa has no order for, and the callback routes
 * answer bad bodies with the plugin's fixed 4xx, not Medusa's parser.
 */

const sandbox: Sandbox = await startSandbox({ retryBackoffMs: 50, callbackTimeoutMs: 30_000 });
process.env.ROBOKASSA_BASE_URL = sandbox.url;
afterAll(() => sandbox.stop());

shopSuite({ sandbox }, (t) => {
  const { api, getContainer } = t;
  const invoice = (invId: number | string) => t.record('robokassa', invId);
  const raw = { validateStatus: () => true, transformResponse: (body: unknown) => body };

  const adminHeaders = () => adminOf(api, getContainer());

  test('two tabs: the older (superseded) invoice paid first makes the one order; the newer one paid after is refunded as a surplus and listed', async () => {
    const first = await startCheckout(api, t.shop, PROVIDERS.capture);
    const second = await secondTab(api, getContainer(), t.shop, first, PROVIDERS.capture);
    expect(second.data.inv_id).not.toBe(first.data.inv_id);
    expect((await invoice(first.data.inv_id))?.state).toBe('cancelled');

    const older = await payInSandbox(sandbox, first, { method: 'BankCardPSR' });
    expect(older.delivery.outcome).toBe('delivered');
    expect(older.delivery.attempts.map((a) => a.bodyExcerpt)).toEqual([`OK${first.data.inv_id}`]);
    const afterFirst = await shopState(getContainer(), first.cartId);
    expect(afterFirst.orderIds).toHaveLength(1);
    expect((await invoice(first.data.inv_id))?.state).toBe('paid');

    const newer = await payInSandbox(sandbox, second, { method: 'BankCardPSR' });
    expect(newer.delivery.attempts.map((a) => a.bodyExcerpt)).toEqual([`OK${second.data.inv_id}`]);
    const state = await shopState(getContainer(), first.cartId);
    expect(state.orderIds).toEqual(afterFirst.orderIds);
    expect(state.payments.filter((p) => p.captured)).toHaveLength(1);
    const surplus = await invoice(second.data.inv_id);
    expect(surplus).toMatchObject({ state: 'refunded', surplus: true });
    expect(sandbox.admin.refunds().filter((r) => JSON.stringify(r).includes(String(second.data.inv_id)))).not.toEqual(
      [],
    );

    // The buyer who comes back from the newer page lands on the order.
    const location = newer.redirect?.location ?? '';
    const back = await api.get(new URL(location).pathname + new URL(location).search, {
      maxRedirects: 0,
      validateStatus: () => true,
    });
    expect(back.status).toBe(303);
    expect(back.headers.location).toContain(`order_id=${state.orderIds[0]}`);

    const admin = await adminHeaders();
    const listed = await api.get('/admin/kassa/payments?state=surplus', admin);
    expect(listed.data.count).toBe(1);
    expect(listed.data.payments[0]).toMatchObject({
      gateway: 'robokassa',
      invoice_id: String(second.data.inv_id),
      state: 'refunded',
      surplus: true,
      order_id: state.orderIds[0],
      flags: ['paid_twice'],
    });
    const all = await api.get('/admin/kassa/payments?limit=1', admin);
    expect(all.data).toMatchObject({ count: 2, limit: 1, offset: 0 });
    expect(all.data.payments).toHaveLength(1);
    const bad = await api.get('/admin/kassa/payments?state=shipped', { ...admin, validateStatus: () => true });
    expect(bad.status).toBe(400);
  });

  test('paid in the ledger with no order (the settle step never ran): the admin refresh creates the order', async () => {
    const checkout = await startCheckout(api, t.shop, PROVIDERS.capture);
    await payInSandbox(sandbox, checkout, { faults: { buyerClosesTab: true, callback: { drop: true } } });
    // The ledger learned of the payment but Medusa never completed the cart (a crash between the two).
    const key = { gateway: 'robokassa' as const, invoiceId: String(checkout.data.inv_id) };
    await t.ledger().transition({ ...key, from: ['pending'], to: 'paid', source: 'notification' });
    expect((await shopState(getContainer(), checkout.cartId)).orderIds).toEqual([]);

    const admin = await adminHeaders();
    const attention = await api.get('/admin/kassa/payments?state=unsettled', admin);
    expect(attention.data.payments.map((p: { invoice_id: string }) => p.invoice_id)).toEqual([key.invoiceId]);
    const refreshed = await api.post(`/admin/robokassa/payments/${checkout.data.inv_id}/refresh`, {}, admin);
    expect(refreshed.status).toBe(200);
    const state = await shopState(getContainer(), checkout.cartId);
    expect(state.orderIds).toHaveLength(1);
    expect(state.payments[0]?.captured).toBe(true);
    expect((await invoice(checkout.data.inv_id))?.settledState).toBe('paid');
  });

  test('Medusa down longer than the retries (paid in the ledger, no order, no more callbacks): the reconcile job settles it once', async () => {
    const { reconcileRobokassa } = await import('../src/lib/reconcile');
    const checkouts = [
      await startCheckout(api, t.shop, PROVIDERS.capture),
      await startCheckout(api, t.shop, PROVIDERS.capture),
    ];
    for (const checkout of checkouts) {
      await payInSandbox(sandbox, checkout, { faults: { buyerClosesTab: true, callback: { drop: true } } });
      const key = { gateway: 'robokassa' as const, invoiceId: String(checkout.data.inv_id) };
      await t.ledger().transition({ ...key, from: ['pending'], to: 'paid', source: 'notification' });
    }
    const summary = await reconcileRobokassa(getContainer(), { olderThanMs: 0 });
    expect(summary.resettled).toBe(2);
    expect(summary.errors).toEqual([]);
    for (const checkout of checkouts) {
      expect((await shopState(getContainer(), checkout.cartId)).orderIds).toHaveLength(1);
      expect((await invoice(checkout.data.inv_id))?.settledState).toBe('paid');
    }
    const again = await reconcileRobokassa(getContainer(), { olderThanMs: 0 });
    expect(again.resettled).toBe(0);
  });

  test('bad bodies on the callback routes get the plugin’s fixed 4xx, never Medusa’s parser answers', async () => {
    const checkout = await startCheckout(api, t.shop, PROVIDERS.capture);
    const before = await invoice(checkout.data.inv_id);
    const result = '/robokassa/result';
    const cases: Array<[string, string, string, number, string]> = [
      [result, 'application/json', '{"OutSum": 1, broken', 415, 'unsupported media type'],
      [result, 'application/x-www-form-urlencoded', `a=${'x'.repeat(110_000)}`, 413, 'payload too large'],
      [
        result,
        'application/x-www-form-urlencoded; charset=latin1',
        'OutSum=1&InvId=1&SignatureValue=x',
        400,
        'bad request',
      ],
      [
        result,
        'application/x-www-form-urlencoded',
        Array.from({ length: 1_500 }, (_, i) => `f${i}=1`).join('&'),
        400,
        'bad request',
      ],
      ['/robokassa/success', 'application/x-www-form-urlencoded', `a=${'x'.repeat(110_000)}`, 413, 'payload too large'],
      ['/robokassa/success', 'application/json', '{"broken', 400, 'bad request'],
      ['/robokassa/fail', 'application/x-www-form-urlencoded', `a=${'x'.repeat(110_000)}`, 413, 'payload too large'],
    ];
    for (const [route, type, body, status, text] of cases) {
      const response = await api.post(route, body, { ...raw, headers: { 'content-type': type } });
      expect([route, type.slice(0, 40), response.status, String(response.data)]).toEqual([
        route,
        type.slice(0, 40),
        status,
        text,
      ]);
    }
    expect(await invoice(checkout.data.inv_id)).toEqual(before);
  });
});
