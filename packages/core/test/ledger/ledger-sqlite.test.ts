import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, test } from 'vitest';
import { isKassaError } from '../../src/errors.js';
import {
  LEDGER_SCHEMA_VERSION,
  ledgerSchemaStatements,
  MAX_ALLOCATED_INVOICE_ID,
  migrateLedger,
  reserveInvoiceNumbers,
  type SqlClient,
  SqlLedger,
  sqlClientFromNodeSqlite,
} from '../../src/ledger/index.js';
import { runPaymentLedgerContract } from '../../src/testing/index.js';
import { startRaceWorker } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'kassa-ledger-sqlite-'));
const opened: DatabaseSync[] = [];
let files = 0;

afterAll(() => {
  for (const db of opened) if (db.isOpen) db.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(
  path: string,
  options: ConstructorParameters<typeof DatabaseSync>[1] = {},
): {
  db: DatabaseSync;
  client: SqlClient;
} {
  const db = new DatabaseSync(path, options);
  opened.push(db);
  return { db, client: sqlClientFromNodeSqlite(db) };
}

async function fileLedger(): Promise<{ ledger: SqlLedger; path: string; client: SqlClient }> {
  const path = join(dir, `ledger-${++files}.sqlite`);
  const { client } = open(path);
  await migrateLedger(client, 'sqlite');
  return { ledger: new SqlLedger(client, { dialect: 'sqlite' }), path, client };
}

runPaymentLedgerContract(
  { name: 'sqlite (file)', create: async () => (await fileLedger()).ledger },
  { describe, test, expect },
);
runPaymentLedgerContract(
  {
    name: 'sqlite (:memory:, custom table, readBigInts)',
    create: async () => {
      const { client } = open(':memory:', { readBigInts: true });
      await migrateLedger(client, 'sqlite', { table: 'shop_payments' });
      return new SqlLedger(client, { dialect: 'sqlite', table: 'shop_payments' });
    },
  },
  { describe, test, expect },
);

const payment = (reference: string, extra: { gateway?: 'robokassa' | 'assist'; invoiceId?: string } = {}) => ({
  gateway: 'robokassa' as const,
  reference,
  amount: { currency: 'RUB' as const, minor: 100n },
  isTest: false,
  ...extra,
});

describe('SqlLedger on SQLite', () => {
  test('migrateLedger is idempotent, records its version, and a second connection sees the same schema', async () => {
    const path = join(dir, 'migrate.sqlite');
    const first = open(path).client;
    expect(await migrateLedger(first, 'sqlite')).toEqual({
      table: 'kassa_payment',
      fromVersion: 0,
      toVersion: LEDGER_SCHEMA_VERSION,
    });
    const ledger = new SqlLedger(first, { dialect: 'sqlite' });
    const record = await ledger.create(payment('kept'));
    const second = open(path).client;
    const again = await Promise.all([migrateLedger(first, 'sqlite'), migrateLedger(second, 'sqlite')]);
    expect(again.map((r) => r.fromVersion)).toEqual([LEDGER_SCHEMA_VERSION, LEDGER_SCHEMA_VERSION]);
    for (const statement of ledgerSchemaStatements('sqlite')) await second.query(statement, []);
    expect((await new SqlLedger(second, { dialect: 'sqlite' }).find(record))?.reference).toBe('kept');
    const versions = await second.query('select name, version from kassa_schema_version', []);
    expect(versions).toEqual([{ name: 'kassa_payment', version: LEDGER_SCHEMA_VERSION }]);
  });

  test('the table is STRICT: money cannot be stored as a float, a state must be known', async () => {
    const { client } = await fileLedger();
    const ledger = new SqlLedger(client, { dialect: 'sqlite' });
    const record = await ledger.create(payment('strict'));
    await expect(
      client.query('update kassa_payment set amount_minor = 1.5 where invoice_id = ?', [record.invoiceId]),
    ).rejects.toThrow(/cannot store REAL value in INTEGER column/);
    await expect(
      client.query(`update kassa_payment set state = 'shipped' where invoice_id = ?`, [record.invoiceId]),
    ).rejects.toThrow(/CHECK constraint failed/);
    await expect(
      client.query(`update kassa_payment set state = 'refund_requested' where invoice_id = ?`, [record.invoiceId]),
    ).rejects.toThrow(/CHECK constraint failed/);
  });

  test('numbers are never reused, even after rows are deleted; the range running out is an error', async () => {
    const { ledger, client } = await fileLedger();
    const a = await ledger.create(payment('a'));
    await client.query('delete from kassa_payment where invoice_id = ?', [a.invoiceId]);
    const b = await ledger.create(payment('b'));
    expect([a.invoiceId, b.invoiceId]).toEqual(['1', '2']);
    await reserveInvoiceNumbers(client, 'sqlite', 1000);
    expect((await ledger.create(payment('c'))).invoiceId).toBe('1001');
    await reserveInvoiceNumbers(client, 'sqlite', 5);
    expect((await ledger.create(payment('d'))).invoiceId).toBe('1002');
    await reserveInvoiceNumbers(client, 'sqlite', MAX_ALLOCATED_INVOICE_ID - 1);
    expect((await ledger.create(payment('e'))).invoiceId).toBe(String(MAX_ALLOCATED_INVOICE_ID));
    const error = await ledger.create(payment('f', { gateway: 'assist' })).catch((e: unknown) => e);
    expect(isKassaError(error, 'LEDGER_CONFLICT')).toBe(true);
    expect((await ledger.create(payment('g', { gateway: 'assist', invoiceId: 'A-1' }))).invoiceId).toBe('A-1');
    // The allocator's table keeps no rows, only its high-water mark.
    expect(await client.query('select count(*) as n from kassa_payment_number', [])).toEqual([{ n: 0 }]);
  });

  test('a failed transaction rolls back and frees the connection for the next caller', async () => {
    const { client } = await fileLedger();
    const ledger = new SqlLedger(client, { dialect: 'sqlite' });
    await expect(
      client.transaction!(async (tx) => {
        await tx.query(`insert into kassa_payment_number default values`, []);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    // The number taken inside the rolled-back transaction is not taken.
    expect((await ledger.create(payment('after'))).invoiceId).toBe('1');
  });

  test('two processes racing 50 transitions on the same invoice: exactly one is applied', async () => {
    const { ledger, path } = await fileLedger();
    const invoices = await Promise.all(Array.from({ length: 5 }, (_, i) => ledger.create(payment(`xproc-${i}`))));
    const workers = await Promise.all([0, 1].map(() => startRaceWorker('sqlite', path, 'kassa_payment')));
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
      expect(new Set([...ids, ...invoiceIds]).size).toBe(85);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });
});
