import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** The PostgreSQL the suite talks to (scripts/services.sh starts it): the same variables as the Medusa tests. */
export interface PgConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export function pgConfig(database: string): PgConfig {
  return {
    host: process.env['DB_HOST'] ?? '127.0.0.1',
    port: Number(process.env['DB_PORT'] ?? 5432),
    user: process.env['DB_USERNAME'] ?? 'postgres',
    password: process.env['DB_PASSWORD'] ?? '',
    database,
  };
}

export interface TestDatabase {
  name: string;
  config: PgConfig;
  drop(): Promise<void>;
}

/** A fresh database `kassa_ledger_<random>` for one test file; `drop()` removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `kassa_ledger_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client(pgConfig('postgres'));
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    config: pgConfig(name),
    async drop() {
      const client = new pg.Client(pgConfig('postgres'));
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

const worker = fileURLToPath(new URL('./fixtures/race-worker.ts', import.meta.url));
const resolveHook = new URL('./fixtures/resolve-ts.mjs', import.meta.url).href;

export type WorkerCommand =
  | { type: 'transition'; invoiceIds: string[]; each: number }
  | { type: 'create'; count: number; reference: string };
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'transitioned'; applied: Record<string, number> }
  | { type: 'created'; invoiceIds: string[] }
  | { type: 'error'; message: string };

export interface RaceWorker {
  run(command: WorkerCommand): Promise<WorkerReply>;
  stop(): Promise<void>;
}

/**
 * A separate Node process with its own ledger on the same database (`target`: a SQLite file or a PostgreSQL database
 * name), so a race between two of them is a race between processes, not between promises.
 */
export async function startRaceWorker(
  dialect: 'postgres' | 'sqlite',
  target: string,
  table: string,
): Promise<RaceWorker> {
  const child: ChildProcess = fork(worker, [dialect, target, table], {
    execArgv: ['--import', resolveHook, '--no-warnings'],
    env: { ...process.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = () =>
    new Promise<WorkerReply>((resolve, reject) => {
      const onMessage = (message: WorkerReply) => {
        child.off('exit', onExit);
        resolve(message);
      };
      const onExit = (code: number | null) => {
        child.off('message', onMessage);
        reject(new Error(`race worker exited with ${code}`));
      };
      child.once('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = await next();
  if (ready.type !== 'ready') throw new Error(`race worker did not start: ${JSON.stringify(ready)}`);
  return {
    run(command) {
      const reply = next();
      child.send(command);
      return reply;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ type: 'exit' });
      await exited;
    },
  };
}
