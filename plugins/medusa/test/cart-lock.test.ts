import { KassaError, sqlClientFromPg } from '@kassa/core';
import pg from '@medusajs/framework/pg';
import { afterAll, describe, expect, test } from 'vitest';
import { cartLockKey, withCartLock } from '../src/lib/cart-lock';

/**
 * The settle step's cart lock on a real PostgreSQL (the machine's, as the integration tests use): one holder per cart
 * across connections (each `SqlClient` here stands for one Medusa instance's pool), other carts unaffected, a wait cut
 * short by the timeout becomes a retryable LEDGER_CONFLICT, and the lock is gone once the work ends, even by throwing.
 */
const connection = {
  host: process.env.DB_HOST ?? 'localhost',
  port: Number(process.env.DB_PORT ?? 5432),
  user: process.env.DB_USERNAME ?? 'postgres',
  password: process.env.DB_PASSWORD ?? '',
  database: 'postgres',
};
const pools = [new pg.Pool(connection), new pg.Pool(connection), new pg.Pool(connection)];
// An idle connection the server ends (another suite's teardown on the shared PostgreSQL) must not crash the file
// through an unhandled 'error' event; a query on it would still fail its test.
for (const pool of pools) pool.on('error', () => undefined);
afterAll(() => Promise.all(pools.map((p) => p.end())));
const [first, second, observer] = pools.map((p) => sqlClientFromPg(p)) as [
  ReturnType<typeof sqlClientFromPg>,
  ReturnType<typeof sqlClientFromPg>,
  ReturnType<typeof sqlClientFromPg>,
];

/** Advisory locks on this cart's key: granted and waiting, as PostgreSQL's lock table shows them. */
async function locksOn(cartId: string): Promise<{ granted: number; waiting: number }> {
  const rows = await observer.query<{ granted: boolean }>(
    `select l.granted from pg_locks l
     where l.locktype = 'advisory'
       and ((l.classid::bigint << 32) | l.objid::bigint) = (hashtextextended(?, 0) & x'ffffffffffffffff'::bigint)`,
    [cartLockKey(cartId)],
  );
  return { granted: rows.filter((r) => r.granted).length, waiting: rows.filter((r) => !r.granted).length };
}

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((wake) => setTimeout(wake, 20));
}

function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('withCartLock (PostgreSQL advisory lock per cart)', () => {
  const cart = `cart_${process.pid}_${Date.now()}`;

  test('a second instance waits for the first, then runs; another cart does not wait', async () => {
    const order: string[] = [];
    const held = gate();
    const a = withCartLock(first, cart, async () => {
      order.push('a start');
      await held.opened;
      order.push('a end');
    });
    await until(async () => (await locksOn(cart)).granted === 1);
    const b = withCartLock(second, cart, async () => {
      order.push('b');
    });
    await until(async () => (await locksOn(cart)).waiting === 1);
    // Another cart is not held up by this one.
    await withCartLock(second, `${cart}_other`, async () => {
      order.push('other cart');
    });
    expect(order).toEqual(['a start', 'other cart']);
    held.open();
    await Promise.all([a, b]);
    expect(order).toEqual(['a start', 'other cart', 'a end', 'b']);
    expect(await locksOn(cart)).toEqual({ granted: 0, waiting: 0 });
  });

  test('a wait past the timeout is LEDGER_CONFLICT (the gateway retries); a throwing holder still releases', async () => {
    const held = gate();
    const a = withCartLock(first, cart, async () => {
      await held.opened;
      throw new Error('the workflow failed');
    });
    await until(async () => (await locksOn(cart)).granted === 1);
    const waited = withCartLock(second, cart, async () => 'never', { timeoutMs: 50 });
    await expect(waited).rejects.toBeInstanceOf(KassaError);
    await expect(waited).rejects.toMatchObject({ code: 'LEDGER_CONFLICT' });
    held.open();
    await expect(a).rejects.toThrow('the workflow failed');
    expect(await locksOn(cart)).toEqual({ granted: 0, waiting: 0 });
    await expect(withCartLock(second, cart, async () => 'ran')).resolves.toBe('ran');
  });
});
