/**
 * Faults and scale: the app killed between the notification and the resolve; 200 concurrent session requests with
 * retries; two app instances on one PostgreSQL with retries split between them; mTLS on the session endpoints.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { startShopifyApp } from '../src/server.js';
import { gatewayUrlFrom, SHOP, startWorld, type World } from './harness.js';

const worlds: World[] = [];
afterAll(async () => {
  for (const w of worlds) await w.stop().catch(() => undefined);
});

describe('outbox durability', () => {
  test('killed between the notification and the resolve: on restart the outbox resolves exactly once', async () => {
    const world = await startWorld({ startOutbox: false });
    worlds.push(world);
    await world.configure('robokassa');
    const body = world.emulator.newPaymentBody({ shop: SHOP, amount: '250.00', currency: 'RUB', test: true });
    const started = await world.emulator.startPayment(body, { shop: SHOP });
    const outcome = await world.sandbox.admin.pay({
      url: await gatewayUrlFrom(started.redirectUrl as string),
      method: 'BankCardPSR',
    });
    expect(outcome.ok).toBe(true);
    await world.sandbox.admin.idle();
    // The notification was acknowledged (OK{InvId}) and the resolve is in the outbox, not yet sent.
    const row = await world.app.app.outbox.find(`paymentSessionResolve:${body.gid}`);
    expect(row?.doneAt).toBeNull();
    expect(world.emulator.payments.get(String(body.gid))?.state).toBe('open');
    await world.restartApp({ startOutbox: true });
    await world.app.app.outbox.idle();
    expect(world.emulator.payments.get(String(body.gid))?.state).toBe('resolved');
    expect(world.emulator.transitions(String(body.gid))).toBe(1);
    expect(world.emulator.calls.filter((c) => c.id === body.gid)).toHaveLength(1);
    expect(world.emulator.violations).toEqual([]);
  });
});

describe('load', () => {
  test('200 concurrent payment session requests incl. retries of the same ids → one invoice per id (SQLite)', async () => {
    const world = await startWorld();
    worlds.push(world);
    await world.configure('assist');
    const bodies = Array.from({ length: 100 }, (_, i) =>
      world.emulator.newPaymentBody({ shop: SHOP, amount: `${i + 1}.00`, currency: 'RUB', test: true }),
    );
    const results = await Promise.all(bodies.map((b) => world.emulator.startPayment(b, { shop: SHOP, copies: 2 })));
    expect(results.every((r) => r.ok)).toBe(true);
    const rows = await world.app.app.db.client.query<{ reference: string; n: unknown }>(
      "select reference, count(*) as n from kassa_payment where gateway = 'assist' group by reference",
      [],
    );
    const mine = rows.filter((r) => bodies.some((b) => b.id === r.reference));
    expect(mine).toHaveLength(100);
    expect(mine.every((r) => Number(r.n) === 1)).toBe(true);
    for (const b of bodies) expect(new Set(world.emulator.payments.get(String(b.gid))?.redirectUrls).size).toBe(1);
  });

  const PG = process.env.KASSA_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  test('two app instances on one PostgreSQL, retries split between them → still one invoice per id', async () => {
    const admin = new pg.Client({ connectionString: PG });
    // No skip: PostgreSQL is part of the test machine (scripts/services.sh); without it this fails, naming KASSA_TEST_PG.
    await admin.connect().catch((error: Error) => {
      throw new Error(`PostgreSQL at KASSA_TEST_PG is needed (scripts/services.sh): ${error.message}`);
    });
    const dbName = `kassa_shopify_${Date.now().toString(36)}`;
    await admin.query(`create database ${dbName}`);
    const url = PG.replace(/\/[^/]*$/, `/${dbName}`);
    const world = await startWorld({ databaseUrl: url });
    worlds.push(world);
    await world.configure('robokassa');
    const second = await startShopifyApp({
      apiKey: 'test-api-key',
      apiSecretKey: 'test-api-secret',
      databaseUrl: url,
      encryptionKeys: world.keys,
      shopOrigin: world.emulator.shopOrigin,
      logger: (await import('@kassa/core')).silentLogger,
    });
    try {
      const bodies = Array.from({ length: 60 }, (_, i) =>
        world.emulator.newPaymentBody({ shop: SHOP, amount: `${i + 1}.00`, currency: 'RUB', test: true }),
      );
      const endpoints = world.emulator.endpoints;
      const first = `${world.app.url}/shopify/payment_session`;
      const other = `${second.url}/shopify/payment_session`;
      // Each id goes to both instances at once (a retry landing on the other machine behind the load balancer).
      await Promise.all(
        bodies.flatMap((b) =>
          [first, other].map(async (target) => {
            const response = await fetch(target, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                'shopify-shop-domain': SHOP,
                'shopify-request-id': crypto.randomUUID(),
                'shopify-api-version': '2026-07',
              },
              body: JSON.stringify(b),
            });
            expect(response.status).toBe(201);
            return response.json();
          }),
        ),
      );
      expect(endpoints).toBeDefined();
      const rows = await world.app.app.db.client.query<{ reference: string; n: unknown }>(
        'select reference, count(*) as n from kassa_payment group by reference',
        [],
      );
      expect(rows).toHaveLength(60);
      expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    } finally {
      await second.stop();
      await world.stop();
      worlds.pop();
      // Pools close their sockets after end() resolves: a forced drop while one is still closing would kill it and
      // surface as an unhandled FATAL 57P01 on a pool that has no error listener (Shopify's session adapter's).
      for (let i = 0; i < 200; i += 1) {
        const { rows } = await admin.query('select count(*)::int as n from pg_stat_activity where datname = $1', [
          dbName,
        ]);
        if (rows[0]?.n === 0) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    }
  });
});

describe('mTLS on the session endpoints', () => {
  const pem = (name: string) => readFileSync(new URL(`./fixtures/mtls/${name}`, import.meta.url), 'utf8');
  test('a client certificate from the configured CA is accepted; none or a rogue one → 401 (the emulator retries, then fails)', async () => {
    const tls = { key: pem('server.key'), cert: pem('server.pem'), clientCa: pem('ca.pem') };
    const world = await startWorld({
      tls,
      clientTls: { cert: pem('client.pem'), key: pem('client.key'), ca: pem('ca.pem') },
    });
    worlds.push(world);
    await world.configure('robokassa');
    const good = await world.emulator.startPayment(
      world.emulator.newPaymentBody({ shop: SHOP, amount: '10.00', currency: 'RUB', test: true }),
      { shop: SHOP },
    );
    expect(good.statuses).toEqual([201]);
    world.emulator.options.clientTls = {
      cert: pem('rogue-client.pem'),
      key: pem('rogue-client.key'),
      ca: pem('ca.pem'),
    };
    const rogue = await world.emulator.startPayment(
      world.emulator.newPaymentBody({ shop: SHOP, amount: '11.00', currency: 'RUB', test: true }),
      { shop: SHOP, attempts: 2 },
    );
    expect(rogue.ok).toBe(false);
    expect(rogue.statuses).toEqual([401, 401]);
    world.emulator.options.clientTls = { ca: pem('ca.pem') } as never;
    const none = await world.emulator.startPayment(
      world.emulator.newPaymentBody({ shop: SHOP, amount: '12.00', currency: 'RUB', test: true }),
      { shop: SHOP, attempts: 1 },
    );
    expect(none.statuses).toEqual([401]);
    // The buyer-facing pages need no certificate.
    const health = await new Promise<number>((resolve, reject) => {
      import('node:https').then(({ get }) =>
        get(`${world.app.url}/healthz`, { ca: pem('ca.pem') }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject),
      );
    });
    expect(health).toBe(200);
  });
});
