/**
 * The bridge's state in core's SQL ledger (SQLite by default, PostgreSQL for several instances) plus two small tables
 * beside it on the same SQL layer: the merchant's gateway settings (encrypted with AES-256-GCM under a key derived from
 * the shared secret: the database alone does not give the credentials away) and each order's return URLs.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import {
  migrateLedger,
  type SqlClient,
  type SqlDialect,
  SqlLedger,
  sqlClientFromNodeSqlite,
  sqlClientFromPg,
} from '@kassa/core';

export interface BridgeStore {
  readonly ledger: SqlLedger;
  readonly client: SqlClient;
  readonly dialect: SqlDialect;
  loadSettings(): Promise<unknown | undefined>;
  saveSettings(settings: unknown): Promise<void>;
  saveUrls(orderId: number, urls: { returnUrl: string; cancelUrl: string }): Promise<void>;
  loadUrls(orderId: number): Promise<{ returnUrl: string; cancelUrl: string } | undefined>;
  close(): Promise<void>;
}

/** `sqlite:/path/file.db` (default `sqlite:kassa-woocommerce.db`), `sqlite::memory:`, or `postgres://…`. */
export async function openStore(databaseUrl: string, secret: string): Promise<BridgeStore> {
  let client: SqlClient;
  let dialect: SqlDialect;
  let close: () => Promise<void>;
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const pg = (await import('pg')).default;
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
    client = sqlClientFromPg(pool);
    dialect = 'postgres';
    close = () => pool.end();
  } else {
    const path = databaseUrl.replace(/^sqlite:/, '');
    const db = new DatabaseSync(path === '' ? 'kassa-woocommerce.db' : path);
    client = sqlClientFromNodeSqlite(db);
    dialect = 'sqlite';
    close = async () => db.close();
  }
  await migrateLedger(client, dialect);
  const text = dialect === 'postgres' ? 'text' : 'text';
  await client.query(
    `create table if not exists kassa_wc_settings (name ${text} primary key, value ${text} not null, updated_at bigint not null)`,
    [],
  );
  await client.query(
    `create table if not exists kassa_wc_order (order_id bigint primary key, return_url ${text} not null, cancel_url ${text} not null)`,
    [],
  );
  const key = Buffer.from(hkdfSync('sha256', secret, 'kassa-woocommerce', 'settings', 32));
  const encrypt = (plain: string) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  };
  const decrypt = (sealed: string) => {
    const raw = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  };
  const upsert =
    dialect === 'postgres'
      ? 'insert into kassa_wc_settings (name, value, updated_at) values (?, ?, ?) on conflict (name) do update set value = excluded.value, updated_at = excluded.updated_at'
      : 'insert into kassa_wc_settings (name, value, updated_at) values (?, ?, ?) on conflict (name) do update set value = excluded.value, updated_at = excluded.updated_at';
  return {
    ledger: new SqlLedger(client, { dialect }),
    client,
    dialect,
    async loadSettings() {
      const rows = await client.query<{ value: string }>('select value from kassa_wc_settings where name = ?', [
        'gateways',
      ]);
      const value = rows[0]?.value;
      return value === undefined ? undefined : JSON.parse(decrypt(value));
    },
    async saveSettings(settings) {
      await client.query(upsert, ['gateways', encrypt(JSON.stringify(settings)), Date.now()]);
    },
    async saveUrls(orderId, urls) {
      await client.query(
        'insert into kassa_wc_order (order_id, return_url, cancel_url) values (?, ?, ?) on conflict (order_id) do update set return_url = excluded.return_url, cancel_url = excluded.cancel_url',
        [orderId, urls.returnUrl, urls.cancelUrl],
      );
    },
    async loadUrls(orderId) {
      const rows = await client.query<{ return_url: string; cancel_url: string }>(
        'select return_url, cancel_url from kassa_wc_order where order_id = ?',
        [orderId],
      );
      const row = rows[0];
      return row ? { returnUrl: row.return_url, cancelUrl: row.cancel_url } : undefined;
    },
    close,
  };
}
