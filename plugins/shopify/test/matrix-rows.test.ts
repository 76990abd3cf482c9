/**
 * The §6.3 rows that payment-flow.test.ts, matrix.test.ts, holds.test.ts and faults.test.ts do not already run for
 * both gateways, each for Robokassa and Assist against the sandbox: the start request retried after an app 500,
 * the buyer back before the notification (PENDING, then the resolve), a forged notification, reject then resolve,
 * refunds (full, partial, double-delivered, above what was paid), a shop whose app is not ready, and Shopify's test
 * flag.
 */
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buyerReturns, gatewayUrlFrom, payAt, SHOP, startWorld, until, type World } from './harness.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.stop();
});

type GatewayName = 'robokassa' | 'assist';

async function newSession(input: { amount: string; currency?: string; test?: boolean }) {
  const body = world.emulator.newPaymentBody({
    shop: SHOP,
    amount: input.amount,
    currency: input.currency ?? 'RUB',
    test: input.test ?? true,
  });
  const started = await world.emulator.startPayment(body, { shop: SHOP });
  expect(started.ok).toBe(true);
  return { body, id: String(body.id), gid: String(body.gid), redirectUrl: started.redirectUrl as string };
}

async function settle(): Promise<void> {
  await world.sandbox.admin.idle();
  await world.app.app.outbox.idle();
}

const operationDone = (gid: string) => () => {
  const state = world.emulator.operations.get(gid)?.state;
  return state === 'resolved' || state === 'rejected';
};

const gatewayFaults = (gateway: GatewayName, faults: Record<string, unknown> | undefined) =>
  gateway === 'robokassa'
    ? world.sandbox.admin.setFaults('kassa-shopify', faults as never)
    : world.sandbox.admin.assist.setFaults('679471', faults as never);

