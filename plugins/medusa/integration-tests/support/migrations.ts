import type pg from 'pg';

/** A MikroORM migration of the module, as far as these tests need it: `up()` queues SQL, `getQueries()` reads it. */
export interface SqlMigration {
  up(): Promise<void>;
  getQueries(): unknown[];
}

/** Runs a migration's SQL in one transaction, as Medusa's migrator does, without MikroORM. */
export async function runMigration(pool: pg.Pool, migration: SqlMigration): Promise<void> {
  await migration.up();
  const client = await pool.connect();
  try {
    await client.query('begin');
    for (const sql of migration.getQueries()) await client.query(String(sql));
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

/** The driver and config a migration is constructed with: unused when only its SQL is read. */
export const NO_DRIVER = [undefined, undefined] as unknown as [never, never];

export const POSTGRES = {
  host: process.env.DB_HOST ?? 'localhost',
  port: Number(process.env.DB_PORT ?? 5432),
  user: process.env.DB_USERNAME ?? 'postgres',
  password: process.env.DB_PASSWORD ?? '',
};
