import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createRobokassaConfig } from '@kassa/core/robokassa';
import { signResultCallback } from '@kassa/core/testing';
import { type Sandbox, startSandbox } from '@kassa/sandbox';
import { ContainerRegistrationKeys } from '@medusajs/framework/utils';
import { medusaIntegrationTestRunner } from '@medusajs/test-utils';
import { ROBOKASSA_MODULE } from '../src/modules/robokassa';
import type RobokassaModuleService from '../src/modules/robokassa/service';
import { adminHeaders } from './support/admin';
import { type Api, type Checkout, payInSandbox, shopState, startCheckout } from './support/checkout';
import { MERCHANT, PROVIDERS, registerMerchant } from './support/merchant';
import { freePort } from './support/net';
import { seedShop } from './support/seed';

/**
 * Issue #11 §1, "Two instances on one database make duplicate orders": two Medusa instances — the test runner's app
 * in this process and a second one in its own process (integration-tests/app/second-instance.cjs) — on ONE
 * PostgreSQL database take the same ResultURL callbacks: `carts` carts paid, each invoice's callback sent 10 times,
 * 5 copies to each instance, all at once. Every callback must end in `OK{InvId}` (a 5xx is retried as Robokassa
 * retries, and counted: none is expected), every cart gets exactly one order, the ledger has every invoice paid and
 * settled, and the boot check sees two instances in `kassa_instance`, warning exactly when the locking is in-memory.
 * Used by two-instances.app.test.ts (Redis locking, as a shop must configure) and
 * two-instances-in-memory.app.test.ts (Medusa's in-memory default: only the plugin's cart lock keeps one order).
 */
export interface TwoInstancesOptions {
  /** `redis`: Medusa's Redis locking provider on both instances; `in-memory`: Medusa's default. */
  locking: 'redis' | 'in-memory';
  carts: number;
  dbName: string;
}

const COPIES_PER_INSTANCE = 5;
/** Invoices whose copies are in flight at once (4 × 10 = 40 concurrent requests). */
const INVOICES_AT_ONCE = 4;
/** Robokassa's own rule: the first attempt and 4 more. */
const ATTEMPTS = 5;

const APP = path.join(__dirname, 'app');