describe.each(['robokassa', 'assist'] as const)('%s', (gateway) => {
  beforeAll(() => world.configure(gateway));

  test('the start request retried after an app 500 (database locked by another process): one invoice, one redirect_url', async () => {
    const body = world.emulator.newPaymentBody({ shop: SHOP, amount: '61.00', currency: 'RUB', test: true });
    // Another connection holds the SQLite file's write lock (a backup, an operator's sqlite3 shell): the app's
    // write fails and Shopify gets a 500; the lock goes before Shopify's retry.
    const other = new DatabaseSync(world.app.app.db.url);
    other.exec('begin exclusive');
    let locked = true;
    const started = await world.emulator.startPayment(body, {
      shop: SHOP,
      onStatus: () => {
        if (locked) other.exec('commit');
        locked = false;
      },
    });
    other.close();
    expect(started.statuses).toEqual([500, 201]);
    const again = await world.emulator.startPayment(body, { shop: SHOP });
    expect(again.redirectUrl).toBe(started.redirectUrl);
    const rows = await world.app.app.db.client.query('select count(*) as n from kassa_payment where reference = ?', [
      body.id,
    ]);
    expect(Number(rows[0]?.n)).toBe(1);
    await payAt(world, gateway, started.redirectUrl as string);
    await settle();
    expect(world.emulator.transitions(String(body.gid))).toBe(1);
  });

  test('the buyer is back before the notification and the status API is down → PENDING, then resolved once when the notification comes', async () => {
    const s = await newSession({ amount: '62.00' });
    gatewayFaults(gateway, { xml: { mode: 'error500' } });
    const location = await payAt(world, gateway, s.redirectUrl, {
      waitFor: 'nothing',
      faults: { callback: { delayMs: 5000 } },
    });
    const back = await buyerReturns(location as string);
    gatewayFaults(gateway, undefined);
    expect(back.location).toMatch(/\/processing$/);
    expect(world.emulator.payments.get(s.gid)?.state).toBe('pending');
    await until('the late notification to resolve the session', async () => {
      await world.app.app.outbox.idle();
      return world.emulator.payments.get(s.gid)?.state === 'resolved';
    });
    await settle();
    expect(world.emulator.transitions(s.gid)).toBe(1);
    expect(world.emulator.calls.filter((c) => c.id === s.gid && c.mutation === 'paymentSessionResolve')).toHaveLength(
      1,
    );
  });

  test('a forged notification (wrong signature) is refused and changes nothing', async () => {
    const s = await newSession({ amount: '63.00' });
    const record = await world.app.app.db.ledger.findByReference(s.id);
    const forged =
      gateway === 'robokassa'
        ? new URLSearchParams({
            OutSum: '63.000000',
            InvId: record?.invoiceId ?? '1',
            SignatureValue: 'B'.repeat(32),
            IsTest: '1',
          })
        : new URLSearchParams({
            billnumber: '5000000000000001',
            packetdate: '04.12.2026 03:00:00',
            merchant_id: '679471',
            ordernumber: record?.invoiceId ?? '1',
            amount: '63.00',
            currency: 'RUB',
            orderamount: '63.00',
            ordercurrency: 'RUB',
            orderstate: 'Approved',
            responsecode: 'AS000',
            testmode: '1',
            checkvalue: 'F'.repeat(32),
          });
    const response = await fetch(`${world.app.url}/notify/${gateway}/${SHOP}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: forged.toString(),
    });
    const text = await response.text();
    if (gateway === 'robokassa') {
      expect(response.status).toBe(400);
    } else {
      // Assist's protocol answers every delivery with 200 and a pushpaymentresult: an error code refuses it.
      expect(response.status).toBe(200);
      expect(text).toMatch(/<pushpaymentresult firstcode="[1-9]\d*" secondcode="\d+"><\/pushpaymentresult>/);
    }
    await world.app.app.outbox.idle();
    expect((await world.app.app.db.ledger.findByReference(s.id))?.state).toBe('pending');
    expect(world.emulator.payments.get(s.gid)?.state).toBe('open');
    expect(world.emulator.calls.filter((c) => c.id === s.gid)).toEqual([]);
  });

  test('reject then resolve: the resolve is a userError and the session stays rejected', async () => {
    const body = world.emulator.newPaymentBody({ shop: SHOP, amount: '64.00', currency: 'CAD', test: true });
    const started = await world.emulator.startPayment(body, { shop: SHOP });
    expect(started.statuses).toEqual([201]);
    const gid = String(body.gid);
    await until('the app to reject the session', async () => {
      await world.app.app.outbox.idle();
      return world.emulator.payments.get(gid)?.state === 'rejected';
    });
    const token = world.emulator.install(SHOP);
    const resolve = await world.app.app.api.call(SHOP, token, 'paymentSessionResolve', { id: gid });
    expect(resolve.kind).toBe('user_errors');
    expect(world.emulator.payments.get(gid)?.state).toBe('rejected');
    expect(world.emulator.transitions(gid)).toBe(1);
  });

  test('refunds: partial, the rest double-delivered (one refund at the gateway), then one above what is left → PROCESSING_ERROR', async () => {
    const s = await newSession({ amount: '90.00' });
    await payAt(world, gateway, s.redirectUrl);
    await settle();
    expect(world.emulator.payments.get(s.gid)?.state).toBe('resolved');
    const partial = await world.emulator.startOperation('refund', { paymentGid: s.gid, amount: '40.00' });
    expect(partial.statuses).toEqual([201]);
    await until('the partial refund', operationDone(partial.gid));
    expect(world.emulator.operations.get(partial.gid)?.state).toBe('resolved');
    expect((await world.app.app.db.ledger.findByReference(s.id))?.state).toBe('partially_refunded');
    const rest = await world.emulator.startOperation('refund', { paymentGid: s.gid, amount: '50.00', copies: 3 });
    expect(rest.statuses.every((st) => st === 201)).toBe(true);
    await until('the rest refunded', operationDone(rest.gid));
    expect(world.emulator.operations.get(rest.gid)?.state).toBe('resolved');
    expect(world.emulator.transitions(rest.gid)).toBe(1);
    const record = await world.app.app.db.ledger.findByReference(s.id);
    expect(record?.state).toBe('refunded');
    expect(record?.refunded.minor).toBe(9000n);
    const over = await world.emulator.startOperation('refund', { paymentGid: s.gid, amount: '1.00' });
    await until('the refund above what is left', operationDone(over.gid));
    expect(world.emulator.operations.get(over.gid)?.state).toBe('rejected');
    expect(world.emulator.operations.get(over.gid)?.rejectReason?.code).toBe('PROCESSING_ERROR');
    expect((await world.app.app.db.ledger.findByReference(s.id))?.refunded.minor).toBe(9000n);
  });

  test('a shop whose app is not ready: Shopify does not route the session; sent anyway, the app answers 403', async () => {
    const shop = `not-ready-${gateway}.myshopify.com`;
    await world.configure(gateway, shop);
    await world.app.app.shops.setReady(shop, false);
    world.emulator.configurations.set(shop, { externalHandle: null, ready: false });
    const body = world.emulator.newPaymentBody({ shop, amount: '65.00', currency: 'RUB', test: true });
    const routed = await world.emulator.startPayment(body, { shop });
    expect(routed).toEqual({ ok: false, statuses: [], notRouted: true });
    const forced = await world.emulator.startPayment(body, { shop, attempts: 1, force: true });
    expect(forced.statuses).toEqual([403]);
    world.emulator.violations.splice(0); // the forced session above broke Shopify's rule on purpose
  });

  if (gateway === 'robokassa') {
    test('test: true → IsTest=1 with the test passwords; test: false → a live invoice', async () => {
      const t = await newSession({ amount: '66.00', test: true });
      expect(new URL(await gatewayUrlFrom(t.redirectUrl)).searchParams.get('IsTest')).toBe('1');
      const live = await newSession({ amount: '66.00', test: false });
      expect(new URL(await gatewayUrlFrom(live.redirectUrl)).searchParams.get('IsTest')).toBeNull();
      expect((await world.app.app.db.ledger.findByReference(live.id))?.isTest).toBe(false);
    });
  } else {
    test("test: true on Assist's test account → a test invoice; test: false there → rejected, never a fake-money sale", async () => {
      const t = await newSession({ amount: '66.00', test: true });
      expect((await world.app.app.db.ledger.findByReference(t.id))?.isTest).toBe(true);
      const live = await newSession({ amount: '66.00', test: false });
      await until('the app to reject the live session', async () => {
        await world.app.app.outbox.idle();
        return world.emulator.payments.get(live.gid)?.state === 'rejected';
      });
      expect(world.emulator.payments.get(live.gid)?.rejectReason?.code).toBe('PROCESSING_ERROR');
      expect(await world.app.app.db.ledger.findByReference(live.id)).toBeUndefined();
    });
  }

  test('no emulator violations', () => {
    expect(world.emulator.violations).toEqual([]);
  });
});
