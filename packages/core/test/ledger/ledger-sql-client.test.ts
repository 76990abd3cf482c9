import { DatabaseSync } from 'node:sqlite';
import { describe, expect, test } from 'vitest';
import { isKassaError } from '../../src/errors.js';
import {
  type PgQueryable,
  SqlLedger,
  sqlClientFromKnex,
  sqlClientFromNodeSqlite,
  sqlClientFromPg,
} from '../../src/ledger/index.js';
import { toDollarPlaceholders } from '../../src/ledger/sql/client.js';

describe('SQL clients', () => {
  test('? placeholders become $n outside quoted literals and identifiers', () => {
    expect(toDollarPlaceholders(`select ?, '?', "a?b", x || ? from t where y in (?, ?)`)).toBe(
      `select $1, '?', "a?b", x || $2 from t where y in ($3, $4)`,
    );
    expect(toDollarPlaceholders(`select 'it''s ?', ?`)).toBe(`select 'it''s ?', $1`);
  });

  test('pg: bigint and undefined parameters are sent as text and null', async () => {
    const calls: Array<[string, unknown[] | undefined]> = [];
    const client = sqlClientFromPg({
      async query(text: string, values?: unknown[]) {
        calls.push([text, values]);
        return { rows: [{ ok: 1 }] };
      },
    });
    expect(await client.query('select ?, ?, ?', [12n, undefined, true])).toEqual([{ ok: 1 }]);
    expect(calls).toEqual([['select $1, $2, $3', ['12', null, true]]]);
  });

  test('pg Client: a statement issued during a transaction waits until it commits', async () => {
    const log: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const conn: PgQueryable = {
      async query(text: string) {
        log.push(text);
        return { rows: [] };
      },
    };
    const client = sqlClientFromPg(conn);
    const tx = client.transaction!(async (inner) => {
      await inner.query('update a', []);
      await gate;
      await inner.query('update b', []);
    });
    const outside = client.query('select outside', []);
    await new Promise((resolve) => setTimeout(resolve, 10));
    release();
    await Promise.all([tx, outside]);
    expect(log).toEqual(['BEGIN', 'update a', 'update b', 'COMMIT', 'select outside']);
  });

  test('pg Pool: a transaction runs on one connection; a connection whose ROLLBACK failed is not reused', async () => {
    const released: unknown[] = [];
    const log: string[] = [];
    const makePool = (rollbackFails: boolean) => ({
      totalCount: 0,
      async query() {
        return { rows: [] };
      },
      async connect() {
        return {
          async query(text: string) {
            log.push(text);
            if (text === 'ROLLBACK' && rollbackFails) throw new Error('connection lost');
            return { rows: [] };
          },
          release(error?: Error | boolean) {
            released.push(error);
          },
        };
      },
    });
    const fail = async () => {
      throw new Error('boom');
    };
    await expect(sqlClientFromPg(makePool(false)).transaction!(fail)).rejects.toThrow('boom');
    await expect(sqlClientFromPg(makePool(true)).transaction!(fail)).rejects.toThrow('boom');
    expect(
      await sqlClientFromPg(makePool(false)).transaction!(async (tx) => {
        await tx.query('x', []);
        return 7;
      }),
    ).toBe(7);
    expect(released.map((e) => (e instanceof Error ? e.message : e))).toEqual([
      undefined,
      'connection lost',
      undefined,
    ]);
    expect(log).toEqual(['BEGIN', 'ROLLBACK', 'BEGIN', 'ROLLBACK', 'BEGIN', 'x', 'COMMIT']);
  });

  test('knex: rows from pg results and from arrays; transactions get a client over the knex transaction', async () => {
    const seen: Array<[string, readonly unknown[]]> = [];
    const trx = {
      async raw(sql: string, bindings: readonly unknown[]) {
        seen.push([`trx:${sql}`, bindings]);
        return [{ inside: true }];
      },
    };
    const knex = {
      async raw(sql: string, bindings: readonly unknown[]) {
        seen.push([sql, bindings]);
        return sql === 'weird' ? { count: 1 } : { rows: [{ n: 1 }] };
      },
      async transaction(scope: (t: typeof trx) => Promise<unknown>) {
        return scope(trx);
      },
    };
    const client = sqlClientFromKnex(knex);
    expect(await client.query('select ?', [5n])).toEqual([{ n: 1 }]);
    expect(await client.transaction!((tx) => tx.query('select 1', []))).toEqual([{ inside: true }]);
    await expect(client.query('weird', [])).rejects.toThrow(/neither rows/);
    expect(seen[0]).toEqual(['select ?', ['5']]);
    expect(sqlClientFromKnex({ raw: knex.raw }).transaction).toBeUndefined();
  });

  test('node:sqlite: booleans bind as 0/1 and a bad busy timeout is refused', async () => {
    const db = new DatabaseSync(':memory:');
    try {
      const client = sqlClientFromNodeSqlite(db);
      expect(await client.query('select ? as t, ? as f, ? as n', [true, false, undefined])).toEqual([
        { t: 1, f: 0, n: null },
      ]);
      expect(() => sqlClientFromNodeSqlite(db, { busyTimeoutMs: -1 })).toThrow(RangeError);
    } finally {
      db.close();
    }
  });

  test('SqlLedger refuses an unknown dialect or an unsafe table name', () => {
    const client = sqlClientFromKnex({ raw: async () => [] });
    for (const options of [
      { dialect: 'mysql' },
      { dialect: 'postgres', table: 'payments; drop table x' },
      { dialect: 'sqlite', table: 'Payments' },
      { dialect: 'sqlite', table: 'x'.repeat(41) },
    ]) {
      let error: unknown;
      try {
        // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong input from an untyped caller
        new SqlLedger(client, options as any);
      } catch (e) {
        error = e;
      }
      expect(isKassaError(error, 'CONFIG_INVALID')).toBe(true);
    }
  });
});
