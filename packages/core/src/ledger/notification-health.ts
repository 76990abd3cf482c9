/**
 * The notification journal: one row per notification a gateway sent us (when, which gateway, what the exactly-once
 * use case decided), so the admin can see that notifications arrive and whether some are refused — a wrong password
 * or Result URL in the cabinet otherwise shows only as payments that never turn `paid` ("no payment is invisible").
 * Gateway-neutral; the platform records `processNotification`'s outcome before it sends the gateway's reply (the SQL
 * journal may batch the writes, see `batchMs`). Rows older than `retentionMs` (7 days) are deleted on a write (at
 * most hourly), so the table stays small without a job.
 */
import { KassaError } from '../errors.js';
import type { NotificationOutcome } from '../gateway.js';
import type { SqlClient, SqlDialect } from './sql/client.js';
import { checkDialect } from './sql/schema.js';

/** What the journal keeps of an outcome: its kind and, for a refusal or a retry, its stable code. */
export type NotificationOutcomeKind = NotificationOutcome['kind'];
export const NOTIFICATION_OUTCOME_KINDS: readonly NotificationOutcomeKind[] = [
  'paid',
  'replay',
  'after-refund',
  'declined',
  'rejected',
  'retry',
];
/** Outcomes the gateway did not get its OK for: the ones the health view counts as failures. */
const FAILURE_KINDS: readonly NotificationOutcomeKind[] = ['rejected', 'retry'];

export interface NotificationHealth {
  /** The last notification of any outcome; `null` when none arrived in the retention window. */
  lastReceivedAt: Date | null;
  /** The last one the gateway got its OK for (paid, replay, after-refund, declined). */
  lastOkAt: Date | null;
  /** Rejected or retry outcomes in the 24 hours up to `now`. */
  failures24h: number;
}

export interface NotificationJournal {
  /** Records one notification's outcome at the journal's clock, and prunes rows past the retention window. */
  record(gateway: string, outcome: Pick<NotificationOutcome, 'kind'> & { readonly code?: string }): Promise<void>;
  /** The health of one gateway's notifications as of `now` (default: the journal's clock). */
  health(gateway: string, now?: Date): Promise<NotificationHealth>;
}

export interface NotificationJournalOptions {
  /** Clock (tests). Default: `new Date()`. */
  now?: () => Date;
  /** How long rows are kept, in milliseconds. Default 7 days; at least 24 hours (the health window). */
  retentionMs?: number;
}

export const DEFAULT_NOTIFICATION_TABLE = 'kassa_notification';
const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_RETENTION_MS = 7 * DAY_MS;
const TABLE_NAME = /^[a-z_][a-z0-9_]{0,39}$/;
const GATEWAY_ID = /^[a-z0-9_-]{1,32}$/;
const CODE = /^[A-Z0-9_]{1,64}$/;

interface Row {
  gateway: string;
  receivedAt: number;
  kind: NotificationOutcomeKind;
  code: string | null;
}

function tableName(table: unknown = DEFAULT_NOTIFICATION_TABLE): string {
  if (typeof table !== 'string' || !TABLE_NAME.test(table)) {
    throw new KassaError('CONFIG_INVALID', 'A notification table name is lower-case letters, digits and _ (≤ 40)', {
      details: { table: String(table).slice(0, 64) },
    });
  }
  return table;
}

function retentionOf(options: NotificationJournalOptions): number {
  const ms = options.retentionMs ?? DEFAULT_RETENTION_MS;
  if (!Number.isSafeInteger(ms) || ms < DAY_MS) {
    throw new KassaError('CONFIG_INVALID', 'The notification retention is whole milliseconds, at least 24 hours', {
      details: { retentionMs: String(ms).slice(0, 32) },
    });
  }
  return ms;
}

