/**
 * The app's database: one SQL layer (core's `SqlClient`) for core's ledger, the Shopify session storage and the
 * app's own tables, on SQLite (node:sqlite, the default: no native addon) or PostgreSQL (`pg`). The dialect is chosen
 * by the URL: `postgres://…` / `postgresql://…` → PostgreSQL, `sqlite:PATH`, a file path or `:memory:` → SQLite.
 */
import { DatabaseSync } from 'node:sqlite';
import {
  migrateLedger,
  type SqlClient,
  type SqlDialect,
  SqlLedger,
  sqlClientFromNodeSqlite,
  sqlClientFromPg,
} from '@kassa/core';
import pg from 'pg';

export interface Database {
  readonly client: SqlClient;
  readonly dialect: SqlDialect;
  readonly ledger: SqlLedger;
  /** The raw driver handle, for the session storage adapter of the dialect. */
  readonly sqlite?: DatabaseSync | undefined;
  readonly pgPool?: pg.Pool | undefined;
  readonly url: string;
  close(): Promise<void>;
}

export function dialectOf(url: string): SqlDialect {
  return /^postgres(ql)?:\/\//i.test(url) ? 'postgres' : 'sqlite';
}

/** Opens the database and runs every migration (core's ledger first, then the app's). Idempotent. */
export async function openDatabase(url: string): Promise<Database> {
  const dialect = dialectOf(url);
  let client: SqlClient;
  let sqlite: DatabaseSync | undefined;
  let pgPool: pg.Pool | undefined;
  if (dialect === 'postgres') {
    pgPool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle connection the server closes (restart, failover) must not crash the process: the pool replaces it.
    pgPool.on('error', () => undefined);
    client = sqlClientFromPg(pgPool);
  } else {
    const path = url.replace(/^sqlite:(\/\/)?/i, '');
    sqlite = new DatabaseSync(path);
    client = sqlClientFromNodeSqlite(sqlite);
  }
  await migrateLedger(client, dialect);
  await migrateApp(client, dialect);
  const ledger = new SqlLedger(client, { dialect });
  return {
    client,
    dialect,
    ledger,
    sqlite,
    pgPool,
    url,
    async close() {
      if (pgPool) await pgPool.end();
      if (sqlite) sqlite.close();
    },
  };
}

/**
 * The app's tables. Each migration is written once with three dialect tokens (`{id}` an auto-increment primary key,
 * `{big}` a 64-bit integer, `{text}`); everything else is SQL both databases read the same way.
 */
const TOKENS: Record<SqlDialect, Record<string, string>> = {
  postgres: { id: 'bigint generated always as identity primary key', big: 'bigint', text: 'text' },
  sqlite: { id: 'integer primary key autoincrement', big: 'integer', text: 'text' },
};

export const APP_MIGRATIONS: ReadonlyArray<{ version: number; name: string; statements: readonly string[] }> = [
  {
    version: 1,
    name: 'sessions, operations, outbox, shops',
    statements: [
      `create table if not exists kassa_shopify_payment (
        id {text} primary key,
        shop {text} not null,
        gid {text} not null,
        kind {text} not null,
        amount {text} not null,
        currency {text} not null,
        test {big} not null,
        cancel_url {text} not null,
        customer {text},
        gateway {text},
        invoice_id {text},
        status {text} not null,
        next_url {text},
        claim_until {big} not null default 0,
        created_at {big} not null,
        updated_at {big} not null
      )`,
      'create index if not exists kassa_shopify_payment_shop on kassa_shopify_payment (shop)',
      'create index if not exists kassa_shopify_payment_invoice on kassa_shopify_payment (gateway, invoice_id)',
      `create table if not exists kassa_shopify_operation (
        id {text} primary key,
        kind {text} not null,
        shop {text} not null,
        gid {text} not null,
        payment_id {text} not null,
        amount {text},
        currency {text},
        status {text} not null,
        created_at {big} not null,
        updated_at {big} not null
      )`,
      `create table if not exists kassa_shopify_outbox (
        id {id},
        dedupe {text} not null unique,
        shop {text} not null,
        kind {text} not null,
        payload {text} not null,
        attempts {big} not null default 0,
        next_at {big} not null,
        locked_until {big} not null default 0,
        done_at {big},
        last_error {text},
        result {text},
        created_at {big} not null
      )`,
      'create index if not exists kassa_shopify_outbox_due on kassa_shopify_outbox (done_at, next_at)',
      `create table if not exists kassa_shopify_shop (
        shop {text} primary key,
        gateway {text} not null,
        settings {text} not null,
        external_handle {text} not null,
        ready {big} not null,
        installed {big} not null default 1,
        updated_at {big} not null
      )`,
    ],
  },
];

function render(sql: string, dialect: SqlDialect): string {
  return sql.replace(/\{(id|big|text)\}/g, (_, token: string) => TOKENS[dialect][token] ?? token);
}

export async function migrateApp(client: SqlClient, dialect: SqlDialect): Promise<number[]> {
  const run = async (c: SqlClient) => {
    await c.query(
      `create table if not exists kassa_shopify_migration (version ${TOKENS[dialect].big} primary key, name ${TOKENS[dialect].text} not null, applied_at ${TOKENS[dialect].big} not null)`,
      [],
    );
    if (dialect === 'postgres') await c.query('select pg_advisory_xact_lock(7356001)', []);
    const done = new Set(
      (await c.query<{ version: unknown }>('select version from kassa_shopify_migration', [])).map((r) =>
        Number(r.version),
      ),
    );
    const applied: number[] = [];
    for (const migration of APP_MIGRATIONS) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements) await c.query(render(statement, dialect), []);
      await c.query(
        'insert into kassa_shopify_migration (version, name, applied_at) values (?, ?, ?) on conflict (version) do nothing',
        [migration.version, migration.name, Date.now()],
      );
      applied.push(migration.version);
    }
    return applied;
  };
  return client.transaction ? client.transaction(run) : run(client);
}
