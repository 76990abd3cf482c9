/**
 * A durable outbox in the app's database: everything the app owes Shopify (resolve, reject, pending…) or a gateway
 * (refund, capture, void) is a row, written in the same breath as the fact that caused it, and a worker runs rows
 * until they are done. Rows survive a restart; a row is claimed with a lease (a conditional UPDATE, so two instances
 * never run one row at once), retried with exponential backoff on 5xx / 429 / THROTTLED / network errors, and
 * enqueued at most once per `dedupe` key (`paymentSessionResolve:gid://…`), which is what makes a resolve happen
 * exactly once however many notifications arrive.
 */
import type { Logger, SqlClient } from '@kassa/core';

export interface OutboxJob {
  readonly id: number;
  readonly dedupe: string;
  readonly shop: string;
  readonly kind: string;
  readonly payload: Record<string, unknown>;
  /** 1 on the first run. */
  readonly attempt: number;
}

export type JobResult =
  | { readonly status: 'done'; readonly result?: unknown }
  | { readonly status: 'retry'; readonly reason: string; readonly afterMs?: number | undefined }
  | { readonly status: 'failed'; readonly reason: string; readonly result?: unknown };

export type JobHandler = (job: OutboxJob) => Promise<JobResult>;

export interface OutboxOptions {
  client: SqlClient;
  handlers: Record<string, JobHandler>;
  logger: Logger;
  /** Wait before attempt n+1 (n = attempts so far). Default: 1 s · 2^(n−1), capped at 10 min, ±20 % jitter. */
  backoffMs?: ((attempt: number) => number) | undefined;
  /** Give up (dead letter, logged) after this many attempts. Default 30 (about 4 days at the cap). */
  maxAttempts?: number | undefined;
  /** How long a claimed row is ours. Default 60 s. */
  leaseMs?: number | undefined;
  /** Poll interval for rows due later or enqueued by other instances. Default 1000 ms. */
  pollMs?: number | undefined;
  now?: (() => number) | undefined;
}

export interface OutboxRow {
  id: number;
  dedupe: string;
  kind: string;
  shop: string;
  attempts: number;
  doneAt: number | null;
  lastError: string | null;
  result: unknown;
}

export const OUTBOX_LOG_CODES = {
  retry: 'OUTBOX_RETRY',
  failed: 'OUTBOX_FAILED',
  deadLetter: 'OUTBOX_DEAD_LETTER',
  crashed: 'OUTBOX_HANDLER_THREW',
} as const;

