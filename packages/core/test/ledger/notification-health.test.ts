import { randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isKassaError } from '../../src/errors.js';
import {
  createMemoryNotificationJournal,
  migrateNotificationJournal,
  type NotificationJournal,
  type NotificationJournalOptions,
  notificationJournalSchemaStatements,
  type SqlClient,
  SqlNotificationJournal,
  type SqlNotificationJournalOptions,
  sqlClientFromNodeSqlite,
  sqlClientFromPg,
} from '../../src/ledger/index.js';
import { pgConfig } from './support.js';

const HOUR = 60 * 60 * 1000;
const T0 = new Date('2026-12-04T12:00:00.000Z');

/** A clock the test moves by hand. */
function manualClock() {
  let now = T0.getTime();
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  };
}

type Factory = (options: NotificationJournalOptions) => Promise<{ journal: NotificationJournal }>;

function contract(name: string, create: () => Factory) {
  describe(`notification journal (${name})`, () => {
    test('nothing recorded: never received, no failures', async () => {
      const { journal } = await create()({ now: () => T0 });
      expect(await journal.health('robokassa')).toEqual({ lastReceivedAt: null, lastOkAt: null, failures24h: 0 });
    });

    test('last received, last OK and failures in 24 h, per gateway', async () => {
      const clock = manualClock();
      const { journal } = await create()({ now: clock.now });
      await journal.record('robokassa', { kind: 'rejected', code: 'SIGNATURE_MISMATCH' }); // T0: falls out of 24 h
      clock.advance(2 * HOUR);
      await journal.record('robokassa', { kind: 'paid' }); // T0+2h
      clock.advance(HOUR);
      await journal.record('robokassa', { kind: 'retry', code: 'LEDGER_ERROR' }); // T0+3h
      clock.advance(HOUR);
      await journal.record('robokassa', { kind: 'rejected', code: 'AMOUNT_MISMATCH' }); // T0+4h
      await journal.record('assist', { kind: 'declined' }); // T0+4h
      clock.advance(21 * HOUR); // T0+25h

      expect(await journal.health('robokassa')).toEqual({
        lastReceivedAt: new Date(T0.getTime() + 4 * HOUR),
        lastOkAt: new Date(T0.getTime() + 2 * HOUR),
        failures24h: 2,
      });
      expect(await journal.health('assist')).toEqual({
        lastReceivedAt: new Date(T0.getTime() + 4 * HOUR),
        lastOkAt: new Date(T0.getTime() + 4 * HOUR),
        failures24h: 0,
      });
      // As of an earlier instant: only what had arrived by then.
      expect(await journal.health('robokassa', new Date(T0.getTime() + HOUR))).toEqual({
        lastReceivedAt: T0,
        lastOkAt: null,
        failures24h: 1,
      });
    });

    test('every OK kind counts as OK; replays and after-refund are not failures', async () => {
      const clock = manualClock();
      const { journal } = await create()({ now: clock.now });
      for (const kind of ['replay', 'after-refund', 'declined'] as const) {
        clock.advance(1000);
        await journal.record('assist', { kind });
      }
      const health = await journal.health('assist');
      expect(health.failures24h).toBe(0);
      expect(health.lastOkAt).toEqual(new Date(T0.getTime() + 3000));
    });

    test('rows older than the retention window are deleted on the next write', async () => {
      const clock = manualClock();
      const { journal } = await create()({ now: clock.now, retentionMs: 48 * HOUR });
      await journal.record('robokassa', { kind: 'paid' });
      await journal.record('robokassa', { kind: 'rejected', code: 'SIGNATURE_MISMATCH' });
      const asOfT0 = () => journal.health('robokassa', T0);
      expect(await asOfT0()).toEqual({ lastReceivedAt: T0, lastOkAt: T0, failures24h: 1 });
      clock.advance(49 * HOUR);
      // Not yet written: still there (pruning happens on write, not on read).
      expect((await asOfT0()).lastReceivedAt).toEqual(T0);
      await journal.record('assist', { kind: 'paid' });
      expect(await asOfT0()).toEqual({ lastReceivedAt: null, lastOkAt: null, failures24h: 0 });
    });

    test('a bad gateway id or outcome kind is refused and writes nothing; a non-code code is dropped', async () => {
      const { journal } = await create()({ now: () => T0 });
      const refused = async (run: () => Promise<void>) => {
        const error = await run().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isKassaError(error) && error.code === 'CONFIG_INVALID').toBe(true);
      };
      await refused(() => journal.record('Robo kassa', { kind: 'paid' }));
      await refused(() => journal.record('robokassa', { kind: 'lost' as 'paid' }));
      expect(await journal.health('robokassa')).toEqual({ lastReceivedAt: null, lastOkAt: null, failures24h: 0 });
      await journal.record('robokassa', { kind: 'rejected', code: 'secret=abc; drop table' });
      expect((await journal.health('robokassa')).failures24h).toBe(1);
    });

    test('a retention shorter than the 24-hour window is a configuration error', async () => {
      await expect(create()({ retentionMs: HOUR })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    });
  });
}

contract('memory', () => async (options) => ({ journal: createMemoryNotificationJournal(options) }));

const sqliteDbs: DatabaseSync[] = [];
afterAll(() => {
  for (const db of sqliteDbs) if (db.isOpen) db.close();
});

