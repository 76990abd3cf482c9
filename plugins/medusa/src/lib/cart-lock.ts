import { KassaError, type SqlClient } from '@kassa/core';

/**
 * One settlement of a cart at a time across every Medusa process on the shop's database.
 *
 * Medusa's own cart lock is only as wide as its locking provider: the default (in-memory) one locks within a process,
 * so two instances taking the same callbacks both complete the cart and the cart gets two orders (issue #11 §1). The
 * plugin cannot choose the shop's locking provider, but every instance shares the database, so the settle step takes a
 * PostgreSQL advisory lock keyed by the cart for the Medusa side of a settlement; whoever waits re-reads the cart
 * afterwards and finds the order made.
 *
 * A transaction-level lock (`pg_advisory_xact_lock`) on one connection of the module's pool rather than a session
 * lock: it is released by COMMIT/ROLLBACK whatever happens (also when the connection breaks), so a connection never
 * goes back to the pool still holding a cart. `lock_timeout` bounds the wait: a settlement stuck behind a hung one
 * fails with a retryable error instead of holding the gateway's callback (and a pool connection) forever.
 */
export const CART_LOCK_TIMEOUT_MS = 30_000;

/** The lock's key: namespaced, so the plugin's locks never collide with another extension's advisory locks. */
export function cartLockKey(cartId: string): string {
  return `kassa:cart:${cartId}`;
}

/** PostgreSQL's SQLSTATE for a lock wait cut short by `lock_timeout`. */
const LOCK_NOT_AVAILABLE = '55P03';

export async function withCartLock<T>(
  sql: SqlClient,
  cartId: string,
  work: () => Promise<T>,
  options: { timeoutMs?: number } = {},
): Promise<T> {
  if (!sql.transaction) throw new Error('the cart lock needs a SQL client with transactions');
  const timeoutMs = Math.max(1, Math.trunc(options.timeoutMs ?? CART_LOCK_TIMEOUT_MS));
  return sql.transaction(async (trx) => {
    // `set local` takes no bind parameters; the value is an integer we computed.
    await trx.query(`set local lock_timeout = ${timeoutMs}`, []);
    try {
      await trx.query('select pg_advisory_xact_lock(hashtextextended(?, 0))', [cartLockKey(cartId)]);
    } catch (error) {
      if ((error as { code?: unknown }).code === LOCK_NOT_AVAILABLE) {
        throw new KassaError('LEDGER_CONFLICT', 'Another settlement of this cart is still running', {
          details: { cart: cartId },
          cause: error,
        });
      }
      throw error;
    }
    return work();
  });
}
