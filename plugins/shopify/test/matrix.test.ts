/** The rest of the §6.3 matrix: duplicates, late and lost notifications, forged ones, Shopify's faults, refunds, captures, voids. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MUTATIONS } from '../src/payments-api.js';
import { buyerReturns, gatewayUrlFrom, SHOP, startWorld, type World } from './harness.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.stop();
});

type GatewayName = 'robokassa' | 'assist';

async function pay(
  gateway: GatewayName,
  redirectUrl: string,
  extra: Record<string, unknown> = {},
): Promise<string | null> {
  const url = await gatewayUrlFrom(redirectUrl);
  if (gateway === 'robokassa') {
    const outcome = await world.sandbox.admin.pay({ url, method: 'BankCardPSR', ...extra });
    if (!outcome.ok) throw new Error(`sandbox refused: ${JSON.stringify(outcome)}`);
    return outcome.redirect?.location ?? null;
  }
  const outcome = await world.sandbox.admin.assist.pay({ url, card: '4111111111111111', ...extra });
  if (!outcome.ok) throw new Error(`sandbox refused: ${JSON.stringify(outcome)}`);
  return outcome.redirect?.location ?? null;
}

async function settle(): Promise<void> {
  await world.sandbox.admin.idle();
  await world.app.app.outbox.idle();
}

async function newSession(input: { amount?: string; test?: boolean; kind?: 'sale' | 'authorization' } = {}) {
  const body = world.emulator.newPaymentBody({
    shop: SHOP,
    amount: input.amount ?? '100.00',
    currency: 'RUB',
    test: input.test ?? true,
    ...(input.kind ? { kind: input.kind } : {}),
  });
  const started = await world.emulator.startPayment(body, { shop: SHOP });
  expect(started.ok).toBe(true);
  return { body, gid: String(body.gid), redirectUrl: started.redirectUrl as string };
}

describe('robokassa', () => {
  beforeAll(() => world.configure('robokassa'));

  test('test: true → IsTest=1 on the gateway request; test: false → no IsTest', async () => {
    const t = await newSession({ test: true });
    expect(new URL(await gatewayUrlFrom(t.redirectUrl)).searchParams.get('IsTest')).toBe('1');
    const live = await newSession({ test: false });
    expect(new URL(await gatewayUrlFrom(live.redirectUrl)).searchParams.get('IsTest')).toBeNull();
  });

  test('ResultURL delivered 4 times at once → one resolve', async () => {
    const s = await newSession();
    await pay('robokassa', s.redirectUrl, { faults: { callback: { duplicate: 3, concurrent: true } } });
    await settle();
    expect(world.emulator.payments.get(s.gid)?.state).toBe('resolved');
    expect(world.emulator.transitions(s.gid)).toBe(1);
    expect(world.emulator.calls.filter((c) => c.id === s.gid && c.outcome === 'ok')).toHaveLength(1);
  });

  test("ResultURL lost: the buyer's return asks the gateway (OpStateExt) and the session resolves", async () => {
    const s = await newSession();
    const location = await pay('robokassa', s.redirectUrl, { faults: { callback: { drop: true } } });
    const back = await buyerReturns(location as string);
    expect(back.location).toMatch(/thank_you$/);
    await settle();
    expect(world.emulator.transitions(s.gid)).toBe(1);
  });

  test('SuccessURL before ResultURL and the status API down → PENDING now, resolved when the notification comes', async () => {
    const s = await newSession();
    world.sandbox.admin.setFaults('kassa-shopify', { xml: { mode: 'error500' } });
    const location = await pay('robokassa', s.redirectUrl, {
      waitFor: 'nothing',
      faults: { callback: { delayMs: 2500 } },
    });
    const back = await buyerReturns(location as string);
    world.sandbox.admin.setFaults('kassa-shopify', undefined);
    expect(back.location).toMatch(/processing$/);
    expect(world.emulator.payments.get(s.gid)?.state).toBe('pending');
    await new Promise((r) => setTimeout(r, 2700));
    await settle();
    expect(world.emulator.payments.get(s.gid)?.state).toBe('resolved');
  });

  test('a forged ResultURL (bad signature) changes nothing', async () => {
    const s = await newSession();
    const row = await world.app.app.db.ledger.findByReference(String(s.body.id));
    const forged = new URLSearchParams({
      OutSum: '100.000000',
      InvId: row?.invoiceId ?? '1',
      SignatureValue: 'A'.repeat(32),
      IsTest: '1',
    });
    const response = await fetch(`${world.app.url}/notify/robokassa/${SHOP}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: forged.toString(),
    });
    expect(response.status).toBe(400);
    await world.app.app.outbox.idle();
    expect(world.emulator.payments.get(s.gid)?.state).toBe('open');
  });

  test('resolve THROTTLED twice, then 503 twice: the outbox retries and resolves once', async () => {
    const s = await newSession();
    world.emulator.faults.push({ kind: 'throttled', times: 2 }, { kind: 'http', status: 503, times: 2 });
    await pay('robokassa', s.redirectUrl);
    await settle();
    for (let i = 0; i < 50 && world.emulator.payments.get(s.gid)?.state !== 'resolved'; i += 1) {
      await new Promise((r) => setTimeout(r, 50));
      await world.app.app.outbox.idle();
    }
    expect(world.emulator.payments.get(s.gid)?.state).toBe('resolved');
    expect(world.emulator.transitions(s.gid)).toBe(1);
    const row = await world.app.app.outbox.find(`paymentSessionResolve:${s.gid}`);
    expect(row?.attempts).toBeGreaterThanOrEqual(5);
    expect(row?.doneAt).not.toBeNull();
  });

  test('the emulator: resolve before the 2xx and reject after resolve are userErrors; the same resolve again succeeds', async () => {
    const body = world.emulator.newPaymentBody({ shop: SHOP, amount: '5.00', currency: 'RUB' });
    world.emulator.payments.set(String(body.gid), {
      id: String(body.id),
      gid: String(body.gid),
      shop: SHOP,
      checkout: 'c',
      kind: 'sale',
      amount: '5.00',
      currency: 'RUB',
      test: false,
      state: 'created',
      responded: false,
      redirectUrls: [],
      transitions: 0,
      body,
    });
    const token = world.emulator.install(SHOP);
    const api = world.app.app.api;
    const early = await api.call(SHOP, token, 'paymentSessionResolve', { id: body.gid });
    expect(early.kind).toBe('user_errors');
    const p = world.emulator.payments.get(String(body.gid));
    if (p) p.responded = true;
    expect((await api.call(SHOP, token, 'paymentSessionResolve', { id: body.gid })).kind).toBe('ok');
    expect((await api.call(SHOP, token, 'paymentSessionResolve', { id: body.gid })).kind).toBe('ok');
    const reject = await api.call(SHOP, token, 'paymentSessionReject', {
      id: body.gid,
      reason: { code: 'PROCESSING_ERROR' },
    });
    expect(reject.kind).toBe('user_errors');
    expect(world.emulator.payments.get(String(body.gid))?.state).toBe('resolved');
    expect((await api.call(SHOP, 'shpat_wrong', 'paymentSessionResolve', { id: body.gid })).kind).toBe('broken');
    world.emulator.violations.splice(0); // the early resolve above was on purpose
  });

  test('every mutation the app sends validates against the published SDL (2026-07 and 2025-10)', async () => {
    const { schemaFor } = await import('./emulator/emulator.js');
    const { parse, validate } = await import('graphql');
    for (const version of ['2026-07', '2025-10']) {
      const schema = schemaFor(version);
      for (const [name, text] of Object.entries(MUTATIONS)) {
        expect([name, validate(schema as never, parse(text)).map((e) => e.message)]).toEqual([name, []]);
      }
    }
    const schema = schemaFor('2026-07');
    const unknownField = parse(
      'mutation { paymentSessionResolve(id: "x") { paymentSession { id bogus } userErrors { field message } } }',
    );
    expect(validate(schema as never, unknownField).length).toBeGreaterThan(0);
  });

  test('refunds: partial then the rest, each resolved; a double-delivered refund request refunds once (201)', async () => {
    const s = await newSession({ amount: '300.00', test: false });
    await pay('robokassa', s.redirectUrl);
    await settle();
    expect(world.emulator.payments.get(s.gid)?.state).toBe('resolved');
    const first = await world.emulator.startOperation('refund', { paymentGid: s.gid, amount: '100.00', copies: 2 });
    expect(first.statuses.every((st) => st === 201)).toBe(true);
    await settle();
    await new Promise((r) => setTimeout(r, 200));
    await world.app.app.outbox.idle();
    expect(world.emulator.operations.get(first.gid)?.state).toBe('resolved');
    const rest = await world.emulator.startOperation('refund', { paymentGid: s.gid, amount: '200.00' });
    await new Promise((r) => setTimeout(r, 200));
    await world.app.app.outbox.idle();
    expect(world.emulator.operations.get(rest.gid)?.state).toBe('resolved');
    const record = await world.app.app.db.ledger.findByReference(String(s.body.id));
    expect(record?.state).toBe('refunded');
    expect(record?.refunded.minor).toBe(30000n);
    const invoice = Number(record?.invoiceId);
    expect(world.sandbox.admin.refunds().filter((r) => r.invId === invoice)).toHaveLength(2);
  });

  test('a refund above what was paid → refundSessionReject(PROCESSING_ERROR)', async () => {
    const s = await newSession({ amount: '50.00', test: false });
    await pay('robokassa', s.redirectUrl);
    await settle();
    const op = await world.emulator.startOperation('refund', { paymentGid: s.gid, amount: '60.00' });
    await new Promise((r) => setTimeout(r, 200));
    await world.app.app.outbox.idle();
    expect(world.emulator.operations.get(op.gid)?.state).toBe('rejected');
    expect(world.emulator.operations.get(op.gid)?.rejectReason?.code).toBe('PROCESSING_ERROR');
  });

  test('no emulator violations', () => {
    expect(world.emulator.violations).toEqual([]);
  });
});

describe('assist', () => {
  beforeAll(() => world.configure('assist'));

  test('notification delivered 3 times → one resolve', async () => {
    const s = await newSession();
    await pay('assist', s.redirectUrl, { faults: { callback: { duplicate: 2 } } });
    await settle();
    expect(world.emulator.transitions(s.gid)).toBe(1);
  });

  test('authorization → held → resolve; capture resolves; void of another hold resolves', async () => {
    const a = await newSession({ kind: 'authorization', amount: '400.00' });
    await pay('assist', a.redirectUrl);
    await settle();
    expect(world.emulator.payments.get(a.gid)?.state).toBe('resolved');
    expect((await world.app.app.db.ledger.findByReference(String(a.body.id)))?.state).toBe('held');
    const capture = await world.emulator.startOperation('capture', { paymentGid: a.gid, amount: '400.00', copies: 2 });
    expect(capture.statuses.every((st) => st === 201)).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    await world.app.app.outbox.idle();
    expect(world.emulator.operations.get(capture.gid)?.state).toBe('resolved');
    expect((await world.app.app.db.ledger.findByReference(String(a.body.id)))?.state).toBe('paid');

    const b = await newSession({ kind: 'authorization', amount: '70.00' });
    await pay('assist', b.redirectUrl);
    await settle();
    const voided = await world.emulator.startOperation('void', { paymentGid: b.gid });
    await new Promise((r) => setTimeout(r, 200));
    await world.app.app.outbox.idle();
    expect(world.emulator.operations.get(voided.gid)?.state).toBe('resolved');
    expect((await world.app.app.db.ledger.findByReference(String(b.body.id)))?.state).toBe('cancelled');
  });

  test('refund of an Assist payment resolves', async () => {
    const s = await newSession({ amount: '80.00' });
    await pay('assist', s.redirectUrl);
    await settle();
    const op = await world.emulator.startOperation('refund', { paymentGid: s.gid, amount: '30.00' });
    await new Promise((r) => setTimeout(r, 200));
    await world.app.app.outbox.idle();
    expect(world.emulator.operations.get(op.gid)?.state).toBe('resolved');
    expect((await world.app.app.db.ledger.findByReference(String(s.body.id)))?.state).toBe('partially_refunded');
  });

  test('no emulator violations', () => {
    expect(world.emulator.violations).toEqual([]);
  });
});
