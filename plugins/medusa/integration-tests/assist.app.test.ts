import { type Sandbox, startSandbox } from '@kassa/sandbox';
import { adminHeaders } from './support/admin';
import {
  ASSIST_MERCHANT,
  ASSIST_PROVIDERS,
  type AssistCheckout,
  assistNotification,
  DECLINED_CARD,
  offerAssist,
  payAssist,
  registerAssistMerchant,
} from './support/assist';
import { secondTab, shopState, startCheckout } from './support/checkout';
import { shopSuite } from './support/suite';

/**
 * Assist on a real Medusa (the built plugin) on a fresh Postgres database, paying through the real sandbox over HTTP:
 * the sandbox posts notifications to the plugin's `/assist/notification`, redirects the buyer to `/assist/return/*`
 * and answers the web services the provider and routes call. Every flow asserts what Medusa's database says (orders
 * for the cart, payments, captures, refunds), the ledger, and what the sandbox recorded.
 */

// The sandbox must exist before Medusa boots: the providers' test host is read from medusa-config at boot.
const sandbox: Sandbox = await startSandbox({
  retryBackoffMs: 50,
  assistRetryBackoffMs: 50,
  callbackTimeoutMs: 30_000,
});
process.env.ASSIST_BASE_URL = sandbox.url;
afterAll(() => sandbox.stop());

