import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { SqlClient } from '@kassa/core';
import type { Logger } from '@medusajs/framework/types';
import { Modules } from '@medusajs/framework/utils';

/**
 * Several Medusa instances on one database (issue #11 §1). The plugin makes one order per cart whatever the locking
 * (lib/cart-lock.ts), but Medusa's own workflows (cart completion, payment capture, the plugin's jobs) need a locking
 * provider every instance shares: with the in-memory default each instance locks only itself. An instance cannot
 * know the others exist, so each one records a heartbeat in the shop's database (`kassa_instance`, created by the
 * module's migration) and, at boot and on every beat, warns once when another instance was seen recently while its
 * own locking is in-memory. The admin's Payments page shows the same verdict (GET /admin/kassa/payments `instances`).
 */

/** The stable code of the warning (logged, returned by the admin API, rendered by the admin in ru/en). */
export const MULTI_INSTANCE_LOCKING_IN_MEMORY = 'MULTI_INSTANCE_LOCKING_IN_MEMORY';

/** How often an instance records that it is alive. */
export const HEARTBEAT_INTERVAL_MS = 60_000;
/** Another instance counts while its last beat is younger than this (three beats: one lost beat is not a departure). */
export const INSTANCE_WINDOW_MS = 3 * HEARTBEAT_INTERVAL_MS;
/** Rows of instances gone longer than this are deleted (a crashed instance cannot delete its own). */
const FORGET_AFTER_MS = 24 * 3_600_000;

/** Medusa's built-in locking provider: a lock in one process's memory. */
export const IN_MEMORY_LOCKING = 'in-memory';

/** What the shop's medusa-config must say for several instances (also in the README, "Several Medusa instances"). */
export const SHARED_LOCKING_HINT =
  "add to medusa-config modules: { resolve: '@medusajs/medusa/locking', options: { providers: [{ resolve: " +
  "'@medusajs/medusa/locking-redis', id: 'locking-redis', is_default: true, options: { redisUrl: process.env.REDIS_URL } }] } } " +
  "(or '@medusajs/medusa/locking-postgres' with id 'locking-postgres', no options)";

export interface LockingInfo {
  /** The default locking provider's identifier (`in-memory`, `locking-redis`, `locking-postgres`, or a custom one). */
  provider: string;
  /** Whether its locks hold across processes (anything but Medusa's in-memory provider). */
  shared: boolean;
}

export interface InstancesView {
  /** Instances seen in the last few minutes, this one included. */
  count: number;
  lockingShared: boolean;
  /** `MULTI_INSTANCE_LOCKING_IN_MEMORY` when more than one instance runs with in-memory locking. */
  warning?: string;
}

/** The part of Medusa's locking module we read (its default provider and the provider registry). */
interface LockingModuleLike {
  defaultProviderId?: unknown;
  providerService_?: { retrieveProviderRegistration?(id: string): unknown };
}

/**
 * The default locking provider of the app's container: Medusa's locking module keeps its id (`in-memory` unless the
 * shop configured one) and resolves the provider, whose class carries the identifier (`locking-redis`…). A shop that
 * registers a provider under its own id is recognised by the class, not the id.
 */
export function lockingOf(container: { resolve(key: string, options?: { allowUnregistered?: boolean }): unknown }) {
  let locking: LockingModuleLike | undefined;
  try {
    locking = container.resolve(Modules.LOCKING, { allowUnregistered: true }) as LockingModuleLike | undefined;
  } catch {
    locking = undefined;
  }
  const id = typeof locking?.defaultProviderId === 'string' ? locking.defaultProviderId : undefined;
  if (!locking || id === undefined) return { provider: IN_MEMORY_LOCKING, shared: false } satisfies LockingInfo;
  let identifier: unknown;
  try {
    const provider = locking.providerService_?.retrieveProviderRegistration?.(id) as
      | { constructor?: { identifier?: unknown } }
      | undefined;
    identifier = provider?.constructor?.identifier;
  } catch {
    identifier = undefined;
  }
  const provider = typeof identifier === 'string' ? identifier : id;
  return { provider, shared: provider !== IN_MEMORY_LOCKING } satisfies LockingInfo;
}

/** The verdict: a warning only when there is more than one instance and this one's locking is in-memory. */
export function instancesVerdict(input: { others: number; locking: LockingInfo }): InstancesView {
  const count = 1 + Math.max(0, input.others);
  return {
    count,
    lockingShared: input.locking.shared,
    ...(count > 1 && !input.locking.shared ? { warning: MULTI_INSTANCE_LOCKING_IN_MEMORY } : {}),
  };
}

/** This instance's row: a random id (a pid repeats across hosts and restarts), with host and pid for a human. */
export interface InstanceIdentity {
  id: string;
  host: string;
  pid: number;
}

