import path from 'node:path';
import { type Sandbox, startSandbox } from '@kassa/sandbox';
import { medusaIntegrationTestRunner } from '@medusajs/test-utils';
import {
  ASSIST_PROVIDERS,
  type AssistCheckout,
  assistNotification,
  offerAssist,
  payAssist,
  registerAssistMerchant,
} from '../integration-tests/support/assist';
import { type Api, startCheckout } from '../integration-tests/support/checkout';
import { seedShop } from '../integration-tests/support/seed';
import { CONCURRENCY, fmt, load, SECONDS } from './load';

/**
 * Assist notification benchmark (prints numbers; asserts nothing about time), beside the ResultURL one.
 *
 * 1. First notifications: the whole route including Medusa's cart completion, per paid cart.
 * 2. The duplicate path (a paid order whose Medusa order exists: parse, ledger lookup, checkvalue, amount and
 *    currency, the settle step seeing the ledger already settled, the `pushpaymentresult` echo) against a no-op POST
 *    route on the same server, both driven at the same concurrency for the same time, in this run. The ratio of their
 *    requests/s is the figure of merit (target ≥ 0.5).
 */

const CARTS = Number(process.env.BENCH_CARTS ?? 5);

const sandbox: Sandbox = await startSandbox({ retryBackoffMs: 50, assistRetryBackoffMs: 50 });
process.env.ASSIST_BASE_URL = sandbox.url;
afterAll(() => sandbox.stop());

medusaIntegrationTestRunner({
  cwd: path.join(__dirname, '../integration-tests/app'),
  testSuite: ({ api: rawApi, getContainer }) => {
    const api = rawApi as Api;
    test('Assist notification benchmark', async () => {
      const base = api.defaults.baseURL ?? '';
      registerAssistMerchant(sandbox, api);
      const shop = await seedShop(getContainer());
      await offerAssist(getContainer(), shop);

      const first: number[] = [];
      let last: { orderNumber: string; billNumber: string } | undefined;
      for (let i = 0; i < CARTS; i += 1) {
        const checkout = (await startCheckout(api, shop, ASSIST_PROVIDERS.capture)) as unknown as AssistCheckout;
        const outcome = await payAssist(sandbox, checkout, { faults: { buyerClosesTab: true } });
        const attempt = outcome.delivery.attempts[0];
        if (attempt?.outcome !== 'ok') throw new Error('first notification was not acknowledged');
        first.push(attempt.durationMs ?? Number.NaN);
        last = { orderNumber: checkout.data.order_number, billNumber: attempt.billNumber };
      }
      if (!last) throw new Error('no cart was paid');

      const duplicate = assistNotification({ ...last, amount: '2769.00' });
      const acknowledged = (text: string) =>
        text.includes('<pushpaymentresult firstcode="0" secondcode="0">') && text.includes(last.billNumber);
      // Warm both paths, then measure them back to back in this run.
      await load(`${base}/assist/notification`, duplicate, acknowledged);
      // The same form body goes to both routes: Medusa parses it either way, so that cost is not counted as the plugin's.
      const noop = await load(`${base}/bench/noop`, duplicate, 'OK');
      const dup = await load(`${base}/assist/notification`, duplicate, acknowledged);

      first.sort((a, b) => a - b);
      const ratio = dup.perSecond / noop.perSecond;
      console.log(`
Assist notification benchmark (${CONCURRENCY} concurrent clients, ${SECONDS} s per route, ${CARTS} carts)
  first notification incl. Medusa cart completion: median ${fmt(first[Math.floor(first.length / 2)] ?? 0)} ms, max ${fmt(first[first.length - 1] ?? 0)} ms
  no-op route:            ${fmt(noop.perSecond)} req/s, mean ${fmt(noop.meanMs)} ms, p95 ${fmt(noop.p95Ms)} ms (${noop.requests} requests, ${noop.failures} failures)
  duplicate notification: ${fmt(dup.perSecond)} req/s, mean ${fmt(dup.meanMs)} ms, p95 ${fmt(dup.p95Ms)} ms (${dup.requests} requests, ${dup.failures} failures)
  plugin's own work per duplicate notification ≈ ${fmt(dup.meanMs - noop.meanMs)} ms
  ratio duplicate / no-op = ${ratio.toFixed(2)} (target ≥ 0.5)
`);
      expect(dup.failures).toBe(0);
      expect(noop.failures).toBe(0);
    });
  },
});
