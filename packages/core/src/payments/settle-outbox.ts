/**
 * The settle outbox: the gateway is answered as soon as the payment is durable, and the platform is settled after.
 *
 * Why: the platform's settle step (Medusa completing a cart, say) can take seconds under load, and every duplicate
 * of a notification used to wait for it, so the gateway saw slow answers and retried. The ledger record is already
 * the outbox: a `paid`/`held` record whose `settledState` differs is work the platform still owes
 * (`PaymentLedger.listUnsettled`). This queue works that off in the background with bounded concurrency, retries a
 * failure with backoff, and `drain()` picks up whatever a process that died after answering left behind (a platform
 * job calls it; reconciliation's unsettled pass stays the last net). Nothing here is persisted of its own: losing the
 * in-memory queue loses no payment.
 *
 * `step` is the `SettleStep` a notification route passes as `onSettled`: it queues the record and waits at most
 * `waitMs` for it (a copy arriving while that settlement is in flight does not wait at all). Settled in time → the gateway gets its OK after the order exists (as before); failed in time →
 * the error goes back to the use case (the gateway retries, as before); still running → the gateway gets its OK now.
 */
import type { Gateway } from '../gateway.js';
import type { PaymentLedger, PaymentRecord, TransitionSource } from '../ledger/port.js';
import type { Logger } from '../log.js';
import { gatewayLogger, type SettleStep, settleRecord } from '../notification.js';

export interface SettleOutboxOptions {
  ledger: PaymentLedger;
  /** The records' gateway: surplus payments found while settling are refunded through it (see `settleRecord`). */
  gateway: Gateway;
  /** The platform's settle step (idempotent: it may run again for a record it already settled). */
  onSettled: SettleStep;
  /** Default: JSON lines on the console (guarded, like every core logger). */
  logger?: Logger | undefined;
  /** Settlements running at once. Default 2: the platform's work is heavy, and more only queues inside it. */
  concurrency?: number | undefined;
  /** How long `step` waits for the settlement before letting the gateway be answered. Default 1,000 ms. */
  waitMs?: number | undefined;
  /** Delays before each retry of a failed settlement; after the last, reconciliation takes over. */
  retryDelaysMs?: readonly number[] | undefined;
}

export interface DrainSummary {
  /** Unsettled records found (not updated for `olderThanMs`). */
  found: number;
  settled: number;
  failed: number;
}

export interface SettleOutbox {
  /** `onSettled` for notification routes: queue, wait at most `waitMs`, then let the gateway be answered. */
  readonly step: SettleStep;
  /** Queues one record (once per invoice at a time) and resolves when this attempt is done; rejects if it failed. */
  settle(record: PaymentRecord, source?: TransitionSource): Promise<void>;
  /** Queues every unsettled record of the gateway not updated for `olderThanMs` and waits for them. */
  drain(options?: { limit?: number | undefined; olderThanMs?: number | undefined }): Promise<DrainSummary>;
  /** Resolves when nothing is queued or running (scheduled retries are not waited for). */
  idle(): Promise<void>;
  /** Cancels scheduled retries (shutdown, tests); running work finishes. */
  close(): void;
  /** Settlements queued or running now. */
  readonly size: number;
}

/** Stable codes of the outbox's log lines. */
export const SETTLE_OUTBOX_LOG_CODES = {
  deferred: 'SETTLE_DEFERRED',
  failed: 'SETTLE_FAILED',
  gaveUp: 'SETTLE_GAVE_UP',
} as const;

const C = SETTLE_OUTBOX_LOG_CODES;
const DEFAULT_RETRY_DELAYS_MS = [1_000, 5_000, 30_000] as const;

