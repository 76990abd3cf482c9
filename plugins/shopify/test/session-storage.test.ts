/**
 * The `SessionStorage` contract (the checks of Shopify's unpublished `…-session-storage-test-utils` battery) against
 * our node:sqlite adapter and Shopify's own PostgreSQL adapter.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '@shopify/shopify-api';
import type { SessionStorage } from '@shopify/shopify-app-session-storage';
import pg from 'pg';
import { describe, expect, test } from 'vitest';
import { openDatabase } from '../src/db.js';
import { sessionStorageFor } from '../src/session-storage.js';
import { payAt, SHOP, startWorld } from './harness.js';

const PG = process.env.KASSA_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function sessions(shop: string) {
  const offline = new Session({
    id: `offline_${shop}`,
    shop,
    state: 'state',
    isOnline: false,
    scope: 'write_payment_gateways,write_payment_sessions',
    accessToken: 'shpat_1',
  });
  const online = new Session({
    id: `${shop}_42`,
    shop,
    state: 'state2',
    isOnline: true,
    scope: 'write_payment_sessions',
    accessToken: 'shpua_2',
    expires: new Date(Date.now() + 3600_000),
    onlineAccessInfo: {
      expires_in: 3600,
      associated_user_scope: 'write_payment_sessions',
      associated_user: {
        id: 42,
        first_name: 'A',
        last_name: 'B',
        email: 'a@b.c',
        email_verified: true,
        account_owner: true,
        locale: 'en',
        collaborator: false,
      },
    } as never,
  });
  return { offline, online };
}

async function battery(storage: SessionStorage): Promise<void> {
  const shop = `s${Date.now().toString(36)}.myshopify.com`;
  const { offline, online } = sessions(shop);
  expect(await storage.loadSession(offline.id)).toBeUndefined();
  expect(await storage.storeSession(offline)).toBe(true);
  expect(await storage.storeSession(online)).toBe(true);
  expect((await storage.loadSession(offline.id))?.equals(offline)).toBe(true);
  const loaded = await storage.loadSession(online.id);
  expect(loaded?.isOnline).toBe(true);
  expect(loaded?.accessToken).toBe('shpua_2');
  expect(loaded?.expires?.getTime()).toBeCloseTo(online.expires?.getTime() ?? 0, -4);
  const updated = new Session({ ...offline, accessToken: 'shpat_rotated' } as never);
  await storage.storeSession(updated);
  expect((await storage.loadSession(offline.id))?.accessToken).toBe('shpat_rotated');
  expect((await storage.findSessionsByShop(shop)).map((s) => s.id).sort()).toEqual([online.id, offline.id].sort());
  expect(await storage.deleteSession(online.id)).toBe(true);
  expect(await storage.loadSession(online.id)).toBeUndefined();
  expect(await storage.deleteSessions([offline.id])).toBe(true);
  expect(await storage.findSessionsByShop(shop)).toEqual([]);
}

describe('SessionStorage contract', () => {
  test('SqlSessionStorage over node:sqlite', async () => {
    const db = await openDatabase(join(mkdtempSync(join(tmpdir(), 'kassa-ss-')), 'a.sqlite'));
    try {
      await battery(sessionStorageFor(db));
    } finally {
      await db.close();
    }
  });

  test("Shopify's PostgreSQLSessionStorage (the production adapter)", async () => {
    const probe = new pg.Client({ connectionString: PG });
    await probe.connect().catch((error: Error) => {
      throw new Error(`PostgreSQL at KASSA_TEST_PG is needed (scripts/services.sh): ${error.message}`);
    });
    await probe.end();
    const db = await openDatabase(PG);
    const storage = sessionStorageFor(db) as SessionStorage & { disconnect(): Promise<void> };
    try {
      await battery(storage);
    } finally {
      await storage.disconnect();
      await db.close();
    }
  });

  test('another SessionStorage passed as `sessionStorage` holds the offline token the outbox resolves with', async () => {
    const world = await startWorld();
    const own = await openDatabase(join(world.dir, 'sessions.sqlite'));
    const storage = sessionStorageFor(own);
    try {
      await world.restartApp({ sessionStorage: storage });
      expect(world.app.app.sessions).toBe(storage);
      await world.configure('robokassa');
      expect((await storage.findSessionsByShop(SHOP)).map((x) => x.isOnline)).toEqual([false]);
      const body = world.emulator.newPaymentBody({ shop: SHOP, amount: '12.00', currency: 'RUB', test: true });
      const started = await world.emulator.startPayment(body, { shop: SHOP });
      await payAt(world, 'robokassa', started.redirectUrl as string);
      await world.sandbox.admin.idle();
      await world.app.app.outbox.idle();
      expect(world.emulator.payments.get(String(body.gid))?.state).toBe('resolved');
    } finally {
      await world.stop();
      await own.close();
    }
  });
});
