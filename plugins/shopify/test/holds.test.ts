/**
 * Robokassa authorizations (Shopify `kind: authorization`) through the hold channel: the shop saved Robokassa's
 * ResultUrl2 certificate (here the sandbox's, served at /jwtsign.cer), so /pay names the app's hold route; the
 * sandbox signs a ResultUrl2 `HOLD` with its own key when the buyer pays, and the session resolves from it alone
 * (no buyer return, no reconciliation); capture → captureSessionResolve, void → voidSessionResolve.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createRobokassaConfig } from '@kassa/core/robokassa';
import { resultUrl2Payload, signResultCallback, signResultUrl2Jws } from '@kassa/core/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { gatewayUrlFrom, ROBOKASSA, SHOP, startWorld, type World } from './harness.js';

let world: World;
let certificate: string;
beforeAll(async () => {
  world = await startWorld();
  certificate = await world.sandbox.admin.certificatePem();
  await world.configure('robokassa', SHOP, { resultUrl2Certificate: certificate });
});
afterAll(async () => {
  await world?.stop();
});

async function authorize(amount: string, test = false) {
  const body = world.emulator.newPaymentBody({ shop: SHOP, amount, currency: 'RUB', test, kind: 'authorization' });
  const started = await world.emulator.startPayment(body, { shop: SHOP });
  expect(started.ok).toBe(true);
  return { body, gid: String(body.gid), id: String(body.id), redirectUrl: started.redirectUrl as string };
}

/** The buyer pays on the sandbox's page and never comes back to the shop (so only the hold channel can tell us). */
async function payAndLeave(redirectUrl: string): Promise<URL> {
  const url = new URL(await gatewayUrlFrom(redirectUrl));
  const outcome = await world.sandbox.admin.pay({ url: url.toString(), method: 'BankCardPSR' });
  if (!outcome.ok) throw new Error(`sandbox refused: ${JSON.stringify(outcome)}`);
  await world.sandbox.admin.idle();
  await world.app.app.outbox.idle();
  return url;
}

const holdDeliveries = (invId: string) =>
  world.sandbox.admin
    .notifications()
    .filter((n) => n.kind === 'ResultUrl2' && String(n.invId) === invId && n.status !== undefined);

async function settleOperation(): Promise<void> {
  for (let i = 0; i < 3; i += 1) {
    await new Promise((r) => setTimeout(r, 150));
    await world.sandbox.admin.idle();
    await world.app.app.outbox.idle();
  }
}