/** Starts the second instance and resolves once it printed READY and answers /health. */
async function startSecondInstance(databaseUrl: string): Promise<{ child: ChildProcess; url: string; log: string[] }> {
  const port = await freePort();
  const log: string[] = [];
  const child = spawn(process.execPath, [path.join(APP, 'second-instance.cjs')], {
    cwd: APP,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  child.stdout?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', () => {
      if (log.join('').includes('READY ')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`second instance exited (${code}): ${log.join('').slice(-2000)}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const health = await fetch(`${url}/health`);
  if (health.status !== 200) throw new Error(`second instance /health answered ${health.status}`);
  return { child, url, log };
}

export async function twoInstancesSuite(options: TwoInstancesOptions): Promise<void> {
  const CARTS = options.carts;
  const shared = options.locking === 'redis';
  // Read by integration-tests/app/medusa-config.ts in both processes (the child inherits the environment).
  if (shared) process.env.KASSA_TEST_LOCKING = 'redis';
  else delete process.env.KASSA_TEST_LOCKING;
  const sandbox: Sandbox = await startSandbox({ retryBackoffMs: 50 });
  process.env.ROBOKASSA_BASE_URL = sandbox.url;
  afterAll(() => sandbox.stop());

  medusaIntegrationTestRunner({
    cwd: APP,
    dbName: options.dbName,
    testSuite: ({ api: rawApi, getContainer, dbConfig }) => {
      const api = rawApi as Api;
      let second: ChildProcess | undefined;

      afterAll(async () => {
        if (!second || second.exitCode !== null) return;
        const child = second;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        // A clean shutdown removes its heartbeat row; one that hangs must not hold the suite.
        const force = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(force);
      });

      test(`${options.locking} locking, ${CARTS} carts, every ResultURL sent 5 times to each of two instances at once: one order per cart, every callback OK`, async () => {
        const started = performance.now();
        const instance = await startSecondInstance(dbConfig.clientUrl);
        second = instance.child;
        const urls = [api.defaults.baseURL ?? '', instance.url];

        registerMerchant(sandbox, api);
        const shop = await seedShop(getContainer());
        const checkouts: Checkout[] = [];
        for (let i = 0; i < CARTS; i += 1) {
          const checkout = await startCheckout(api, shop, PROVIDERS.capture);
          // Paid on the sandbox's page; its own ResultURL is dropped, the burst below delivers the copies.
          await payInSandbox(sandbox, checkout, { faults: { buyerClosesTab: true, callback: { drop: true } } });
          checkouts.push(checkout);
        }
        const prepared = performance.now();

        const config = createRobokassaConfig(MERCHANT);
        // Each invoice's copies all at once, half to each instance (the race that made two orders for one cart),
        // `INVOICES_AT_ONCE` invoices at a time.
        const invoices = checkouts.map((c) => ({
          body: signResultCallback(config, { outSum: c.data.out_sum, invId: c.data.inv_id }).body,
          expected: `OK${c.data.inv_id}`,
        }));
        const replies = { ok: 0, serverErrors: 0, otherErrors: 0, retried: 0, gaveUp: [] as string[] };
        /** One copy delivered as Robokassa delivers it: retried until `OK{InvId}`, at most `ATTEMPTS` times. */
        const deliver = async (url: string, invoice: { body: string; expected: string }) => {
          for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
            if (attempt > 1) replies.retried += 1;
            const response = await fetch(`${url}/robokassa/result`, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: invoice.body,
            });
            const text = await response.text();
            if (response.status === 200 && text === invoice.expected) {
              replies.ok += 1;
              return;
            }
            if (response.status >= 500) replies.serverErrors += 1;
            else replies.otherErrors += 1;
          }
          replies.gaveUp.push(invoice.expected);
        };
        let next = 0;
        await Promise.all(
          Array.from({ length: INVOICES_AT_ONCE }, async () => {
            for (let invoice = invoices[next++]; invoice; invoice = invoices[next++]) {
              const copies = urls.flatMap((url) => Array.from({ length: COPIES_PER_INSTANCE }, () => url));
              await Promise.all(copies.map((url) => deliver(url, invoice)));
            }
          }),
        );
        const callbacks = invoices.length * urls.length * COPIES_PER_INSTANCE;
        const burst = performance.now();

        // Exactly one order per cart, and no other order anywhere.
        const orderCounts = await Promise.all(
          checkouts.map(async (c) => (await shopState(getContainer(), c.cartId)).orderIds.length),
        );
        const query = getContainer().resolve(ContainerRegistrationKeys.QUERY);
        const { data: orders } = await query.graph({ entity: 'order', fields: ['id'] });

        // The ledger: every invoice paid and settled in Medusa.
        const ledger = getContainer().resolve<RobokassaModuleService>(ROBOKASSA_MODULE).ledger;
        const records = await Promise.all(
          checkouts.map((c) => ledger.find({ gateway: 'robokassa', invoiceId: String(c.data.inv_id) })),
        );

        // The boot check: both instances beat into kassa_instance with Redis locking, and the admin sees no warning.
        const knex = getContainer().resolve(ContainerRegistrationKeys.PG_CONNECTION);
        const heartbeats = (await knex.raw(
          `select locking_provider from kassa_instance where seen_at > now() - interval '3 minutes' order by id`,
        )) as { rows: Array<{ locking_provider: string }> };
        const payments = await api.get('/admin/kassa/payments?limit=1', await adminHeaders(api, getContainer()));

        console.log(`
two instances on one database (${options.locking} locking), ${CARTS} carts, ${callbacks} callbacks (${COPIES_PER_INSTANCE} to each instance per invoice, all at once), ${INVOICES_AT_ONCE} invoices at a time
  second instance up and ${CARTS} carts paid in ${((prepared - started) / 1000).toFixed(1)} s; burst answered in ${((burst - prepared) / 1000).toFixed(1)} s
  replies: ${replies.ok} OK, ${replies.serverErrors} 5xx, ${replies.otherErrors} other non-OK, ${replies.retried} retries, ${replies.gaveUp.length} given up
  orders: ${orders.length} (carts with one order: ${orderCounts.filter((n) => n === 1).length}, with two or more: ${orderCounts.filter((n) => n > 1).length})
`);
        expect(replies.gaveUp).toEqual([]);
        expect(replies.ok).toBe(callbacks);
        expect(replies.otherErrors).toBe(0);
        expect(replies.serverErrors).toBe(0);
        expect(orderCounts.filter((n) => n !== 1)).toEqual([]);
        expect(orders).toHaveLength(CARTS);
        expect(records.map((r) => `${r?.state}/${r?.settledState}`)).toEqual(checkouts.map(() => 'paid/paid'));
        const provider = shared ? 'locking-redis' : 'in-memory';
        expect(heartbeats.rows.map((r) => r.locking_provider)).toEqual([provider, provider]);
        if (shared) {
          expect(payments.data.instances).toEqual({ count: 2, lockingShared: true });
          expect(instance.log.join('')).not.toContain('MULTI_INSTANCE_LOCKING_IN_MEMORY');
        } else {
          expect(payments.data.instances).toEqual({
            count: 2,
            lockingShared: false,
            warning: 'MULTI_INSTANCE_LOCKING_IN_MEMORY',
          });
          // The second instance saw the first at boot and said what to configure, once.
          const warnings = instance.log.join('').match(/MULTI_INSTANCE_LOCKING_IN_MEMORY/g) ?? [];
          expect(warnings).toHaveLength(1);
          expect(instance.log.join('')).toContain('@medusajs/medusa/locking-redis');
        }
      });
    },
  });
}
