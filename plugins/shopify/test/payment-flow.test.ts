/** The §6.3 payment rows, for both gateways, over real HTTP: emulator → app → sandbox → app → emulator. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buyerReturns, gatewayUrlFrom, SHOP, startWorld, type World } from './harness.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.stop();
});

async function payAtGateway(gateway: 'robokassa' | 'assist', redirectUrl: string, action: 'pay' | 'decline' = 'pay') {
  const url = await gatewayUrlFrom(redirectUrl);
  if (gateway === 'robokassa') {
    const outcome = await world.sandbox.admin.pay({
      url,
      action,
      ...(action === 'pay' ? { method: 'BankCardPSR' } : {}),
    });
    if (!outcome.ok) throw new Error(`sandbox refused: ${JSON.stringify(outcome)}`);
    return outcome.redirect?.location ?? null;
  }
  const outcome = await world.sandbox.admin.assist.pay({
    url,
    action,
    ...(action === 'pay' ? { card: '4111111111111111' } : {}),
  });
  if (!outcome.ok) throw new Error(`sandbox refused: ${JSON.stringify(outcome)}`);
  return outcome.redirect?.location ?? null;
}

describe.each(['robokassa', 'assist'] as const)('%s', (gateway) => {
  const currency = 'RUB';
  beforeAll(async () => {
    await world.configure(gateway);
  });

  test('happy sale: redirect, pay, notification → resolve exactly once, buyer lands on thank-you', async () => {
    const body = world.emulator.newPaymentBody({ shop: SHOP, amount: '1500.00', currency, test: true });
    const started = await world.emulator.startPayment(body, { shop: SHOP });
    expect(started.ok).toBe(true);
    expect(started.statuses).toEqual([201]);
    const location = await payAtGateway(gateway, started.redirectUrl as string);
    await world.sandbox.admin.idle();
    await world.app.app.outbox.idle();
    const gid = String(body.gid);
    expect(world.emulator.payments.get(gid)?.state).toBe('resolved');
    expect(world.emulator.transitions(gid)).toBe(1);
    expect(location).toBeTruthy();
    const back = await buyerReturns(location as string);
    expect(back.status).toBe(303);
    expect(back.location).toMatch(/\/thank_you$/);
    expect(world.emulator.violations).toEqual([]);
  });

  test('the same id three times at once and again later: one invoice, one redirect_url', async () => {
    const body = world.emulator.newPaymentBody({ shop: SHOP, amount: '10.00', currency, test: true });
    const first = await world.emulator.startPayment(body, { shop: SHOP, copies: 3 });
    const again = await world.emulator.startPayment(body, { shop: SHOP });
    expect(first.ok && again.ok).toBe(true);
    const payment = world.emulator.payments.get(String(body.gid));
    expect(new Set(payment?.redirectUrls).size).toBe(1);
    const rows = await world.app.app.db.client.query('select count(*) as n from kassa_payment where reference = ?', [
      body.id,
    ]);
    expect(Number(rows[0]?.n)).toBe(1);
  });

  test('a currency the gateway does not take: a 2xx, then paymentSessionReject(INVALID_CURRENCY), never a 500', async () => {
    const body = world.emulator.newPaymentBody({ shop: SHOP, amount: '12.00', currency: 'CAD', test: true });
    const started = await world.emulator.startPayment(body, { shop: SHOP });
    expect(started.statuses).toEqual([201]);
    await world.app.app.outbox.idle();
    await new Promise((r) => setTimeout(r, 400));
    await world.app.app.outbox.idle();
    const payment = world.emulator.payments.get(String(body.gid));
    expect(payment?.state).toBe('rejected');
    expect(payment?.rejectReason?.code).toBe('INVALID_CURRENCY');
    const page = await fetch(started.redirectUrl as string, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toMatch(/payment_failed/);
  });

  test('buyer declines / leaves at the gateway → back to cancel_url, no reject', async () => {
    const body = world.emulator.newPaymentBody({ shop: SHOP, amount: '20.00', currency, test: true });
    const started = await world.emulator.startPayment(body, { shop: SHOP });
    const location = await payAtGateway(gateway, started.redirectUrl as string, 'decline');
    expect(location).toBeTruthy();
    const back = await buyerReturns(location as string);
    expect(back.status).toBe(303);
    expect(back.location).toBe((body.payment_method as { data: { cancel_url: string } }).data.cancel_url);
    await world.sandbox.admin.idle();
    await world.app.app.outbox.idle();
    expect(world.emulator.payments.get(String(body.gid))?.state).toBe('open');
    expect(world.emulator.calls.filter((c) => c.id === body.gid)).toEqual([]);
  });
});
