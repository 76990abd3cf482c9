/**
 * The one thing the SQL ledger needs from a database driver: run a parameterised statement and get rows, and
 * (optionally) run several statements in one transaction on one connection. Placeholders are `?`, in order; the
 * adapters below translate them for their driver. The ledger's own SQL never has a `?` anywhere else (not in
 * string literals, not in comments), so the translation is a plain scan.
 */
export interface SqlClient {
  query<Row extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params: readonly unknown[],
  ): Promise<Row[]>;
  /**
   * Runs `fn` inside one transaction (`BEGIN` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite) on one connection, and
   * commits when it resolves or rolls back when it throws. Statements inside must go through the client `fn` is
   * given. Optional: the ledger works without it (each statement is atomic on its own); migrations and SQLite's
   * allocation use it when present.
   */
  transaction?<T>(fn: (client: SqlClient) => Promise<T>): Promise<T>;
}

export type SqlDialect = 'postgres' | 'sqlite';
export const SQL_DIALECTS: readonly SqlDialect[] = ['postgres', 'sqlite'];

/** Runs tasks one at a time, in order (an in-process lock for a single connection). */
class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T> | T): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/**
 * `?` → `$1, $2…` for PostgreSQL drivers. Skips quoted literals and identifiers, so a `?` there (which the ledger's
 * SQL never has) stays as it is.
 */
export function toDollarPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let quote: string | undefined;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = undefined;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      n += 1;
      out += `$${n}`;
    } else {
      out += ch;
    }
  }
  return out;
}

function rowsOf<Row>(result: unknown, driver: string): Row[] {
  if (Array.isArray(result)) return result as Row[];
  if (result && typeof result === 'object' && Array.isArray((result as { rows?: unknown }).rows)) {
    return (result as { rows: Row[] }).rows;
  }
  throw new Error(`The ${driver} client returned neither rows nor an array of rows`);
}

// ---------------------------------------------------------------------------------------------------------------
// pg (node-postgres)

/** The part of a `pg` `Client` or `PoolClient` we call. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** The part of a `pg` `Pool` we call. */
export interface PgPoolLike extends PgQueryable {
  connect(): Promise<PgQueryable & { release(error?: Error | boolean): void }>;
  readonly totalCount: number;
}

function isPool(value: PgQueryable | PgPoolLike): value is PgPoolLike {
  return 'totalCount' in value && typeof (value as { connect?: unknown }).connect === 'function';
}

/** pg serialises bigint inconsistently across versions: send decimal strings (the ledger casts them). */
function pgValue(value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value === undefined ? null : value;
}

function pgConnectionClient(conn: PgQueryable): SqlClient {
  const client: SqlClient = {
    async query<Row extends Record<string, unknown>>(sql: string, params: readonly unknown[]): Promise<Row[]> {
      const result = await conn.query(toDollarPlaceholders(sql), params.map(pgValue));
      return rowsOf<Row>(result, 'pg');
    },
    // Already inside a transaction on this connection.
    transaction: (fn) => fn(client),
  };
  return client;
}

/** BEGIN … COMMIT on one connection; `onRollbackFailure` hears of a connection left in an unknown state. */
async function inPgTransaction<T>(
  conn: PgQueryable,
  fn: (client: SqlClient) => Promise<T>,
  onRollbackFailure: (error: Error) => void = () => undefined,
): Promise<T> {
  await conn.query('BEGIN');
  try {
    const result = await fn(pgConnectionClient(conn));
    await conn.query('COMMIT');
    return result;
  } catch (error) {
    await conn.query('ROLLBACK').catch((rollbackError: unknown) => {
      onRollbackFailure(rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError)));
    });
    throw error;
  }
}

/**
 * A `SqlClient` over the `pg` package: a `Pool` (statements go to any connection; a transaction checks one out), a
 * `Client` or a checked-out `PoolClient` (one connection: statements are queued in-process so a transaction never
 * takes in someone else's statement).
 */