/** Validates before anything is written: a bad gateway id or kind is a programming error, not a notification. */
function rowOf(
  gateway: unknown,
  outcome: Pick<NotificationOutcome, 'kind'> & { readonly code?: string },
  at: Date,
): Row {
  if (typeof gateway !== 'string' || !GATEWAY_ID.test(gateway)) {
    throw new KassaError('CONFIG_INVALID', 'A gateway id is lower-case letters, digits, - and _ (≤ 32)', {
      details: { gateway: String(gateway).slice(0, 64) },
    });
  }
  const kind = outcome?.kind;
  if (!NOTIFICATION_OUTCOME_KINDS.includes(kind)) {
    throw new KassaError('CONFIG_INVALID', 'Unknown notification outcome kind', {
      details: { kind: String(kind).slice(0, 32) },
    });
  }
  // Only the stable code: a refusal's message may carry the gateway's fields and never reaches the journal.
  const code = typeof outcome.code === 'string' && CODE.test(outcome.code) ? outcome.code : null;
  return { gateway, receivedAt: at.getTime(), kind, code };
}

function healthOf(rows: readonly Row[], now: Date): NotificationHealth {
  const since = now.getTime() - DAY_MS;
  let last: number | null = null;
  let lastOk: number | null = null;
  let failures = 0;
  for (const row of rows) {
    if (row.receivedAt > now.getTime()) continue;
    if (last === null || row.receivedAt > last) last = row.receivedAt;
    const failed = FAILURE_KINDS.includes(row.kind);
    if (!failed && (lastOk === null || row.receivedAt > lastOk)) lastOk = row.receivedAt;
    if (failed && row.receivedAt > since) failures += 1;
  }
  return {
    lastReceivedAt: last === null ? null : new Date(last),
    lastOkAt: lastOk === null ? null : new Date(lastOk),
    failures24h: failures,
  };
}

/** The journal in memory (tests, single-process demos). */
export function createMemoryNotificationJournal(options: NotificationJournalOptions = {}): NotificationJournal {
  const clock = options.now ?? (() => new Date());
  const retention = retentionOf(options);
  let rows: Row[] = [];
  return {
    async record(gateway, outcome) {
      const at = clock();
      const row = rowOf(gateway, outcome, at);
      rows = rows.filter((r) => r.receivedAt >= at.getTime() - retention);
      rows.push(row);
    },
    async health(gateway, now = clock()) {
      return healthOf(
        rows.filter((r) => r.gateway === gateway),
        now,
      );
    },
  };
}

export interface NotificationTableOptions {
  /** Table name (lower-case letters, digits, `_`; at most 40 characters). Default `kassa_notification`. */
  table?: string;
}

const kindList = NOTIFICATION_OUTCOME_KINDS.map((k) => `'${k}'`).join(', ');
const failureList = FAILURE_KINDS.map((k) => `'${k}'`).join(', ');

/**
 * The DDL of the journal's table, every statement idempotent (`if not exists`): run them with
 * `migrateNotificationJournal` or hand them to the platform's migration tool. `received_at` is milliseconds since
 * the epoch in both dialects (written from the journal's clock), so the pruning and the 24-hour window are plain
 * integer comparisons.
 */
export function notificationJournalSchemaStatements(
  dialect: SqlDialect,
  options: NotificationTableOptions = {},
): string[] {
  checkDialect(dialect);
  const table = tableName(options.table);
  const pg = dialect === 'postgres';
  const columns = [
    pg ? 'id bigint generated by default as identity primary key' : 'id integer primary key autoincrement',
    'gateway text not null',
    `received_at ${pg ? 'bigint' : 'integer'} not null`,
    'outcome text not null',
    'code text',
    `constraint ${table}_gateway_check check (length(gateway) between 1 and 32)`,
    `constraint ${table}_outcome_check check (outcome in (${kindList}))`,
    `constraint ${table}_code_check check (code is null or length(code) between 1 and 64)`,
  ];
  return [
    `create table if not exists ${table} (\n  ${columns.join(',\n  ')}\n)${pg ? '' : ' strict'}`,
    `create index if not exists ${table}_gateway_received_at_idx on ${table} (gateway, received_at)`,
    `create index if not exists ${table}_received_at_idx on ${table} (received_at)`,
  ];
}

/** Creates the journal's table if it is missing (idempotent; safe to run concurrently). */
export async function migrateNotificationJournal(
  client: SqlClient,
  dialect: SqlDialect,
  options: NotificationTableOptions = {},
): Promise<void> {
  for (const statement of notificationJournalSchemaStatements(dialect, options)) await client.query(statement, []);
}