function sqlFactory(client: () => SqlClient, dialect: 'postgres' | 'sqlite'): Factory {
  return async (options) => {
    const table = `kassa_notification_t${randomBytes(4).toString('hex')}`;
    const sql = client();
    await migrateNotificationJournal(sql, dialect, { table });
    // Twice: the statements are idempotent.
    await migrateNotificationJournal(sql, dialect, { table });
    const journal = new SqlNotificationJournal(sql, { dialect, table, ...options });
    return { journal };
  };
}

contract('SQLite', () =>
  sqlFactory(() => {
    const db = new DatabaseSync(':memory:');
    sqliteDbs.push(db);
    return sqlClientFromNodeSqlite(db);
  }, 'sqlite'),
);

const pgName = `h_kassa_notification_${randomBytes(6).toString('hex')}`;
let pool: pg.Pool | undefined;

beforeAll(async () => {
  const admin = new pg.Client(pgConfig('postgres'));
  await admin.connect();
  try {
    await admin.query(`create database ${pgName}`);
  } finally {
    await admin.end();
  }
  pool = new pg.Pool({ ...pgConfig(pgName), max: 4 });
  // An idle connection the server ends (another suite's teardown on the shared PostgreSQL) must not crash the file
  // through an unhandled 'error' event; a query on it would still fail its test.
  pool.on('error', () => undefined);
});

afterAll(async () => {
  await pool?.end();
  const admin = new pg.Client(pgConfig('postgres'));
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${pgName} with (force)`);
  } finally {
    await admin.end();
  }
});

contract('PostgreSQL', () => sqlFactory(() => sqlClientFromPg(pool as pg.Pool), 'postgres'));
// Batched writes (the Medusa plugin's setting): the same contract, since a read writes what is pending first.
contract('PostgreSQL, batched', () => {
  const factory = sqlFactory(() => sqlClientFromPg(pool as pg.Pool), 'postgres');
  return (options) => factory({ ...options, batchMs: 60_000 } as NotificationJournalOptions);
});

describe('SqlNotificationJournal batching', () => {
  /** SQLite behind a client that counts the statements it is given. */
  async function counted(options: Partial<SqlNotificationJournalOptions> = {}) {
    const db = new DatabaseSync(':memory:');
    sqliteDbs.push(db);
    const inner = sqlClientFromNodeSqlite(db);
    await migrateNotificationJournal(inner, 'sqlite');
    const statements: string[] = [];
    const sql: SqlClient = {
      ...inner,
      query: (text, params) => {
        statements.push(text.split(' ')[0] ?? '');
        return inner.query(text, params);
      },
    };
    const clock = manualClock();
    return {
      journal: new SqlNotificationJournal(sql, { dialect: 'sqlite', now: clock.now, ...options }),
      statements,
      clock,
    };
  }

  test('100 records in a batch are one insert; health writes them first and sees them all', async () => {
    const { journal, statements } = await counted({ batchMs: 60_000 });
    for (let i = 0; i < 100; i += 1) await journal.record('robokassa', { kind: i % 10 === 0 ? 'rejected' : 'replay' });
    expect(statements).toEqual([]);
    expect(await journal.health('robokassa')).toEqual({ lastReceivedAt: T0, lastOkAt: T0, failures24h: 10 });
    expect(statements).toEqual(['insert', 'delete', 'select']);
  });

  test('the batch is written when its window ends, without a read', async () => {
    const { journal, statements } = await counted({ batchMs: 5 });
    await journal.record('assist', { kind: 'paid' });
    await journal.record('assist', { kind: 'paid' });
    while (statements.length === 0) await new Promise((wake) => setTimeout(wake, 5));
    expect(statements[0]).toBe('insert');
  });

  test('unbatched: one insert per record, and old rows are pruned at most once an hour', async () => {
    const { journal, statements, clock } = await counted();
    await journal.record('robokassa', { kind: 'paid' });
    await journal.record('robokassa', { kind: 'paid' });
    clock.advance(HOUR);
    await journal.record('robokassa', { kind: 'paid' });
    expect(statements).toEqual(['insert', 'delete', 'insert', 'insert', 'delete']);
  });

  test('a failed batch goes to onBatchError and never to the caller of record', async () => {
    const errors: unknown[] = [];
    const sql: SqlClient = { query: async () => Promise.reject(new Error('database gone')) } as unknown as SqlClient;
    const journal = new SqlNotificationJournal(sql, {
      dialect: 'sqlite',
      batchMs: 1,
      onBatchError: (e) => errors.push(e),
    });
    await journal.record('robokassa', { kind: 'paid' });
    while (errors.length === 0) await new Promise((wake) => setTimeout(wake, 5));
    expect(String(errors[0])).toContain('database gone');
  });
});

describe('notification journal schema', () => {
  test('the database refuses an unknown outcome kind (the check constraint)', async () => {
    const db = new DatabaseSync(':memory:');
    sqliteDbs.push(db);
    const sql = sqlClientFromNodeSqlite(db);
    for (const statement of notificationJournalSchemaStatements('sqlite')) await sql.query(statement, []);
    await expect(
      sql.query('insert into kassa_notification (gateway, received_at, outcome) values (?, ?, ?)', ['x', 1, 'lost']),
    ).rejects.toThrow();
  });

  test('a table name outside [a-z0-9_] is refused', () => {
    expect(() => notificationJournalSchemaStatements('postgres', { table: 'x; drop' })).toThrow(/notification table/);
  });
});
