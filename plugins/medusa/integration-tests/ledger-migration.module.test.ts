import { randomBytes } from 'node:crypto';
import { type PaymentRecord, SqlLedger, sqlClientFromPg } from '@kassa/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Migration20261123080000 } from '../src/modules/robokassa/migrations/Migration20261123080000';
import { Migration20261204090000 } from '../src/modules/robokassa/migrations/Migration20261204090000';
import { NO_DRIVER, POSTGRES, runMigration, type SqlMigration } from './support/migrations';

/**
 * The move of the ledger to core's `kassa_payment`, on a shop that has been taking payments: a fresh database gets
 * the plugin's first schema (Migration20261123080000) and rows in every state the old ledger could write, then the
 * new migration runs, and every row is read back through core's ledger API.
 */

const database = `kassa_ledger_migration_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ ...POSTGRES, database: 'postgres' });
let pool: pg.Pool;
const migrate = (migration: SqlMigration) => runMigration(pool, migration);

interface OldRow {
  inv_id: number;
  reference: string;
  amount: string;
  refunded: string;
  currency?: string;
  is_test?: boolean;
  state: string;
  op_key?: string | null;
  payment_method?: string | null;
  inc_curr_label?: string | null;
  fee?: string | null;
  last_source?: string | null;
  settled?: string | null;
  deleted?: boolean;
}

const T0 = new Date('2026-11-20T10:00:00.123456Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const OLD_ROWS: OldRow[] = [
  { inv_id: 1, reference: 'payses_pending', amount: '2769.00', refunded: '0', state: 'pending' },
  {
    inv_id: 2,
    reference: 'payses_paid',
    amount: '1534.50',
    refunded: '0',
    state: 'paid',
    payment_method: 'BankCard',
    inc_curr_label: 'BankCardPSR',
    fee: '38.360000',
    last_source: 'result_url',
    settled: 'paid',
  },
  {
    inv_id: 3,
    reference: 'payses_held',
    amount: '0.01',
    refunded: '0',
    state: 'held',
    op_key: 'op-key-held',
    payment_method: 'BankCard',
    last_source: 'result_url2',
    settled: 'held',
  },
  {
    inv_id: 5,
    reference: 'payses_partial',
    amount: '99999999.99',
    refunded: '500.5',
    state: 'partially_refunded',
    op_key: 'op-key-partial',
    last_source: 'refund',
    settled: 'paid',
  },
  {
    inv_id: 8,
    reference: 'payses_refunded',
    amount: '100',
    refunded: '100.00',
    state: 'refunded',
    currency: 'KZT',
    op_key: 'op-key-refunded',
    last_source: 'refund',
    settled: 'paid',
  },
  {
    inv_id: 9,
    reference: 'payses_cancelled',
    amount: '10.10',
    refunded: '0',
    state: 'cancelled',
    last_source: 'admin',
  },
  { inv_id: 10, reference: 'payses_failed', amount: '5', refunded: '0', state: 'failed', last_source: 'reconcile' },
  { inv_id: 11, reference: 'payses_test', amount: '2769', refunded: '0', state: 'paid', is_test: true, settled: null },
  // Paid but Medusa never caught up (the settle step failed): the ledger must still owe Medusa its order.
  { inv_id: 12, reference: 'payses_unsettled', amount: '42.00', refunded: '0', state: 'paid', settled: null },
  { inv_id: 20, reference: 'payses_deleted', amount: '1.00', refunded: '0', state: 'pending', deleted: true },
];

beforeAll(async () => {
  await admin.connect();
  await admin.query(`create database ${database}`);
  pool = new pg.Pool({ ...POSTGRES, database, max: 4 });
  await migrate(new Migration20261123080000(...NO_DRIVER));
  // The old ledger drew InvIds from its sequence; explicit ones (tests, imports) sat beside them.
  await pool.query(`select setval('robokassa_inv_id_seq', 4)`);
  for (const [index, row] of OLD_ROWS.entries()) {
    await pool.query(
      `insert into robokassa_payment (id, inv_id, reference, currency_code, amount, raw_amount, refunded_amount,
         raw_refunded_amount, is_test, state, op_key, payment_method, inc_curr_label, fee, last_source,
         medusa_settled_state, medusa_settled_at, created_at, updated_at, deleted_at)
       values ($1, $2, $3, $4, $5::numeric, $6::jsonb, $7::numeric, $8::jsonb, $9, $10, $11, $12, $13, $14, $15, $16, $17,
         $18, $19, $20)`,
      [
        `rkpay_${row.inv_id}`,
        row.inv_id,
        row.reference,
        row.currency ?? 'RUB',
        row.amount,
        JSON.stringify({ value: row.amount, precision: 20 }),
        row.refunded,
        JSON.stringify({ value: row.refunded, precision: 20 }),
        row.is_test ?? false,
        row.state,
        row.op_key ?? null,
        row.payment_method ?? null,
        row.inc_curr_label ?? null,
        row.fee ?? null,
        row.last_source ?? null,
        row.settled ?? null,
        row.settled ? at(index + 1) : null,
        at(index),
        at(index + 0.5),
        row.deleted ? at(index + 1) : null,
      ],
    );
  }
  await migrate(new Migration20261204090000(...NO_DRIVER));
});

afterAll(async () => {
  await pool?.end();
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.end();
});

describe('ledger migration: robokassa_payment → core kassa_payment', () => {
  const ledger = () => new SqlLedger(sqlClientFromPg(pool), { dialect: 'postgres' });
  const find = (invId: number) => ledger().find({ gateway: 'robokassa', invoiceId: String(invId) });
  const minor = (decimal: string) => BigInt(Math.round(Number(decimal) * 100));

  test('every live row is there, through core’s ledger API, with exact amounts, details, settlement and dates', async () => {
    for (const [index, row] of OLD_ROWS.entries()) {
      if (row.deleted) continue;
      const record = (await find(row.inv_id)) as PaymentRecord;
      expect(record, `InvId ${row.inv_id}`).toBeDefined();
      const currency = row.currency ?? 'RUB';
      expect(record).toMatchObject({
        gateway: 'robokassa',
        invoiceId: String(row.inv_id),
        reference: row.reference,
        amount: { currency, minor: minor(row.amount) },
        refunded: { currency, minor: minor(row.refunded) },
        isTest: row.is_test ?? false,
        state: row.state,
      });
      expect(record.refundPending).toBeUndefined();
      const details = Object.fromEntries(
        (
          [
            ['opKey', row.op_key],
            ['paymentMethod', row.payment_method],
            ['incCurrLabel', row.inc_curr_label],
            ['fee', row.fee],
          ] as const
        ).filter(([, v]) => v),
      );
      expect(record.details).toEqual(details);
      expect(record.settledState).toBe(row.settled ?? undefined);
      // Core reads timestamps at millisecond precision.
      expect(record.createdAt.getTime()).toBe(Math.round(at(index).getTime()));
      expect(record.updatedAt.getTime()).toBe(Math.round(at(index + 0.5).getTime()));
      expect(await ledger().findByReference(row.reference)).toEqual(record);
    }
    expect(await find(99_999_999)).toBeUndefined();
  });

  test('the amounts are exact to the kopeck, the largest one included', async () => {
    expect((await find(5))?.amount.minor).toBe(9_999_999_999n);
    expect((await find(5))?.refunded.minor).toBe(50_050n);
    expect((await find(3))?.amount.minor).toBe(1n);
  });

  test('a soft-deleted row stays invisible, and the old table is gone', async () => {
    expect(await find(20)).toBeUndefined();
    const { rows } = await pool.query(
      `select to_regclass('robokassa_payment') as old, to_regclass('robokassa_inv_id_seq') as seq`,
    );
    expect(rows[0]).toEqual({ old: null, seq: null });
    const { rows: count } = await pool.query(`select count(*)::int as n from kassa_payment`);
    expect(count[0].n).toBe(OLD_ROWS.filter((r) => !r.deleted).length);
  });

  test('what Medusa still owes is found: paid records it has not settled', async () => {
    const unsettled = await ledger().listUnsettled({ limit: 50, gateway: 'robokassa' });
    expect(unsettled.map((r) => r.invoiceId).sort()).toEqual(['11', '12']);
  });

  test('migrated records move on as before: settle, transition, refund write-ahead', async () => {
    await ledger().markSettled({ gateway: 'robokassa', invoiceId: '12' }, 'paid');
    expect((await find(12))?.settledState).toBe('paid');
    const moved = await ledger().transition({
      gateway: 'robokassa',
      invoiceId: '1',
      from: ['pending'],
      to: 'paid',
      source: 'notification',
      patch: { details: { paymentMethod: 'SBP' } },
    });
    expect(moved.applied).toBe(true);
    expect(moved.record?.details).toEqual({ paymentMethod: 'SBP' });
    const ahead = await ledger().transition({
      gateway: 'robokassa',
      invoiceId: '2',
      from: ['paid'],
      to: 'refund_requested',
      source: 'refund',
      patch: { refundPending: { currency: 'RUB', minor: 100n } },
    });
    expect(ahead.record?.refundPending).toEqual({ currency: 'RUB', minor: 100n });
  });

  test('a new payment gets an InvId above every old one (the deleted row’s and the old sequence’s included)', async () => {
    const created = await ledger().create({
      gateway: 'robokassa',
      reference: 'payses_new',
      amount: { currency: 'RUB', minor: 276_900n },
      isTest: false,
    });
    expect(Number(created.invoiceId)).toBe(21);
    expect((await find(21))?.reference).toBe('payses_new');
  });
});