describe('robokassa holds (ResultUrl2)', () => {
  test('a live authorization names the hold route; a test one does not (Robokassa has no test holds)', async () => {
    const live = await authorize('10.00');
    const url = new URL(await gatewayUrlFrom(live.redirectUrl));
    expect(url.searchParams.get('StepByStep')).toBe('true');
    expect(url.searchParams.get('ResultUrl2')).toBe(`${world.app.url}/hold/robokassa/${SHOP}`);
    const test = await authorize('10.00', true);
    expect(new URL(await gatewayUrlFrom(test.redirectUrl)).searchParams.get('ResultUrl2')).toBeNull();
  });

  test('HOLD → the authorization session resolves once from the hold channel alone; capture → captureSessionResolve', async () => {
    const a = await authorize('400.00');
    await payAndLeave(a.redirectUrl);
    const record = await world.app.app.db.ledger.findByReference(a.id);
    expect(record?.state).toBe('held');
    const deliveries = holdDeliveries(record?.invoiceId ?? '');
    expect(deliveries.map((d) => d.status)).toEqual([200]);
    expect(world.emulator.payments.get(a.gid)?.state).toBe('resolved');
    expect(world.emulator.transitions(a.gid)).toBe(1);

    const capture = await world.emulator.startOperation('capture', { paymentGid: a.gid, amount: '400.00', copies: 2 });
    expect(capture.statuses.every((s) => s === 201)).toBe(true);
    await settleOperation();
    expect(world.emulator.operations.get(capture.gid)?.state).toBe('resolved');
    expect(world.emulator.transitions(capture.gid)).toBe(1);
    expect((await world.app.app.db.ledger.findByReference(a.id))?.state).toBe('paid');
    // Confirm makes Robokassa send ResultURL and ResultUrl2 OK: both answered, neither resolves the payment again.
    const after = holdDeliveries(record?.invoiceId ?? '');
    expect(after.map((d) => d.status)).toEqual([200, 200]);
    expect(world.emulator.transitions(a.gid)).toBe(1);
    expect(world.emulator.calls.filter((c) => c.id === a.gid && c.outcome === 'ok')).toHaveLength(1);
  });

  test('void of a hold → voidSessionResolve; money reported after the void is a surplus, never a second resolve', async () => {
    const b = await authorize('70.00');
    await payAndLeave(b.redirectUrl);
    expect(world.emulator.payments.get(b.gid)?.state).toBe('resolved');
    const voided = await world.emulator.startOperation('void', { paymentGid: b.gid });
    expect(voided.statuses).toEqual([201]);
    await settleOperation();
    expect(world.emulator.operations.get(voided.gid)?.state).toBe('resolved');
    const record = await world.app.app.db.ledger.findByReference(b.id);
    expect(record?.state).toBe('cancelled');
    const op = world.sandbox.admin
      .operations({ merchant: ROBOKASSA.login })
      .find((o) => String(o.invId) === record?.invoiceId);
    expect(op?.state).toBe(60);

    // The gateway reports the voided hold paid after all (a genuine, signed ResultURL): core accepts the money once,
    // the settle step calls it a surplus (Shopify voided it), Shopify is not asked again.
    const paid = signResultCallback(createRobokassaConfig({ ...ROBOKASSA }), {
      outSum: '70.00',
      invId: Number(record?.invoiceId),
    });
    const reply = await fetch(`${world.app.url}/notify/robokassa/${SHOP}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: paid.query,
    });
    expect([reply.status, await reply.text()]).toEqual([200, `OK${record?.invoiceId}`]);
    await world.app.app.outbox.idle();
    expect((await world.app.app.db.ledger.findByReference(b.id))?.surplus).toBe(true);
    expect(world.emulator.transitions(b.gid)).toBe(1);
    expect(world.emulator.calls.filter((c) => c.id === b.gid && c.mutation === 'paymentSessionResolve')).toHaveLength(
      1,
    );
  });

  test('a HOLD signed by another key, or for a shop without a certificate: 400, nothing resolves', async () => {
    const c = await authorize('55.00');
    await gatewayUrlFrom(c.redirectUrl);
    const record = await world.app.app.db.ledger.findByReference(c.id);
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = signResultUrl2Jws(
      stranger.privateKey,
      resultUrl2Payload({ shop: ROBOKASSA.login, invId: Number(record?.invoiceId), incSum: '55.00', state: 'HOLD' }),
    );
    const post = (shop: string) =>
      fetch(`${world.app.url}/hold/robokassa/${shop}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: forged,
      });
    const refused = await post(SHOP);
    expect([refused.status, await refused.text()]).toEqual([400, 'bad request']);
    const other = 'no-cert.myshopify.com';
    await world.configure('robokassa', other);
    const unavailable = await post(other);
    expect(unavailable.status).toBe(400);
    await unavailable.body?.cancel();
    const unknownShop = await post('nobody.myshopify.com');
    expect(unknownShop.status).toBe(404);
    await unknownShop.body?.cancel();
    await world.app.app.outbox.idle();
    expect((await world.app.app.db.ledger.findByReference(c.id))?.state).toBe('pending');
    expect(world.emulator.payments.get(c.gid)?.state).toBe('open');
  });

  test('no emulator violations', () => {
    expect(world.emulator.violations).toEqual([]);
  });
});