interface Job {
  record: PaymentRecord;
  source: TransitionSource;
  attempt: number;
  done: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export function createSettleOutbox(options: SettleOutboxOptions): SettleOutbox {
  const { ledger, gateway, onSettled } = options;
  const log = gatewayLogger(gateway, options.logger);
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const waitMs = Math.max(0, options.waitMs ?? 1_000);
  const retryDelays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const deps = { ledger, logger: log, onSettled, gateway };

  /** Queued or running, by invoice: a second request for the same invoice joins the first. */
  const jobs = new Map<string, Job>();
  const queue: Job[] = [];
  const retries = new Set<ReturnType<typeof setTimeout>>();
  let running = 0;
  let idleWaiters: Array<() => void> = [];
  let closed = false;

  const keyOf = (record: PaymentRecord) => `${record.gateway}:${record.invoiceId}`;

  function settleIdle(): void {
    if (running > 0 || queue.length > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const wake of waiters) wake();
  }

  function pump(): void {
    while (running < concurrency && queue.length > 0) {
      const job = queue.shift() as Job;
      running += 1;
      void run(job).finally(() => {
        running -= 1;
        jobs.delete(keyOf(job.record));
        pump();
        settleIdle();
      });
    }
  }

  /** Whether the record still owes the platform work (another path may have settled it meanwhile). */
  const owes = (record: PaymentRecord) =>
    (record.state === 'paid' || record.state === 'held') && record.settledState !== record.state && !record.surplus;

  async function run(job: Job): Promise<void> {
    try {
      // A retry reads the record again: it may have been settled, flagged or refunded since.
      const record = job.attempt === 0 ? job.record : await ledger.find(job.record);
      if (record !== undefined && owes(record)) await settleRecord(deps, record, job.source);
      job.resolve();
    } catch (error) {
      job.reject(error);
      scheduleRetry(job, error);
    }
  }

  function scheduleRetry(job: Job, error: unknown): void {
    const where = { gateway: job.record.gateway, invoiceId: job.record.invoiceId, attempt: job.attempt + 1 };
    const delay = retryDelays[job.attempt];
    if (delay === undefined || closed) {
      // Not lost: the record stays paid/held and unsettled, reconciliation's unsettled pass and the admin see it.
      log.error(C.gaveUp, { ...where, error });
      return;
    }
    log.warn(C.failed, { ...where, retryInMs: delay, error });
    const timer = setTimeout(() => {
      retries.delete(timer);
      if (!closed) void enqueue(job.record, job.source, job.attempt + 1).catch(() => undefined);
    }, delay);
    timer.unref?.();
    retries.add(timer);
  }

  function enqueue(record: PaymentRecord, source: TransitionSource, attempt: number): Promise<void> {
    const key = keyOf(record);
    const existing = jobs.get(key);
    if (existing) return existing.done;
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<void>((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    // Whoever awaits `done` sees a failure; nobody awaiting it (a deferred notification) must not crash the process.
    done.catch(() => undefined);
    const job: Job = { record, source, attempt, done, resolve, reject };
    jobs.set(key, job);
    queue.push(job);
    pump();
    return done;
  }

  const step: SettleStep = async (record, context) => {
    if (!owes(record)) return;
    // A copy of a notification whose settlement is already queued or running adds nothing by waiting: the payment is
    // recorded and the one settlement in flight finishes it. Only the call that starts a settlement waits for it.
    if (jobs.has(keyOf(record))) return;
    const done = enqueue(record, context.source, 0);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deferred = new Promise<'deferred'>((wake) => {
      timer = setTimeout(() => wake('deferred'), waitMs);
    });
    try {
      const first = await Promise.race([done.then(() => 'done' as const), deferred]);
      if (first === 'deferred') {
        log.info(C.deferred, { gateway: record.gateway, invoiceId: record.invoiceId, waitMs });
      }
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    step,
    settle: (record, source = 'reconcile') => (owes(record) ? enqueue(record, source, 0) : Promise.resolve()),
    async drain(drainOptions = {}) {
      const olderThan = Date.now() - (drainOptions.olderThanMs ?? 0);
      const found = (await ledger.listUnsettled({ limit: drainOptions.limit ?? 100, gateway: gateway.id })).filter(
        (r) => r.updatedAt.getTime() <= olderThan,
      );
      const results = await Promise.allSettled(found.map((r) => enqueue(r, 'reconcile', 0)));
      const failed = results.filter((r) => r.status === 'rejected').length;
      return { found: found.length, settled: found.length - failed, failed };
    },
    idle: () =>
      running === 0 && queue.length === 0 ? Promise.resolve() : new Promise((wake) => idleWaiters.push(wake)),
    close() {
      closed = true;
      for (const timer of retries) clearTimeout(timer);
      retries.clear();
    },
    get size() {
      return jobs.size;
    },
  };
}
