import path from 'node:path';
import { runPaymentLedgerContract } from '@kassa/core/testing';
import { moduleIntegrationTestRunner } from '@medusajs/test-utils';
import pg from 'pg';
import { describe, expect, test } from 'vitest';
import { ROBOKASSA_MODULE } from '../src/modules/robokassa';
import { Migration20261123080000 } from '../src/modules/robokassa/migrations/Migration20261123080000';
import { Migration20261204090000 } from '../src/modules/robokassa/migrations/Migration20261204090000';
import type RobokassaModuleService from '../src/modules/robokassa/service';
import { NO_DRIVER, POSTGRES, runMigration } from './support/migrations';

const moduleDir = path.join(__dirname, '../src/modules/robokassa');
const dbName = 'medusa-robokassa-ledger-integration';

/**
 * The module has no DML model (its table is core's `kassa_payment`), and Medusa's module runner prepares a database
 * only for modules with models: before every test this does it, with the module's real migrations in order.
 */
async function freshDatabase(): Promise<void> {
  const admin = new pg.Client({ ...POSTGRES, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [dbName]);
    if (exists.rowCount === 0) await admin.query(`create database "${dbName}"`);
  } finally {
    await admin.end();
  }
  const pool = new pg.Pool({ ...POSTGRES, database: dbName, max: 1 });
  try {
    await pool.query('drop schema if exists public cascade; create schema public;');
    for (const migration of [Migration20261123080000, Migration20261204090000]) {
      await runMigration(pool, new migration(...NO_DRIVER));
    }
  } finally {
    await pool.end();
  }
}

/**
 * The plugin's module booted alone by Medusa's module runner on a fresh Postgres database, with its real migrations:
 * its ledger (core's SqlLedger over Medusa's pool) must pass core's PaymentLedger contract battery.
 */
moduleIntegrationTestRunner<RobokassaModuleService>({
  moduleName: ROBOKASSA_MODULE,
  resolve: moduleDir,
  dbName,
  moduleOptions: {},
  hooks: { beforeModuleInit: freshDatabase },
  testSuite: ({ service }) => {
    runPaymentLedgerContract(
      { name: 'Postgres (Medusa module robokassa)', create: async () => service.ledger },
      { describe, test, expect },
    );
  },
});