export interface SqlNotificationJournalOptions extends NotificationJournalOptions, NotificationTableOptions {
  dialect: SqlDialect;
  /**
   * Collect rows for this long and write them in one statement (default 0: each `record` writes at once). The
   * journal is bookkeeping beside the gateway's reply: a busy notification route then spends no database round trip
   * on it per request. `health` and `flush` write what is pending first, so this process always reads its own rows;
   * a crash loses at most this window of journal rows (never a payment).
   */
  batchMs?: number | undefined;
  /** A batched write that failed (the rows are dropped: bookkeeping never blocks or fails a notification). */
  onBatchError?: ((error: unknown) => void) | undefined;
  /** Rows past the retention are deleted on a write at most this often (default one hour). */
  pruneEveryMs?: number | undefined;
}

/** The journal over core's `SqlClient` (PostgreSQL, SQLite); the table comes from the statements above. */
export class SqlNotificationJournal implements NotificationJournal {
  readonly #sql: SqlClient;
  readonly #table: string;
  readonly #clock: () => Date;
  readonly #retention: number;
  readonly #batchMs: number;
  readonly #pruneEveryMs: number;
  readonly #onBatchError: (error: unknown) => void;
  #pending: Row[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<void> = Promise.resolve();
  #prunedAt: number | undefined;

  constructor(client: SqlClient, options: SqlNotificationJournalOptions) {
    checkDialect(options.dialect);
    this.#sql = client;
    this.#table = tableName(options.table);
    this.#clock = options.now ?? (() => new Date());
    this.#retention = retentionOf(options);
    this.#batchMs = Math.max(0, options.batchMs ?? 0);
    this.#pruneEveryMs = Math.max(0, options.pruneEveryMs ?? 60 * 60 * 1000);
    this.#onBatchError = options.onBatchError ?? (() => undefined);
  }

  async record(
    gateway: string,
    outcome: Pick<NotificationOutcome, 'kind'> & { readonly code?: string },
  ): Promise<void> {
    // Validated now, in the caller's hands, whether written now or with the batch.
    this.#pending.push(rowOf(gateway, outcome, this.#clock()));
    if (this.#batchMs === 0) return this.flush();
    this.#timer ??= setTimeout(() => {
      this.flush().catch(this.#onBatchError);
    }, this.#batchMs);
    this.#timer.unref?.();
  }

  /** Writes the rows collected so far (one statement), then prunes if it is time. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const rows = this.#pending;
    this.#pending = [];
    // One write at a time, in order: a health read after a flush sees every earlier row.
    const write = this.#writing.then(() => this.#write(rows));
    this.#writing = write.catch(() => undefined);
    return write;
  }

  async #write(rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    const values = rows.map(() => '(?, ?, ?, ?)').join(', ');
    await this.#sql.query(
      `insert into ${this.#table} (gateway, received_at, outcome, code) values ${values}`,
      rows.flatMap((row) => [row.gateway, row.receivedAt, row.kind, row.code]),
    );
    // Bounded table: whatever fell out of the retention window goes on a write, at most every `pruneEveryMs`.
    const at = Math.max(...rows.map((row) => row.receivedAt));
    if (this.#prunedAt !== undefined && at - this.#prunedAt < this.#pruneEveryMs) return;
    this.#prunedAt = at;
    await this.#sql.query(`delete from ${this.#table} where received_at < ?`, [at - this.#retention]);
  }

  async health(gateway: string, now: Date = this.#clock()): Promise<NotificationHealth> {
    await this.flush();
    const at = now.getTime();
    const rows = await this.#sql.query<{ last: unknown; last_ok: unknown; failures: unknown }>(
      `select cast(max(received_at) as text) as last,
        cast(max(case when outcome not in (${failureList}) then received_at end) as text) as last_ok,
        cast(coalesce(sum(case when outcome in (${failureList}) and received_at > ? then 1 else 0 end), 0) as text)
          as failures
       from ${this.#table} where gateway = ? and received_at <= ?`,
      [at - DAY_MS, gateway, at],
    );
    const row = rows[0];
    const date = (value: unknown) => (value === null || value === undefined ? null : new Date(Number(value)));
    return { lastReceivedAt: date(row?.last), lastOkAt: date(row?.last_ok), failures24h: Number(row?.failures ?? 0) };
  }
}
