import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isKassaError } from '../../src/errors.js';
import {
  LEDGER_SCHEMA_VERSION,
  ledgerSchemaStatements,
  ledgerUpgradeStatements,
  MAX_ALLOCATED_INVOICE_ID,
  migrateLedger,
  reserveInvoiceNumbers,
  type SqlClient,
  SqlLedger,
  sqlClientFromKnex,
  sqlClientFromPg,
} from '../../src/ledger/index.js';
import { runPaymentLedgerContract } from '../../src/testing/index.js';
import { createTestDatabase, startRaceWorker, type TestDatabase } from './support.js';

let database: TestDatabase;
let pool: pg.Pool;
let client: SqlClient;
let knex: Knex;
let tables = 0;
const freshTable = () => `kassa_payment_t${++tables}`;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ ...database.config, max: 10 });
  // An idle connection the server ends (another suite's teardown on the shared PostgreSQL) must not crash the file
  // through an unhandled 'error' event; a query on it would still fail its test.
  pool.on('error', () => undefined);
  client = sqlClientFromPg(pool);
  knex = knexFactory({ client: 'pg', connection: database.config, pool: { min: 0, max: 5 } });
});

afterAll(async () => {
  await knex?.destroy();
  await pool?.end();
  await database?.drop();
});

async function freshLedger(sql: SqlClient = client): Promise<SqlLedger> {
  const table = freshTable();
  await migrateLedger(sql, 'postgres', { table });
  return new SqlLedger(sql, { dialect: 'postgres', table });
}

const singles = new WeakMap<object, pg.Client>();

