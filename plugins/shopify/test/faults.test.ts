/**
 * Shopify's GraphQL endpoint misbehaving, for both gateways: down "for a while" (5xx against the clock, not a count),
 * THROTTLED as HTTP 429, and THROTTLED because the cost bucket really runs dry (the emulator charges every call and
 * refuses one that costs more than is left). Every session still ends resolved exactly once, and no resolve reaches
 * Shopify while it is down.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { refillWaitMs } from '../src/payments-api.js';
import { payAt, SHOP, startWorld, until, type World } from './harness.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.stop();
});
afterEach(() => {
  world.emulator.outage = undefined;
  world.emulator.throttledStatus = 200;
  world.emulator.setBucket({ maximumAvailable: 1_092_000, restoreRate: 54_600 });
});

async function paidSessions(gateway: 'robokassa' | 'assist', n: number, amount: string): Promise<string[]> {
  const gids: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const body = world.emulator.newPaymentBody({ shop: SHOP, amount, currency: 'RUB', test: true });
    const started = await world.emulator.startPayment(body, { shop: SHOP });
    expect(started.ok).toBe(true);
    await payAt(world, gateway, started.redirectUrl as string);
    gids.push(String(body.gid));
  }
  await world.sandbox.admin.idle();
  return gids;
}

const okCalls = (gid: string) => world.emulator.calls.filter((c) => c.id === gid && c.outcome === 'ok').length;

async function allResolvedOnce(gids: string[]): Promise<void> {
  await until('every session to resolve', () =>
    gids.every((gid) => world.emulator.payments.get(gid)?.state === 'resolved'),
  );
  await world.app.app.outbox.idle();
  for (const gid of gids) {
    expect(world.emulator.transitions(gid)).toBe(1);
    expect(okCalls(gid)).toBe(1);
    const row = await world.app.app.outbox.find(`paymentSessionResolve:${gid}`);
    expect(row?.doneAt).not.toBeNull();
  }
}

describe.each(['robokassa', 'assist'] as const)('%s: the Payments Apps API failing', (gateway) => {
  beforeAll(() => world.configure(gateway));

  test('down for a while (503 with Retry-After): nothing reaches Shopify until it is back, then each resolves once', async () => {
    world.emulator.outage = { status: 503, until: Date.now() + 60_000, retryAfter: '1' };
    const gids = await paidSessions(gateway, 3, '41.00');
    // The gateway has its OK; the resolves wait in the outbox while Shopify is down.
    await until('the outbox to hit the outage', async () => {
      const rows = await Promise.all(gids.map((g) => world.app.app.outbox.find(`paymentSessionResolve:${g}`)));
      return rows.every((r) => (r?.attempts ?? 0) >= 1);
    });
    for (const gid of gids) expect(world.emulator.payments.get(gid)?.state).toBe('open');
    expect(world.emulator.calls.filter((c) => gids.includes(c.id ?? '')).length).toBe(0);
    world.emulator.outage = { status: 500, until: Date.now() + 300 };
    await allResolvedOnce(gids);
    for (const gid of gids) {
      expect((await world.app.app.outbox.find(`paymentSessionResolve:${gid}`))?.attempts).toBeGreaterThanOrEqual(2);
    }
  });

  test('THROTTLED answered with HTTP 429 three times: retried, resolved once', async () => {
    world.emulator.faults.push({ kind: 'throttled', status: 429, times: 3 });
    const gids = await paidSessions(gateway, 1, '42.00');
    await allResolvedOnce(gids);
    expect((await world.app.app.outbox.find(`paymentSessionResolve:${gids[0]}`))?.attempts).toBeGreaterThanOrEqual(4);
  });

  test.each([200, 429] as const)(
    'the cost bucket runs dry (THROTTLED with HTTP %i): every session still resolves once',
    async (status) => {
      // Hold the resolves back (Shopify down) until all six are queued, then let them at a bucket that takes two at once.
      world.emulator.outage = { status: 503, until: Date.now() + 60_000 };
      const gids = await paidSessions(gateway, 6, '43.00');
      await until('the six resolves to be queued', async () => {
        const rows = await Promise.all(gids.map((g) => world.app.app.outbox.find(`paymentSessionResolve:${g}`)));
        return rows.every((r) => (r?.attempts ?? 0) >= 1);
      });
      world.emulator.throttledStatus = status;
      world.emulator.setBucket({ maximumAvailable: 26, restoreRate: 40 });
      world.emulator.outage = undefined;
      await allResolvedOnce(gids);
      expect(world.emulator.throttledByCost).toBeGreaterThan(0);
    },
  );
});

describe('the THROTTLED envelope says when to come back', () => {
  beforeAll(() => world.configure('robokassa'));

  test('(requested − available) ÷ restore rate, from the real envelope, for 200 and 429', async () => {
    const token = world.emulator.install(SHOP);
    for (const status of [200, 429] as const) {
      world.emulator.throttledStatus = status;
      // 12 left, a call asks for 13, 10 come back per second: 100 ms.
      world.emulator.setBucket({ maximumAvailable: 12, restoreRate: 10 });
      const result = await world.app.app.api.call(SHOP, token, 'paymentSessionResolve', { id: 'gid://x/1' });
      expect(result).toEqual({ kind: 'retry', reason: status === 200 ? 'THROTTLED' : 'http 429', retryAfterMs: 100 });
    }
    expect(refillWaitMs(undefined)).toBeUndefined();
    expect(
      refillWaitMs({
        extensions: {
          cost: { requestedQueryCost: 752, throttleStatus: { currentlyAvailable: 1000, restoreRate: 50 } },
        },
      }),
    ).toBe(0);
  });
});
