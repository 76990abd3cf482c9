import type { SqlClient } from '@kassa/core';
import { describe, expect, test } from 'vitest';
import { InstanceHeartbeat, instancesVerdict, lockingOf, MULTI_INSTANCE_LOCKING_IN_MEMORY } from '../src/lib/instances';

/** Issue #11 §1: more than one Medusa instance on a database needs a locking provider they share. */
describe('instances verdict', () => {
  const inMemory = { provider: 'in-memory', shared: false };
  const redis = { provider: 'locking-redis', shared: true };

  test('in-memory locking and another instance seen: the warning', () => {
    expect(instancesVerdict({ others: 1, locking: inMemory })).toEqual({
      count: 2,
      lockingShared: false,
      warning: MULTI_INSTANCE_LOCKING_IN_MEMORY,
    });
  });

  test('shared locking: no warning, however many instances', () => {
    expect(instancesVerdict({ others: 3, locking: redis })).toEqual({ count: 4, lockingShared: true });
  });

  test('alone: no warning, even with in-memory locking', () => {
    expect(instancesVerdict({ others: 0, locking: inMemory })).toEqual({ count: 1, lockingShared: false });
  });
});

describe('lockingOf (the app container’s default locking provider)', () => {
  class InMemoryLockingProvider {
    static identifier = 'in-memory';
    readonly shared = false;
  }
  class RedisLockingProvider {
    static identifier = 'locking-redis';
    readonly shared = true;
  }
  const containerWith = (defaultProviderId: string, providers: Record<string, object>) => ({
    resolve: (key: string) => {
      if (key !== 'locking') throw new Error(`unexpected ${key}`);
      return { defaultProviderId, providerService_: { retrieveProviderRegistration: (id: string) => providers[id] } };
    },
  });

  test('Medusa’s default is in-memory, not shared', () => {
    expect(lockingOf(containerWith('in-memory', { 'in-memory': new InMemoryLockingProvider() }))).toEqual({
      provider: 'in-memory',
      shared: false,
    });
  });

  test('a Redis provider registered under the shop’s own id is recognised by its class', () => {
    expect(lockingOf(containerWith('my-redis', { 'my-redis': new RedisLockingProvider() }))).toEqual({
      provider: 'locking-redis',
      shared: true,
    });
  });

  test('no locking module: treated as in-memory', () => {
    expect(lockingOf({ resolve: () => undefined })).toEqual({ provider: 'in-memory', shared: false });
  });
});

describe('InstanceHeartbeat', () => {
  /** A SQL client answering the count of other instances with a value the test sets. */
  function sql(others: { n: number }) {
    const statements: string[] = [];
    const client: SqlClient = {
      async query<Row extends Record<string, unknown>>(text: string): Promise<Row[]> {
        statements.push(text.trim().split(/\s+/)[0] ?? '');
        return (text.includes('count(*)') ? [{ n: String(others.n) }] : []) as unknown as Row[];
      },
    };
    return { client, statements };
  }
  function logger() {
    const errors: string[] = [];
    const warnings: string[] = [];
    return { errors, warnings, log: { error: (l: string) => errors.push(l), warn: (l: string) => warnings.push(l) } };
  }
  const identity = { id: 'instance-a', host: 'host-a', pid: 1 };

  test('logs the error once with its code and the config to set, again only after it cleared', async () => {
    const others = { n: 1 };
    const db = sql(others);
    const out = logger();
    const heartbeat = new InstanceHeartbeat(
      db.client,
      out.log,
      () => ({ provider: 'in-memory', shared: false }),
      identity,
    );
    expect(await heartbeat.beat()).toMatchObject({ count: 2, warning: MULTI_INSTANCE_LOCKING_IN_MEMORY });
    await heartbeat.beat();
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0]).toMatch(/^MULTI_INSTANCE_LOCKING_IN_MEMORY 2 Medusa instances/);
    expect(out.errors[0]).toContain("'@medusajs/medusa/locking-redis'");
    expect(out.errors[0]).toContain('redisUrl');
    expect(out.errors[0]).toContain("'@medusajs/medusa/locking-postgres'");
    others.n = 0;
    expect(await heartbeat.beat()).toEqual({ count: 1, lockingShared: false });
    others.n = 2;
    await heartbeat.beat();
    expect(out.errors).toHaveLength(2);
    expect(db.statements.filter((s) => s === 'insert')).toHaveLength(4);
  });

  test('with shared locking, never an error', async () => {
    const out = logger();
    const heartbeat = new InstanceHeartbeat(
      sql({ n: 5 }).client,
      out.log,
      () => ({ provider: 'locking-redis', shared: true }),
      identity,
    );
    expect(await heartbeat.beat()).toEqual({ count: 6, lockingShared: true });
    expect(out.errors).toEqual([]);
  });

  test('a failing database is a warning, never a thrown error', async () => {
    const out = logger();
    const broken: SqlClient = {
      query: async () => {
        throw new Error('relation "kassa_instance" does not exist');
      },
    };
    const heartbeat = new InstanceHeartbeat(
      broken,
      out.log,
      () => ({ provider: 'in-memory', shared: false }),
      identity,
    );
    expect(await heartbeat.beat()).toBeUndefined();
    expect(out.warnings[0]).toMatch(/^KASSA_INSTANCE_HEARTBEAT_FAILED/);
  });

  test('a missing table says to migrate, once while it lasts, and never prints the SQL', async () => {
    const out = logger();
    const missing = Object.assign(
      new Error('insert into kassa_instance … - relation "kassa_instance" does not exist'),
      {
        code: '42P01',
      },
    );
    let fail = true;
    const sql: SqlClient = {
      query: async () => {
        if (fail) throw missing;
        return [];
      },
    };
    const heartbeat = new InstanceHeartbeat(sql, out.log, () => ({ provider: 'in-memory', shared: false }), identity);
    await heartbeat.beat();
    await heartbeat.beat();
    expect(out.warnings).toEqual([
      'KASSA_INSTANCE_HEARTBEAT_FAILED table kassa_instance is missing: run `npx medusa db:migrate`',
    ]);
    fail = false;
    await heartbeat.beat();
    fail = true;
    await heartbeat.beat();
    expect(out.warnings).toHaveLength(2);
    expect(out.warnings.join('\n')).not.toContain('insert into');
  });
});
