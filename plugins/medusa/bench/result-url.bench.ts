import path from 'node:path';
import { createRobokassaConfig } from '@kassa/core/robokassa';
import { signResultCallback } from '@kassa/core/testing';
import { type Sandbox, startSandbox } from '@kassa/sandbox';
import { medusaIntegrationTestRunner } from '@medusajs/test-utils';
import { type Api, payInSandbox, shopState, startCheckout } from '../integration-tests/support/checkout';
import { MERCHANT, PROVIDERS } from '../integration-tests/support/merchant';
import { seedShop } from '../integration-tests/support/seed';
import { ROBOKASSA_MODULE } from '../src/modules/robokassa';
import type RobokassaModuleService from '../src/modules/robokassa/service';
import { CONCURRENCY, fmt, load, percentile, profiled, SECONDS } from './load';

/**
 * ResultURL benchmark (prints numbers; asserts correctness, never time). With the plugin's default `settleWaitMs`.
 *
 * 1. A burst as Robokassa delivers it to a busy shop: `BENCH_ORDERS` (100) carts each paid, every ResultURL sent
 *    `BENCH_COPIES` (10) times — 1,000 callbacks, shuffled, from `BENCH_BURST_CLIENTS` (50) concurrent clients. Every
 *    reply must be `OK{InvId}`; the figures are the reply latency (p50/p99/max) and the time until every order exists.
 *    Before the settle outbox every copy waited for Medusa's cart completion (p99 7.1 s on 2 cores).
 * 2. The duplicate-callback path (a paid invoice whose order exists: parse, ledger lookup, signature, amount,
 *    `OK{InvId}`) against a no-op POST route on the same server, both driven at the same concurrency for the same
 *    time, in this run. The ratio of their requests/s is the figure of merit (aim ≥ 0.8).
 */

const ORDERS = Number(process.env.BENCH_ORDERS ?? 100);
const COPIES = Number(process.env.BENCH_COPIES ?? 10);
const BURST_CLIENTS = Number(process.env.BENCH_BURST_CLIENTS ?? 50);

// The shipped default (the test app otherwise waits for every order; see integration-tests/app/medusa-config.ts).
process.env.KASSA_SETTLE_WAIT_MS = process.env.KASSA_SETTLE_WAIT_MS_BENCH ?? '1000';
const sandbox: Sandbox = await startSandbox({ retryBackoffMs: 50 });
process.env.ROBOKASSA_BASE_URL = sandbox.url;
afterAll(() => sandbox.stop());

/** A deterministic shuffle (the same order every run). */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  let seed = 42;
  for (let i = out.length - 1; i > 0; i -= 1) {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

medusaIntegrationTestRunner({
  cwd: path.join(__dirname, '../integration-tests/app'),
  testSuite: ({ api: rawApi, getContainer }) => {
    const api = rawApi as Api;
    test('ResultURL benchmark', async () => {
      const base = api.defaults.baseURL ?? '';
      sandbox.admin.upsertMerchant({ ...MERCHANT, resultUrl: `${base}/robokassa/result` });
      const shop = await seedShop(getContainer());
      const ledger = getContainer().resolve<RobokassaModuleService>(ROBOKASSA_MODULE).ledger;
      const config = createRobokassaConfig(MERCHANT);

      // 1. The burst.
      const checkouts = [];
      for (let i = 0; i < ORDERS; i += 1) {
        const checkout = await startCheckout(api, shop, PROVIDERS.capture);
        // Paid on the sandbox's page; its own ResultURL is dropped, the burst below delivers it.
        await payInSandbox(sandbox, checkout, { faults: { buyerClosesTab: true, callback: { drop: true } } });
        checkouts.push(checkout);
      }
      const callbacks = shuffled(
        checkouts.flatMap((c) =>
          Array.from({ length: COPIES }, () => ({
            expected: `OK${c.data.inv_id}`,
            body: signResultCallback(config, { outSum: c.data.out_sum, invId: c.data.inv_id }).body,
          })),
        ),
      );
      const latencies: number[] = [];
      let wrong = 0;
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: BURST_CLIENTS }, async () => {
          while (next < callbacks.length) {
            const callback = callbacks[next++];
            if (!callback) break;
            const sent = performance.now();
            const response = await fetch(`${base}/robokassa/result`, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: callback.body,
            });
            const text = await response.text();
            latencies.push(performance.now() - sent);
            if (response.status !== 200 || text !== callback.expected) wrong += 1;
          }
        }),
      );
      const answered = performance.now() - started;
      while ((await ledger.listUnsettled({ limit: 1, gateway: 'robokassa' })).length > 0) {
        await new Promise((wake) => setTimeout(wake, 100));
      }
      const allOrders = performance.now() - started;
      let orders = 0;
      for (const c of checkouts) {
        const state = await shopState(getContainer(), c.cartId);
        if (state.orderIds.length !== 1) throw new Error(`cart ${c.cartId} has ${state.orderIds.length} orders`);
        orders += 1;
      }
      latencies.sort((a, b) => a - b);

      // 2. Duplicates of a settled invoice against the no-op route.
      const last = checkouts[checkouts.length - 1];
      if (!last) throw new Error('no cart was paid');
      const duplicate = signResultCallback(config, { outSum: last.data.out_sum, invId: last.data.inv_id }).body;
      // Warm both paths, then measure them back to back in this run.
      await load(`${base}/robokassa/result`, duplicate, `OK${last.data.inv_id}`);
      // The same form body goes to both routes: Medusa parses it either way, so that cost is not counted as the plugin's.
      const noop = await load(`${base}/bench/noop`, duplicate, 'OK');
      const dup = await profiled(() => load(`${base}/robokassa/result`, duplicate, `OK${last.data.inv_id}`));
      const ratio = dup.perSecond / noop.perSecond;

      console.log(`
ResultURL benchmark (settleWaitMs ${process.env.KASSA_SETTLE_WAIT_MS} ms)
  burst: ${callbacks.length} callbacks over ${ORDERS} orders (${COPIES} copies each, shuffled), ${BURST_CLIENTS} concurrent clients
    reply latency: p50 ${fmt(percentile(latencies, 0.5))} ms, p99 ${fmt(percentile(latencies, 0.99))} ms, max ${fmt(latencies.at(-1) ?? 0)} ms (aim p99 ≤ 2000 ms; ${wrong} wrong replies)
    all answered in ${fmt(answered / 1000)} s; all ${orders} orders made (one per cart) ${fmt(allOrders / 1000)} s after the first callback
  duplicates of a settled invoice (${CONCURRENCY} concurrent clients, ${SECONDS} s per route):
    no-op route:        ${fmt(noop.perSecond)} req/s, mean ${fmt(noop.meanMs)} ms, p95 ${fmt(noop.p95Ms)} ms (${noop.requests} requests, ${noop.failures} failures)
    duplicate callback: ${fmt(dup.perSecond)} req/s, mean ${fmt(dup.meanMs)} ms, p95 ${fmt(dup.p95Ms)} ms (${dup.requests} requests, ${dup.failures} failures)
    plugin's own work per duplicate callback ≈ ${fmt(dup.meanMs - noop.meanMs)} ms
    ratio duplicate / no-op = ${ratio.toFixed(2)} (aim ≥ 0.8)
`);
      expect(wrong).toBe(0);
      expect(orders).toBe(ORDERS);
      expect(dup.failures).toBe(0);
      expect(noop.failures).toBe(0);
    });
  },
});