export function thisInstance(): InstanceIdentity {
  return { id: randomUUID(), host: hostname(), pid: process.pid };
}

/** Why a heartbeat failed, in words with a next step (never the SQL text a driver error carries). */
export function heartbeatFailure(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  // 42P01 undefined_table: Medusa was started before the plugin's migrations ran.
  if (code === '42P01') return 'table kassa_instance is missing: run `npx medusa db:migrate`';
  const name = error instanceof Error ? error.name : 'unknown error';
  return typeof code === 'string' ? `${name} (PostgreSQL ${code.slice(0, 8)})` : name;
}

/**
 * The heartbeat of one instance. Times are the database's (`now()`), so instances on hosts with skewed clocks still
 * agree on who was seen recently. Every failure is logged and swallowed: a heartbeat must never stop a shop.
 */
export class InstanceHeartbeat {
  readonly #sql: SqlClient;
  readonly #logger: Pick<Logger, 'warn' | 'error'>;
  readonly #identity: InstanceIdentity;
  readonly #locking: () => LockingInfo;
  #timer: ReturnType<typeof setInterval> | undefined;
  #warned = false;
  /** The last failure logged: a heartbeat failing every minute for the same reason says so once. */
  #failure: string | undefined;

  constructor(
    sql: SqlClient,
    logger: Pick<Logger, 'warn' | 'error'>,
    locking: () => LockingInfo,
    identity: InstanceIdentity = thisInstance(),
  ) {
    this.#sql = sql;
    this.#logger = logger;
    this.#locking = locking;
    this.#identity = identity;
  }

  get id(): string {
    return this.#identity.id;
  }

  /** Records this instance as alive and returns the verdict; logs the warning once when it first applies. */
  async beat(): Promise<InstancesView | undefined> {
    try {
      const locking = this.#locking();
      const { id, host, pid } = this.#identity;
      await this.#sql.query(
        `insert into kassa_instance (id, host, pid, started_at, seen_at, locking_provider)
         values (?, ?, ?, now(), now(), ?)
         on conflict (id) do update set seen_at = now(), locking_provider = excluded.locking_provider`,
        [id, host, pid, locking.provider],
      );
      const view = instancesVerdict({ others: await this.#others(), locking });
      if (view.warning && !this.#warned) {
        this.#warned = true;
        this.#logger.error(
          `${MULTI_INSTANCE_LOCKING_IN_MEMORY} ${view.count} Medusa instances use this database but this one locks in ` +
            `memory (provider ${locking.provider}): Medusa's cart and payment locks do not reach the other instances. ` +
            `Configure a shared locking provider on every instance — ${SHARED_LOCKING_HINT}.`,
        );
      }
      if (!view.warning) this.#warned = false;
      this.#failure = undefined;
      return view;
    } catch (error) {
      const reason = heartbeatFailure(error);
      if (reason !== this.#failure) this.#logger.warn(`KASSA_INSTANCE_HEARTBEAT_FAILED ${reason}`);
      this.#failure = reason;
      return undefined;
    }
  }

  /** The verdict without writing (the admin's read): instances seen recently, this one counted once. */
  async view(): Promise<InstancesView> {
    return instancesVerdict({ others: await this.#others(), locking: this.#locking() });
  }

  /** Beats now and then every `HEARTBEAT_INTERVAL_MS`; the timer never keeps the process alive. */
  start(intervalMs = HEARTBEAT_INTERVAL_MS): Promise<InstancesView | undefined> {
    this.stop();
    this.#timer = setInterval(() => void this.beat(), intervalMs);
    this.#timer.unref();
    return (async () => {
      await this.#forgetGone();
      return this.beat();
    })();
  }

  /** Stops beating and removes this instance's row, so a restart is not taken for a second instance. */
  async stop(options: { forget?: boolean } = {}): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (!options.forget) return;
    try {
      await this.#sql.query('delete from kassa_instance where id = ?', [this.#identity.id]);
    } catch {
      // The database may already be gone at shutdown; the row then ages out of the window.
    }
  }

  async #others(): Promise<number> {
    const rows = await this.#sql.query<{ n: unknown }>(
      `select count(*) as n from kassa_instance
       where id <> ? and seen_at > now() - (? * interval '1 millisecond')`,
      [this.#identity.id, INSTANCE_WINDOW_MS],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async #forgetGone(): Promise<void> {
    try {
      await this.#sql.query(`delete from kassa_instance where seen_at < now() - (? * interval '1 millisecond')`, [
        FORGET_AFTER_MS,
      ]);
    } catch {
      // Housekeeping only; the beat reports a missing table.
    }
  }
}