runPaymentLedgerContract({ name: 'postgres (pg Pool)', create: () => freshLedger() }, { describe, test, expect });
runPaymentLedgerContract(
  { name: 'postgres (knex)', create: () => freshLedger(sqlClientFromKnex(knex)) },
  { describe, test, expect },
);
runPaymentLedgerContract(
  {
    name: 'postgres (one pg Client)',
    create: async () => {
      const single = new pg.Client(database.config);
      single.on('error', () => undefined); // see the pool's listener above
      await single.connect();
      const ledger = await freshLedger(sqlClientFromPg(single));
      singles.set(ledger, single);
      return ledger;
    },
    cleanup: async (ledger) => singles.get(ledger)?.end(),
  },
  { describe, test, expect },
);
describe('SqlLedger on PostgreSQL', () => {
  test('a version-1 table (no surplus column) is upgraded in place by migrateLedger and keeps its records', async () => {
    const table = freshTable();
    await migrateLedger(client, 'postgres', { table });
    const ledger = new SqlLedger(client, { dialect: 'postgres', table });
    const record = await ledger.create({
      gateway: 'robokassa',
      reference: 'v1',
      amount: { currency: 'RUB', minor: 5n },
      isTest: false,
    });
    // Back to what version 1 created.
    await client.query(`alter table ${table} drop column surplus`, []);
    await client.query('update kassa_schema_version set version = 1 where name = ?', [table]);
    expect(await migrateLedger(client, 'postgres', { table })).toEqual({
      table,
      fromVersion: 1,
      toVersion: LEDGER_SCHEMA_VERSION,
    });
    await ledger.transition({ ...record, from: ['pending'], to: 'paid', source: 'notification' });
    expect((await ledger.markSurplus(record)).applied).toBe(true);
    expect((await ledger.find(record))?.surplus).toBe(true);
    // The upgrade statements alone (a platform's own migration tool) are idempotent on PostgreSQL.
    for (const statement of ledgerUpgradeStatements('postgres', 1, { table })) await client.query(statement, []);
  });

  test('migrateLedger is idempotent, records its version, and concurrent runs do not collide', async () => {
    const table = freshTable();
    const runs = await Promise.all(Array.from({ length: 5 }, () => migrateLedger(client, 'postgres', { table })));
    expect(runs.filter((r) => r.fromVersion === 0)).toHaveLength(1);
    expect(runs.every((r) => r.toVersion === LEDGER_SCHEMA_VERSION)).toBe(true);
    const ledger = new SqlLedger(client, { dialect: 'postgres', table });
    const record = await ledger.create({
      gateway: 'robokassa',
      reference: 'kept',
      amount: { currency: 'RUB', minor: 1n },
      isTest: false,
    });
    expect(await migrateLedger(client, 'postgres', { table })).toEqual({
      table,
      fromVersion: LEDGER_SCHEMA_VERSION,
      toVersion: LEDGER_SCHEMA_VERSION,
    });
    // Running the raw statements again (a platform's own migration tool) is harmless too.
    for (const statement of ledgerSchemaStatements('postgres', { table })) await client.query(statement, []);
    expect((await ledger.find(record))?.reference).toBe('kept');
    const versions = await client.query<{ version: number }>(
      'select version from kassa_schema_version where name = ?',
      [table],
    );
    expect(versions).toEqual([{ version: LEDGER_SCHEMA_VERSION }]);
  });

  test('the default table and sequence have the documented shape', async () => {
    await migrateLedger(client, 'postgres');
    const columns = await client.query<{ column_name: string; data_type: string; is_nullable: string }>(
      `select column_name, data_type, is_nullable from information_schema.columns
       where table_name = 'kassa_payment' order by ordinal_position`,
      [],
    );
    expect(columns.map((c) => `${c.column_name} ${c.data_type} ${c.is_nullable}`)).toEqual([
      'id bigint NO',
      'gateway text NO',
      'invoice_id text NO',
      'reference text NO',
      'currency text NO',
      'amount_minor bigint NO',
      'refunded_minor bigint NO',
      'refund_pending_minor bigint YES',
      'is_test boolean NO',
      'state text NO',
      'details jsonb NO',
      'settled_state text YES',
      'last_source text YES',
      'created_at timestamp with time zone NO',
      'updated_at timestamp with time zone NO',
      'surplus boolean NO',
    ]);
    const [sequence] = await client.query<{ data_type: string; maximum_value: string; cycle_option: string }>(
      `select data_type, maximum_value, cycle_option from information_schema.sequences
       where sequence_name = 'kassa_payment_number_seq'`,
      [],
    );
    expect(sequence).toEqual({
      data_type: 'integer',
      maximum_value: String(MAX_ALLOCATED_INVOICE_ID),
      cycle_option: 'NO',
    });
    const indexes = await client.query<{ indexname: string }>(
      `select indexname from pg_indexes where tablename = 'kassa_payment' order by indexname`,
      [],
    );
    expect(indexes.map((i) => i.indexname)).toEqual([
      'kassa_payment_gateway_invoice_id_key',
      'kassa_payment_pkey',
      'kassa_payment_reference_idx',
      'kassa_payment_state_updated_at_idx',
    ]);
  });

  test('the database itself refuses an unknown state or a refund_requested row without its amount', async () => {
    const ledger = await freshLedger();
    const record = await ledger.create({
      gateway: 'robokassa',
      reference: 'db-check',
      amount: { currency: 'RUB', minor: 100n },
      isTest: false,
    });
    await expect(
      client.query(`update ${ledger.table} set state = 'shipped' where invoice_id = ?`, [record.invoiceId]),
    ).rejects.toThrow(/check constraint/);
    await expect(
      client.query(`update ${ledger.table} set state = 'refund_requested' where invoice_id = ?`, [record.invoiceId]),
    ).rejects.toThrow(/refund_pending_check/);
    await expect(
      client.query(`update ${ledger.table} set refunded_minor = 101 where invoice_id = ?`, [record.invoiceId]),
    ).rejects.toThrow(/refunded_check/);
  });

  test('money never becomes a float, whatever type parsers the pg pool was given', async () => {
    const table = freshTable();
    await migrateLedger(client, 'postgres', { table });
    // A pool that parses int8 and numeric as floats and timestamps as something else, as some apps configure pg.
    const floaty = new pg.Pool({
      ...database.config,
      max: 2,
      types: {
        getTypeParser: ((oid: number) =>
          oid === 20 || oid === 1700
            ? (value: string) => Number.parseFloat(value)
            : oid === 1184
              ? (value: string) => `ts:${value}`
              : pg.types.getTypeParser(oid)) as typeof pg.types.getTypeParser,
      },
    });
    floaty.on('error', () => undefined); // see the shared pool's listener
    try {
      const ledger = new SqlLedger(sqlClientFromPg(floaty), { dialect: 'postgres', table });
      const amount = { currency: 'RUB' as const, minor: 9_999_999_999n };
      const at = new Date('2026-03-04T05:06:07.891Z');
      const created = await new SqlLedger(sqlClientFromPg(floaty), {
        dialect: 'postgres',
        table,
        now: () => at,
      }).create({ gateway: 'robokassa', reference: 'big', amount, isTest: false });
      const stored = await ledger.find(created);
      expect(stored?.amount).toEqual(amount);
      expect(stored?.createdAt.toISOString()).toBe('2026-03-04T05:06:07.891Z');
    } finally {
      await floaty.end();
    }
  });

  test('the number range running out is an error, not a reuse; reserveInvoiceNumbers moves the allocator forward', async () => {
    const ledger = await freshLedger();
    const payment = {
      gateway: 'robokassa' as const,
      reference: 'r',
      amount: { currency: 'RUB' as const, minor: 1n },
      isTest: false,
    };
    expect((await ledger.create(payment)).invoiceId).toBe('1');
    await reserveInvoiceNumbers(client, 'postgres', 1000, { table: ledger.table });
    expect((await ledger.create(payment)).invoiceId).toBe('1001');
    // Never backwards.
    await reserveInvoiceNumbers(client, 'postgres', 10, { table: ledger.table });
    expect((await ledger.create(payment)).invoiceId).toBe('1002');
    await reserveInvoiceNumbers(client, 'postgres', MAX_ALLOCATED_INVOICE_ID - 1, { table: ledger.table });
    expect((await ledger.create(payment)).invoiceId).toBe(String(MAX_ALLOCATED_INVOICE_ID));
    const error = await ledger.create({ ...payment, gateway: 'assist' }).catch((e: unknown) => e);
    expect(isKassaError(error, 'LEDGER_CONFLICT')).toBe(true);
    expect((await ledger.create({ ...payment, gateway: 'assist', invoiceId: 'A-1' })).invoiceId).toBe('A-1');
  });

  test('two processes racing 50 transitions on the same invoice: exactly one is applied', async () => {
    const ledger = await freshLedger();
    const invoices = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        ledger.create({
          gateway: 'robokassa',
          reference: `xproc-${i}`,
          amount: { currency: 'RUB', minor: 100n },
          isTest: false,
        }),
      ),
    );
    const workers = await Promise.all([0, 1].map(() => startRaceWorker('postgres', database.name, ledger.table)));
    try {
      const invoiceIds = invoices.map((r) => r.invoiceId);
      const replies = await Promise.all(workers.map((w) => w.run({ type: 'transition', invoiceIds, each: 25 })));
      for (const id of invoiceIds) {
        const applied = replies.map((r) => (r.type === 'transitioned' ? (r.applied[id] ?? 0) : Number.NaN));
        expect(applied[0]! + applied[1]!).toBe(1);
        expect((await ledger.find({ gateway: 'robokassa', invoiceId: id }))?.state).toBe('paid');
      }
      const created = await Promise.all(
        workers.map((w, i) => w.run({ type: 'create', count: 40, reference: `w${i}` })),
      );
      const ids = created.flatMap((r) => (r.type === 'created' ? r.invoiceIds : []));
      expect(ids).toHaveLength(80);
      expect(new Set(ids).size).toBe(80);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });
});