shopSuite({ sandbox, register: registerAssistMerchant, prepare: offerAssist }, (t) => {
  const { api, getContainer } = t;
  const order = (orderNumber: string) => t.record('assist', orderNumber);
  const store = () => ({ headers: { 'x-publishable-api-key': t.shop.publishableKey } });

  const checkout = async (provider: string = ASSIST_PROVIDERS.capture, data: Record<string, unknown> = {}) =>
    (await startCheckout(api, t.shop, provider, data)) as unknown as AssistCheckout;

  const notify = (body: string) =>
    api.post('/assist/notification', body, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      validateStatus: () => true,
      transformResponse: (x: unknown) => x,
    });

  /** A relative GET of a URL on this Medusa, without following its redirect. */
  const visit = (location: string | undefined) => {
    const url = new URL(location ?? '');
    return api.get(url.pathname + url.search, { maxRedirects: 0, validateStatus: () => true });
  };

  async function expectOneCapturedOrder(c: AssistCheckout) {
    const state = await shopState(getContainer(), c.cartId);
    expect(state.orderIds).toHaveLength(1);
    expect(state.completedAt).not.toBeNull();
    expect(state.payments).toHaveLength(1);
    expect(state.payments[0]?.captured).toBe(true);
    expect((await order(c.data.order_number))?.state).toBe('paid');
    return state;
  }

  async function expectNothingChanged(c: AssistCheckout) {
    expect((await order(c.data.order_number))?.state).toBe('pending');
    const state = await shopState(getContainer(), c.cartId);
    expect(state.orderIds).toEqual([]);
    expect(state.payments).toEqual([]);
    expect(state.completedAt).toBeNull();
  }

  test('initiatePayment signs an order.cfm request (Checkvalue, OrderNumber from the ledger) and exposes no secret', async () => {
    const c = await checkout(ASSIST_PROVIDERS.capture, { method: 'sbp', culture: 'en', amount: '1.00' });
    expect(c.data.amount).toBe('2769.00');
    expect(c.data.currency).toBe('RUB');
    expect(c.data.is_test).toBe(true);
    expect(c.data.form.action).toBe(`${sandbox.url}/pay/order.cfm`);
    const fields = Object.fromEntries(c.data.form.fields.map((f) => [f.name, f.value]));
    expect(fields.Merchant_ID).toBe(ASSIST_MERCHANT.merchantId);
    expect(fields.OrderNumber).toBe(c.data.order_number);
    expect(fields.OrderAmount).toBe('2769.00');
    expect(fields.Checkvalue).toMatch(/^[0-9A-F]{32}$/);
    expect(fields.Delay).toBeUndefined();
    const serialized = JSON.stringify(c.data);
    for (const secret of [ASSIST_MERCHANT.secretWord, ASSIST_MERCHANT.password, ASSIST_MERCHANT.login]) {
      expect(serialized.includes(secret)).toBe(false);
    }
    const record = await order(c.data.order_number);
    expect(record?.reference).toBe(c.sessionId);
    expect(record?.gateway).toBe('assist');
    expect(record?.state).toBe('pending');
    // The sandbox accepts the checkvalue (it computes its own, independently of core).
    const opened = await payAssist(sandbox, c, { action: 'open' });
    expect(opened.bill.state).toBe('In Process');
    expect(fields.FastPayPayment).toBe('1');
    expect(fields.CardPayment).toBe('0');

    // The means a storefront may offer; the chosen one comes back as the session's `method`.
    const methods = await api.get(`/store/assist/methods?cart_id=${c.cartId}`, store());
    expect(methods.data.chooser).toBe('shop');
    expect(methods.data.methods.map((m: { code: string }) => m.code)).toEqual(expect.arrayContaining(['card', 'sbp']));
  });

  test('buyer returns: the notification creates the order, the unsigned return is confirmed and redirects to it', async () => {
    const c = await checkout();
    const outcome = await payAssist(sandbox, c, { method: 'card' });
    expect(outcome.bill.state).toBe('Approved');
    expect(outcome.delivery.outcome).toBe('delivered');
    const reply = outcome.delivery.attempts[0]?.bodyExcerpt ?? '';
    expect(reply).toContain('<pushpaymentresult firstcode="0" secondcode="0">');
    expect(reply).toContain(`<billnumber>${outcome.bill.billNumber}`);
    const state = await expectOneCapturedOrder(c);
    expect((await order(c.data.order_number))?.details.billnumber).toBe(outcome.delivery.attempts[0]?.billNumber);

    expect(outcome.redirect?.kind).toBe('ok');
    expect(outcome.redirect?.location.startsWith(`${api.defaults.baseURL}/assist/return/ok?`)).toBe(true);
    const back = await visit(outcome.redirect?.location);
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe(
      `http://storefront.test/order/confirmed?cart_id=${c.cartId}&order_id=${state.orderIds[0]}`,
    );
    const completed = await api.post(`/store/carts/${c.cartId}/complete`, {}, store());
    expect(completed.data.type).toBe('order');
    expect(completed.data.order.id).toBe(state.orderIds[0]);
    expect((await shopState(getContainer(), c.cartId)).orderIds).toEqual(state.orderIds);
  });

  test('buyer never returns: the notification alone creates the order', async () => {
    const c = await checkout();
    const outcome = await payAssist(sandbox, c, { faults: { buyerClosesTab: true } });
    expect(outcome.closedTab).toBe(true);
    expect(outcome.delivery.attempts.map((a) => a.outcome)).toEqual(['ok']);
    await expectOneCapturedOrder(c);
  });

  test('a forged return changes nothing: orderstate says unpaid, the buyer goes to the fail page', async () => {
    const c = await checkout();
    await payAssist(sandbox, c, { action: 'open' });
    const forged = await visit(
      `${api.defaults.baseURL}/assist/return/ok?billnumber=1234567890123456.1&ordernumber=${c.data.order_number}`,
    );
    expect(forged.status).toBe(303);
    expect(forged.headers.location).toBe(`http://storefront.test/checkout?cart_id=${c.cartId}&payment=failed`);
    await expectNothingChanged(c);
    const unknown = await visit(`${api.defaults.baseURL}/assist/return/ok?ordernumber=999999999`);
    expect(`${unknown.status} ${unknown.data}`).toBe('400 bad request');
  });

  test('50 concurrent duplicate notifications: exactly one order and 50 echoed replies', async () => {
    const c = await checkout();
    const outcome = await payAssist(sandbox, c, {
      faults: { buyerClosesTab: true, callback: { duplicate: 49, concurrent: true } },
    });
    await sandbox.admin.idle();
    const attempts = sandbox.admin.assist.notifications({ orderNumber: c.data.order_number });
    expect(attempts).toHaveLength(50);
    expect(attempts.map((a) => `${a.status} ${a.outcome}`)).toEqual(Array.from({ length: 50 }, () => '200 ok'));
    expect(outcome.delivery.outcome).toBe('delivered');
    await expectOneCapturedOrder(c);
  });

  test('tampered checkvalue, amount, currency and an unknown order get failure replies and change nothing', async () => {
    const c = await checkout();
    const n = c.data.order_number;
    const bill = '1234567890123456.1';
    const wrongSecret = assistNotification({ orderNumber: n, billNumber: bill, amount: '2769.00' }, 'not-it');
    const tampered = assistNotification({ orderNumber: n, billNumber: bill, amount: '2769.00' }).replace(
      'amount=2769.00',
      'amount=1.00',
    );
    const wrongAmount = assistNotification({ orderNumber: n, billNumber: bill, amount: '1.00' });
    const wrongCurrency = assistNotification({
      orderNumber: n,
      billNumber: bill,
      amount: '2769.00',
      currency: 'USD',
    });
    const unknown = assistNotification({ orderNumber: '999999999', billNumber: bill, amount: '2769.00' });
    const cases: Array<[string, string]> = [
      [wrongSecret, '9'],
      [tampered, '9'],
      [wrongAmount, '4'],
      [wrongCurrency, '4'],
      [unknown, '13'],
    ];
    for (const [body, firstcode] of cases) {
      const response = await notify(body);
      expect(response.status).toBe(200);
      expect(String(response.data)).toContain(`<pushpaymentresult firstcode="${firstcode}"`);
    }
    const garbage = await notify('ordernumber=1&amount=x');
    expect(String(garbage.data)).not.toContain('firstcode="0"');
    await expectNothingChanged(c);

    // The genuine notification still works afterwards.
    const genuine = await notify(assistNotification({ orderNumber: n, billNumber: bill, amount: '2769.00' }));
    expect(String(genuine.data)).toContain('<pushpaymentresult firstcode="0" secondcode="0">');
    expect(String(genuine.data)).toContain(`<billnumber>${bill}</billnumber>`);
    expect(String(genuine.data)).toContain('<packetdate>04.12.2026 03:00:00</packetdate>');
    await expectOneCapturedOrder(c);
  });

  test('declined, then paid by a second attempt (another billnumber) under the same OrderNumber: one order', async () => {
    const c = await checkout();
    const declined = await payAssist(sandbox, c, { method: 'card', card: DECLINED_CARD });
    expect(declined.bill.state).toBe('Declined');
    expect(declined.delivery.outcome).toBe('delivered');
    expect(declined.redirect?.kind).toBe('no');
    const back = await visit(declined.redirect?.location);
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe(`http://storefront.test/checkout?cart_id=${c.cartId}&payment=failed`);
    await expectNothingChanged(c);

    const paid = await payAssist(sandbox, c, { method: 'card' });
    expect(paid.bill.state).toBe('Approved');
    expect(paid.bill.billNumber).not.toBe(declined.bill.billNumber);
    await expectOneCapturedOrder(c);
    const bills = sandbox.admin.assist.bills({ orderNumber: c.data.order_number });
    expect(bills.map((b) => b.state).sort()).toEqual(['Approved', 'Declined']);
    expect((await order(c.data.order_number))?.details.billnumber?.startsWith(paid.bill.billNumber)).toBe(true);
  });

  test('hold: the Delayed notification makes the order → partial capture charges that part → partial refund', async () => {
    const { capturePaymentWorkflow, refundPaymentWorkflow } = await import('@medusajs/medusa/core-flows');
    const c = await checkout(ASSIST_PROVIDERS.hold);
    expect(c.data.form.fields.some((f) => f.name === 'Delay' && f.value === '1')).toBe(true);
    const outcome = await payAssist(sandbox, c, { method: 'card', faults: { buyerClosesTab: true } });
    expect(outcome.bill.state).toBe('Delayed');
    let state = await shopState(getContainer(), c.cartId);
    expect(state.orderIds).toHaveLength(1);
    expect(state.payments).toHaveLength(1);
    expect(state.payments[0]?.captured).toBe(false);
    expect((await order(c.data.order_number))?.state).toBe('held');

    const paymentId = state.payments[0]?.id ?? '';
    await capturePaymentWorkflow(getContainer()).run({ input: { payment_id: paymentId, amount: 2000 } });
    let record = await order(c.data.order_number);
    expect(record?.state).toBe('paid');
    expect(record?.details.captured).toBe('2000.00');
    let bill = sandbox.admin.assist.bill(outcome.bill.billNumber);
    expect(bill?.charged).toBe(200000);

    // Assist charges a hold once: a second capture is refused, not recorded as money.
    await expect(
      capturePaymentWorkflow(getContainer()).run({ input: { payment_id: paymentId, amount: 769 } }),
    ).rejects.toThrow(/HOLD_REJECTED/);

    await refundPaymentWorkflow(getContainer()).run({ input: { payment_id: paymentId, amount: 500.5 } });
    record = await order(c.data.order_number);
    expect(record?.state).toBe('partially_refunded');
    expect(record?.refunded.minor).toBe(50050n);
    bill = sandbox.admin.assist.bill(outcome.bill.billNumber);
    expect(bill?.refunded).toBe(50050);
    state = await shopState(getContainer(), c.cartId);
    expect(state.payments[0]?.refunded).toEqual(['500.5']);
    expect(state.orderIds).toHaveLength(1);
  });

  test('hold voided: cancel releases the hold at Assist', async () => {
    const { Modules } = await import('@medusajs/framework/utils');
    const payments = getContainer().resolve(Modules.PAYMENT);
    const held = await checkout(ASSIST_PROVIDERS.hold);
    const outcome = await payAssist(sandbox, held, { method: 'card', faults: { buyerClosesTab: true } });
    expect(outcome.bill.state).toBe('Delayed');
    const [payment] = (await shopState(getContainer(), held.cartId)).payments;
    await payments.cancelPayment(payment?.id ?? '');
    expect((await order(held.data.order_number))?.state).toBe('cancelled');
    expect(sandbox.admin.assist.bill(outcome.bill.billNumber)?.state).toBe('Canceled');
    expect((await shopState(getContainer(), held.cartId)).payments[0]?.canceled).toBe(true);
  });

  test('cart changed after the Assist page was opened, then paid: accepted once, flagged a surplus and refunded, no order', async () => {
    const c = await checkout();
    // The buyer changes the cart: Medusa deletes the session for good and the order is cancelled in the ledger.
    await api.post(`/store/carts/${c.cartId}/line-items`, { variant_id: t.shop.variantId, quantity: 1 }, store());
    expect((await order(c.data.order_number))?.state).toBe('cancelled');

    // Assist's page cannot be withdrawn: the buyer pays it anyway. The payment is answered OK at once (before the
    // fix: the cart of a deleted session was unknown, ON_PAID_FAILED on every retry), and given back in full.
    const paid = await payAssist(sandbox, c, { method: 'card', faults: { buyerClosesTab: true } });
    expect(paid.delivery.attempts.map((a) => a.outcome)).toEqual(['ok']);
    expect(await order(c.data.order_number)).toMatchObject({ state: 'refunded', surplus: true });
    // Paid, then refunded in full through cancel.cfm (the sandbox shows a wholly refunded bill as Canceled).
    expect(sandbox.admin.assist.bill(paid.bill.billNumber)).toMatchObject({ charged: 276900, refunded: 276900 });
    expect((await shopState(getContainer(), c.cartId)).orderIds).toEqual([]);

    const admin = await adminHeaders(api, getContainer());
    const listed = await api.get('/admin/kassa/payments?state=surplus', admin);
    expect(listed.data.payments).toEqual([
      expect.objectContaining({
        gateway: 'assist',
        invoice_id: c.data.order_number,
        state: 'refunded',
        surplus: true,
      }),
    ]);
  });

  test('two Assist tabs, the older (superseded) order paid first, then the newer: each answered once, the older makes the one order, the newer is refunded', async () => {
    const first = await checkout();
    const second = (await secondTab(
      api,
      getContainer(),
      t.shop,
      first,
      ASSIST_PROVIDERS.capture,
    )) as unknown as AssistCheckout;
    expect(second.data.order_number).not.toBe(first.data.order_number);
    expect((await order(first.data.order_number))?.state).toBe('cancelled');

    const older = await payAssist(sandbox, first, { method: 'card', faults: { buyerClosesTab: true } });
    expect(older.delivery.attempts.map((a) => a.outcome)).toEqual(['ok']);
    const newer = await payAssist(sandbox, second, { method: 'card', faults: { buyerClosesTab: true } });
    expect(newer.delivery.attempts.map((a) => a.outcome)).toEqual(['ok']);

    const state = await shopState(getContainer(), first.cartId);
    expect(state.orderIds).toHaveLength(1);
    expect(state.payments.filter((p) => p.captured)).toHaveLength(1);
    // The older order, paid first, took over the cart's current session and completed it; the newer one, paid
    // after the cart had its order, is a surplus given back in full.
    expect(await order(first.data.order_number)).toMatchObject({ state: 'paid' });
    expect(await order(first.data.order_number)).not.toHaveProperty('surplus');
    expect(await order(second.data.order_number)).toMatchObject({ state: 'refunded', surplus: true });
    expect(sandbox.admin.assist.bill(older.bill.billNumber)?.refunded).toBe(0);
    expect(sandbox.admin.assist.bill(newer.bill.billNumber)?.refunded).toBe(276900);
  });

  test('a notification the sandbox drops: the reconcile job finds the payment with orderstate and completes the order', async () => {
    const { reconcileAssist } = await import('../src/lib/reconcile-assist');
    const c = await checkout();
    const outcome = await payAssist(sandbox, c, { faults: { buyerClosesTab: true, callback: { drop: true } } });
    expect(outcome.delivery.attempts.every((a) => a.outcome === 'dropped')).toBe(true);
    expect((await shopState(getContainer(), c.cartId)).orderIds).toEqual([]);

    const summary = await reconcileAssist(getContainer(), { olderThanMs: 0 });
    expect(summary.paid).toBe(1);
    expect(summary.errors).toEqual([]);
    await expectOneCapturedOrder(c);
    const again = await reconcileAssist(getContainer(), { olderThanMs: 0 });
    expect(again.paid).toBe(0);
    expect((await shopState(getContainer(), c.cartId)).orderIds).toHaveLength(1);
  });

  test('admin routes: URLs to paste, credentials check, order widget data, refresh, and no access without login', async () => {
    const c = await checkout();
    await payAssist(sandbox, c, { method: 'card' });
    const [orderId] = (await shopState(getContainer(), c.cartId)).orderIds;

    const admin = await adminHeaders(api, getContainer());

    for (const url of ['/admin/assist/settings', `/admin/assist/orders/${orderId}`]) {
      expect((await api.get(url, { validateStatus: () => true })).status).toBe(401);
    }

    const settings = await api.get('/admin/assist/settings', admin);
    expect(settings.data).toMatchObject({
      urls: {
        notification: { url: `${api.defaults.baseURL}/assist/notification`, method: 'POST' },
        return_ok: { url: `${api.defaults.baseURL}/assist/return/ok`, method: 'GET' },
        return_no: { url: `${api.defaults.baseURL}/assist/return/no`, method: 'GET' },
      },
      merchant_id: ASSIST_MERCHANT.merchantId,
      mode: 'test',
      host: sandbox.url,
      checkvalue_mode: 'semicolon',
      secrets: { secret_word: true, login: true, password: true },
    });
    for (const secret of [ASSIST_MERCHANT.secretWord, ASSIST_MERCHANT.password, ASSIST_MERCHANT.login]) {
      expect(JSON.stringify(settings.data).includes(secret)).toBe(false);
    }

    const check = await api.post('/admin/assist/check', {}, admin);
    expect(check.data.verdict).toBe('ok');
    expect(check.data.steps.map((s: { name: string; verdict: string }) => `${s.name}:${s.verdict}`)).toEqual([
      'orderstate:ok',
      'order.cfm:ok',
    ]);
    expect(check.data.unproven).toEqual([]);

    const widget = await api.get(`/admin/assist/orders/${orderId}`, admin);
    expect(widget.data.payments).toHaveLength(1);
    expect(widget.data.payments[0]).toMatchObject({
      provider_id: ASSIST_PROVIDERS.capture,
      captured: true,
      assist: { order_number: c.data.order_number, state: 'paid', amount: '2769.00', refunded: '0.00' },
    });
    const refreshed = await api.post(`/admin/assist/payments/${c.data.order_number}/refresh`, {}, admin);
    expect(refreshed.data.assist.state).toBe('paid');
    const bad = await api.post(
      '/admin/assist/payments/not-a-number/refresh',
      {},
      { ...admin, validateStatus: () => true },
    );
    expect(bad.status).toBe(400);

    // The widget's Refresh on a payment whose notification was lost settles it, as the notification would have.
    const lost = await checkout();
    await payAssist(sandbox, lost, { faults: { buyerClosesTab: true, callback: { drop: true } } });
    const found = await api.post(`/admin/assist/payments/${lost.data.order_number}/refresh`, {}, admin);
    expect(found.data.assist).toMatchObject({ order_number: lost.data.order_number, state: 'paid' });
    await expectOneCapturedOrder(lost);
  });
});