export function sqlClientFromPg(pg: PgPoolLike | PgQueryable): SqlClient {
  if (isPool(pg)) {
    const pool = pg;
    return {
      async query<Row extends Record<string, unknown>>(sql: string, params: readonly unknown[]): Promise<Row[]> {
        return rowsOf<Row>(await pool.query(toDollarPlaceholders(sql), params.map(pgValue)), 'pg');
      },
      async transaction<T>(fn: (client: SqlClient) => Promise<T>): Promise<T> {
        const conn = await pool.connect();
        // A connection whose ROLLBACK failed is in an unknown state: it must not go back to the pool.
        let broken: Error | undefined;
        try {
          return await inPgTransaction(conn, fn, (error) => {
            broken = error;
          });
        } finally {
          conn.release(broken);
        }
      },
    };
  }
  const conn = pg;
  const queue = new SerialQueue();
  const direct = pgConnectionClient(conn);
  return {
    query: (sql, params) => queue.run(() => direct.query(sql, params)),
    transaction: (fn) => queue.run(() => inPgTransaction(conn, fn)),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// knex

/** The part of knex we call. `raw` takes `?` placeholders; on PostgreSQL it returns pg's result (`{ rows }`). */
export interface KnexLike {
  raw(sql: string, bindings: readonly unknown[]): PromiseLike<unknown>;
  transaction?(scope: (trx: KnexLike) => Promise<unknown>): PromiseLike<unknown>;
}

/**
 * A `SqlClient` over a knex instance or transaction (Medusa hands modules its pool as `__pg_connection__`). knex
 * translates the `?` placeholders itself.
 */
export function sqlClientFromKnex(knex: KnexLike): SqlClient {
  const client: SqlClient = {
    async query<Row extends Record<string, unknown>>(sql: string, params: readonly unknown[]): Promise<Row[]> {
      return rowsOf<Row>(await knex.raw(sql, params.map(pgValue)), 'knex');
    },
  };
  if (typeof knex.transaction === 'function') {
    client.transaction = async <T>(fn: (client: SqlClient) => Promise<T>): Promise<T> =>
      (await knex.transaction!((trx) => fn(sqlClientFromKnex(trx)))) as T;
  }
  return client;
}

// ---------------------------------------------------------------------------------------------------------------
// node:sqlite

/** The part of a `node:sqlite` `StatementSync` we call. */
export interface NodeSqliteStatementLike {
  all(...params: never[]): unknown[];
}

/** The part of a `node:sqlite` `DatabaseSync` (Node ≥ 22.13) we call. */
export interface NodeSqliteDatabaseLike {
  exec(sql: string): void;
  prepare(sql: string): NodeSqliteStatementLike;
  /** The file's path (`null` in memory); connections to one file in one process share a queue. */
  location?(): string | null;
}

export interface NodeSqliteClientOptions {
  /** How long a statement waits for another process's write lock before failing (`PRAGMA busy_timeout`). Default 5000. */
  busyTimeoutMs?: number;
  /** Switch the database to write-ahead logging (readers never block the writer). Default true. */
  wal?: boolean;
}

/** node:sqlite binds null, numbers, bigints, strings and bytes; booleans become 0/1. */
function sqliteValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

const MAX_CACHED_STATEMENTS = 64;

/**
 * One queue per database file per process. node:sqlite is synchronous: if a second connection in the same thread
 * waited (busy_timeout) for a write lock held by a transaction of the first, the thread would block and the first
 * could never finish. So connections to the same file in one process take turns here, and only other processes
 * meet SQLite's lock.
 */
const fileQueues = new Map<string, SerialQueue>();

function queueFor(db: NodeSqliteDatabaseLike): SerialQueue {
  const location = typeof db.location === 'function' ? db.location() : null;
  if (!location) return new SerialQueue();
  let queue = fileQueues.get(location);
  if (!queue) {
    queue = new SerialQueue();
    fileQueues.set(location, queue);
  }
  return queue;
}

/**
 * A `SqlClient` over a `node:sqlite` `DatabaseSync` (built into Node, no native addon). The connection is
 * synchronous, so every statement runs through an in-process queue (shared by every connection to the same file in
 * this process) and a transaction (`BEGIN IMMEDIATE`, taking the write lock up front) holds the queue until it ends.
 * Across processes SQLite's own file lock serialises writers; `busy_timeout` makes a writer wait for it rather than
 * fail (blocking its thread meanwhile: node:sqlite has no asynchronous wait). Sets `journal_mode=WAL` and
 * `busy_timeout` on the database it is given.
 */
export function sqlClientFromNodeSqlite(db: NodeSqliteDatabaseLike, options: NodeSqliteClientOptions = {}): SqlClient {
  const busy = options.busyTimeoutMs ?? 5000;
  if (!Number.isSafeInteger(busy) || busy < 0) throw new RangeError('busyTimeoutMs must be a non-negative integer');
  db.exec(`PRAGMA busy_timeout = ${busy}`);
  if (options.wal ?? true) db.exec('PRAGMA journal_mode = WAL');

  const statements = new Map<string, NodeSqliteStatementLike>();
  function prepare(sql: string): NodeSqliteStatementLike {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      if (statements.size >= MAX_CACHED_STATEMENTS) {
        const oldest = statements.keys().next().value;
        if (oldest !== undefined) statements.delete(oldest);
      }
      statements.set(sql, statement);
    }
    return statement;
  }
  const run = <Row>(sql: string, params: readonly unknown[]): Row[] =>
    prepare(sql).all(...(params.map(sqliteValue) as never[])) as Row[];

  const queue = queueFor(db);
  const inside: SqlClient = {
    async query<Row extends Record<string, unknown>>(sql: string, params: readonly unknown[]): Promise<Row[]> {
      return run<Row>(sql, params);
    },
    transaction: (fn) => fn(inside),
  };
  return {
    query: <Row extends Record<string, unknown>>(sql: string, params: readonly unknown[]) =>
      queue.run(() => run<Row>(sql, params)),
    transaction: <T>(fn: (client: SqlClient) => Promise<T>) =>
      queue.run(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(inside);
          db.exec('COMMIT');
          return result;
        } catch (error) {
          try {
            db.exec('ROLLBACK');
          } catch {
            // SQLite may have rolled back already (e.g. after SQLITE_FULL); the original error is what matters.
          }
          throw error;
        }
      }),
  };
}