export function defaultBackoff(attempt: number): number {
  const base = Math.min(1000 * 2 ** Math.max(0, attempt - 1), 600_000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

export class Outbox {
  readonly #o: OutboxOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #again = false;
  #stopped = true;
  #idleWaiters: Array<() => void> = [];
  #inflight: Promise<void> = Promise.resolve();

  constructor(options: OutboxOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Inserts a row unless one with the same `dedupe` exists. Returns true when this call inserted it. */
  async enqueue(
    input: { dedupe: string; shop: string; kind: string; payload: Record<string, unknown>; delayMs?: number },
    client: SqlClient = this.#o.client,
  ): Promise<boolean> {
    const now = this.#now();
    const rows = await client.query(
      `insert into kassa_shopify_outbox (dedupe, shop, kind, payload, next_at, created_at)
       values (?, ?, ?, ?, ?, ?) on conflict (dedupe) do nothing returning id`,
      [input.dedupe, input.shop, input.kind, JSON.stringify(input.payload), now + (input.delayMs ?? 0), now],
    );
    if (rows.length > 0) this.kick();
    return rows.length > 0;
  }

  async find(dedupe: string): Promise<OutboxRow | undefined> {
    const [row] = await this.#o.client.query<Record<string, unknown>>(
      'select id, dedupe, kind, shop, attempts, done_at, last_error, result from kassa_shopify_outbox where dedupe = ?',
      [dedupe],
    );
    return row ? toRow(row) : undefined;
  }

  async list(): Promise<OutboxRow[]> {
    const rows = await this.#o.client.query<Record<string, unknown>>(
      'select id, dedupe, kind, shop, attempts, done_at, last_error, result from kassa_shopify_outbox order by id',
      [],
    );
    return rows.map(toRow);
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const tick = () => {
      if (this.#stopped) return;
      this.kick();
      this.#timer = setTimeout(tick, this.#o.pollMs ?? 1000);
      this.#timer.unref?.();
    };
    tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#inflight;
  }

  /** Runs due rows now (after an enqueue, or from the poll). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    this.#inflight = this.#drain().finally(() => {
      this.#running = false;
      if (this.#again) {
        this.#again = false;
        this.kick();
      } else this.#notifyIdle();
    });
  }

  /** Resolves when no due row is left (rows scheduled later are not waited for). Tests. */
  async idle(): Promise<void> {
    for (;;) {
      if (this.#running) await new Promise<void>((r) => this.#idleWaiters.push(r));
      const due = await this.#due(1);
      if (due.length === 0 && !this.#running) return;
      if (!this.#running) this.kick();
    }
  }

  #notifyIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  async #due(limit: number): Promise<Array<Record<string, unknown>>> {
    const now = this.#now();
    return this.#o.client.query(
      `select id, locked_until from kassa_shopify_outbox
       where done_at is null and next_at <= ? and locked_until <= ? order by next_at, id limit ${Math.trunc(limit)}`,
      [now, now],
    );
  }

  async #drain(): Promise<void> {
    for (;;) {
      if (this.#stopped) return;
      let candidates: Array<Record<string, unknown>>;
      try {
        candidates = await this.#due(16);
      } catch (error) {
        this.#o.logger.error(OUTBOX_LOG_CODES.crashed, { error });
        return;
      }
      if (candidates.length === 0) return;
      await Promise.all(candidates.map((c) => this.#claimAndRun(Number(c.id), Number(c.locked_until))));
    }
  }

  async #claimAndRun(id: number, lockedUntil: number): Promise<void> {
    const now = this.#now();
    const [row] = await this.#o.client.query<Record<string, unknown>>(
      `update kassa_shopify_outbox set locked_until = ?, attempts = attempts + 1
       where id = ? and locked_until = ? and done_at is null returning id, dedupe, shop, kind, payload, attempts`,
      [now + (this.#o.leaseMs ?? 60_000), id, lockedUntil],
    );
    if (!row) return; // another worker (or instance) claimed it
    const job: OutboxJob = {
      id,
      dedupe: String(row.dedupe),
      shop: String(row.shop),
      kind: String(row.kind),
      payload: JSON.parse(String(row.payload)) as Record<string, unknown>,
      attempt: Number(row.attempts),
    };
    const handler = this.#o.handlers[job.kind];
    let result: JobResult;
    try {
      result = handler ? await handler(job) : { status: 'failed', reason: `no handler for ${job.kind}` };
    } catch (error) {
      this.#o.logger.error(OUTBOX_LOG_CODES.crashed, { kind: job.kind, dedupe: job.dedupe, error });
      result = { status: 'retry', reason: 'handler threw' };
    }
    await this.#settle(job, result);
  }

  async #settle(job: OutboxJob, result: JobResult): Promise<void> {
    const now = this.#now();
    const { client, logger } = this.#o;
    if (result.status === 'retry' && job.attempt < (this.#o.maxAttempts ?? 30)) {
      const wait = Math.max(result.afterMs ?? 0, (this.#o.backoffMs ?? defaultBackoff)(job.attempt));
      logger.warn(OUTBOX_LOG_CODES.retry, {
        kind: job.kind,
        dedupe: job.dedupe,
        attempt: job.attempt,
        reason: result.reason,
        waitMs: wait,
      });
      await client.query('update kassa_shopify_outbox set next_at = ?, locked_until = 0, last_error = ? where id = ?', [
        now + wait,
        result.reason.slice(0, 500),
        job.id,
      ]);
      return;
    }
    if (result.status !== 'done') {
      logger.error(result.status === 'retry' ? OUTBOX_LOG_CODES.deadLetter : OUTBOX_LOG_CODES.failed, {
        kind: job.kind,
        dedupe: job.dedupe,
        attempt: job.attempt,
        reason: result.reason,
      });
    }
    const payload = 'result' in result && result.result !== undefined ? JSON.stringify(result.result) : null;
    await client.query('update kassa_shopify_outbox set done_at = ?, last_error = ?, result = ? where id = ?', [
      now,
      result.status === 'done' ? null : result.reason.slice(0, 500),
      payload,
      job.id,
    ]);
  }
}

function toRow(row: Record<string, unknown>): OutboxRow {
  return {
    id: Number(row.id),
    dedupe: String(row.dedupe),
    kind: String(row.kind),
    shop: String(row.shop),
    attempts: Number(row.attempts),
    doneAt: row.done_at === null || row.done_at === undefined ? null : Number(row.done_at),
    lastError: row.last_error === null || row.last_error === undefined ? null : String(row.last_error),
    result: row.result === null || row.result === undefined ? null : JSON.parse(String(row.result)),
  };
}
