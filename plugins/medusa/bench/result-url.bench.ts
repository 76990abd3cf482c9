import path from 'node:path';
import { createRobokassaConfig } from '@kassa/core/robokassa';
import { signResultCallback } from '@kassa/core/testing';
import { type Sandbox, startSandbox } from '@kassa/sandbox';
import { medusaIntegrationTestRunner } from '@medusajs/test-utils';
import { type Api, payInSandbox, startCheckout } from '../integration-tests/support/checkout';
import { MERCHANT, PROVIDERS } from '../integration-tests/support/merchant';
import { seedShop } from '../integration-tests/support/seed';
import { CONCURRENCY, fmt, load, SECONDS } from './load';

/**
 * ResultURL benchmark (prints numbers; asserts nothing about time).
 *
 * 1. First callbacks: the whole route including Medusa's cart completion, per paid cart.
 * 2. The duplicate-callback path (a paid invoice whose order exists: parse, ledger lookup, signature, amount, one
 *    Query to see the order is there, `OK{InvId}`) against a no-op POST route on the same server, both driven at the
 *    same concurrency for the same time, in this run. The ratio of their requests/s is the figure of merit
 *    (target ≥ 0.5); the difference of their mean latencies is the plugin's own cost per callback.
 */

const CARTS = Number(process.env.BENCH_CARTS ?? 5);

const sandbox: Sandbox = await startSandbox({ retryBackoffMs: 50 });
process.env.ROBOKASSA_BASE_URL = sandbox.url;
afterAll(() => sandbox.stop());

medusaIntegrationTestRunner({
  cwd: path.join(__dirname, '../integration-tests/app'),
  testSuite: ({ api: rawApi, getContainer }) => {
    const api = rawApi as Api;
    test('ResultURL benchmark', async () => {
      const base = api.defaults.baseURL ?? '';
      sandbox.admin.upsertMerchant({ ...MERCHANT, resultUrl: `${base}/robokassa/result` });
      const shop = await seedShop(getContainer());

      const first: number[] = [];
      let lastInvId = 0;
      for (let i = 0; i < CARTS; i += 1) {
        const checkout = await startCheckout(api, shop, PROVIDERS.capture);
        const outcome = await payInSandbox(sandbox, checkout, { faults: { buyerClosesTab: true } });
        const attempt = outcome.delivery.attempts[0];
        if (attempt?.bodyExcerpt !== `OK${checkout.data.inv_id}`) throw new Error('first callback was not OK');
        first.push(attempt.durationMs ?? Number.NaN);
        lastInvId = checkout.data.inv_id;
      }

      const duplicate = signResultCallback(createRobokassaConfig(MERCHANT), {
        outSum: '2769.000000',
        invId: lastInvId,
      }).body;
      // Warm both paths, then measure them back to back in this run.
      await load(`${base}/robokassa/result`, duplicate, `OK${lastInvId}`);
      // The same form body goes to both routes: Medusa parses it either way, so that cost is not counted as the plugin's.
      const noop = await load(`${base}/bench/noop`, duplicate, 'OK');
      const dup = await load(`${base}/robokassa/result`, duplicate, `OK${lastInvId}`);

      first.sort((a, b) => a - b);
      const ratio = dup.perSecond / noop.perSecond;
      console.log(`
ResultURL benchmark (${CONCURRENCY} concurrent clients, ${SECONDS} s per route, ${CARTS} carts)
  first callback incl. Medusa cart completion: median ${fmt(first[Math.floor(first.length / 2)] ?? 0)} ms, max ${fmt(first[first.length - 1] ?? 0)} ms
  no-op route:        ${fmt(noop.perSecond)} req/s, mean ${fmt(noop.meanMs)} ms, p95 ${fmt(noop.p95Ms)} ms (${noop.requests} requests, ${noop.failures} failures)
  duplicate callback: ${fmt(dup.perSecond)} req/s, mean ${fmt(dup.meanMs)} ms, p95 ${fmt(dup.p95Ms)} ms (${dup.requests} requests, ${dup.failures} failures)
  plugin's own work per duplicate callback ≈ ${fmt(dup.meanMs - noop.meanMs)} ms
  ratio duplicate / no-op = ${ratio.toFixed(2)} (target ≥ 0.5)
`);
      expect(dup.failures).toBe(0);
      expect(noop.failures).toBe(0);
    });
  },
});
