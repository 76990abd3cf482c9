/**
 * Where OAuth sessions (the offline access token per shop) live.
 *
 * - PostgreSQL: Shopify's own adapter, `@shopify/shopify-app-session-storage-postgresql`.
 * - SQLite: Shopify's `@shopify/shopify-app-session-storage-sqlite` depends on `sqlite3`, a native addon this project
 *   does not build; `SqlSessionStorage` is the same `SessionStorage` contract over node:sqlite (through core's
 *   `SqlClient`), storing exactly what `Session.toPropertyArray(true)` gives.
 */
import { Session } from '@shopify/shopify-api';
import type { SessionStorage } from '@shopify/shopify-app-session-storage';
import { PostgreSQLSessionStorage } from '@shopify/shopify-app-session-storage-postgresql';
import type { Database } from './db.js';

export class SqlSessionStorage implements SessionStorage {
  readonly #db: Database;
  #ready: Promise<void> | undefined;

  constructor(db: Database) {
    this.#db = db;
  }

  #init(): Promise<void> {
    this.#ready ??= this.#db.client
      .query(
        'create table if not exists kassa_shopify_oauth_session (id text primary key, shop text not null, data text not null)',
        [],
      )
      .then(() =>
        this.#db.client.query(
          'create index if not exists kassa_shopify_oauth_session_shop on kassa_shopify_oauth_session (shop)',
          [],
        ),
      )
      .then(() => undefined);
    return this.#ready;
  }

  async storeSession(session: Session): Promise<boolean> {
    await this.#init();
    await this.#db.client.query(
      `insert into kassa_shopify_oauth_session (id, shop, data) values (?, ?, ?)
       on conflict (id) do update set shop = excluded.shop, data = excluded.data`,
      [session.id, session.shop, JSON.stringify(session.toPropertyArray(true))],
    );
    return true;
  }

  async loadSession(id: string): Promise<Session | undefined> {
    await this.#init();
    const [row] = await this.#db.client.query<{ data: string }>(
      'select data from kassa_shopify_oauth_session where id = ?',
      [id],
    );
    return row ? Session.fromPropertyArray(JSON.parse(row.data), true) : undefined;
  }

  async deleteSession(id: string): Promise<boolean> {
    await this.#init();
    await this.#db.client.query('delete from kassa_shopify_oauth_session where id = ?', [id]);
    return true;
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    for (const id of ids) await this.deleteSession(id);
    return true;
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    await this.#init();
    const rows = await this.#db.client.query<{ data: string }>(
      'select data from kassa_shopify_oauth_session where shop = ? order by id',
      [shop],
    );
    return rows.map((r) => Session.fromPropertyArray(JSON.parse(r.data), true));
  }
}

/** One setting (the database URL) picks the adapter. */
export function sessionStorageFor(db: Database): SessionStorage & { disconnect?: () => Promise<void> } {
  if (db.dialect === 'postgres') {
    return new PostgreSQLSessionStorage(db.url, { sessionTableName: 'kassa_shopify_oauth_session_pg' });
  }
  return new SqlSessionStorage(db);
}
