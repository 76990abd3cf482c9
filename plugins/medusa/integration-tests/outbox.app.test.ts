import path from 'node:path';
import { createRobokassaConfig } from '@kassa/core/robokassa';
import { signResultCallback } from '@kassa/core/testing';
import { type Sandbox, startSandbox } from '@kassa/sandbox';
import { medusaIntegrationTestRunner } from '@medusajs/test-utils';
import { ROBOKASSA_MODULE } from '../src/modules/robokassa';
import type RobokassaModuleService from '../src/modules/robokassa/service';
import {
  ASSIST_PROVIDERS,
  type AssistCheckout,
  offerAssist,
  payAssist,
  registerAssistMerchant,
} from './support/assist';
import { type Api, payInSandbox, shopState, startCheckout } from './support/checkout';
import { MERCHANT, PROVIDERS } from './support/merchant';
import { type SeededShop, seedShop } from './support/seed';

/**
 * The settle outbox on a real Medusa (issue #11, "Measured"): with `settleWaitMs: 0` every notification is answered
 * as soon as the payment is recorded in the ledger, and the order follows from the outbox exactly once; a process
 * that answered and died before settling leaves paid, unsettled records that the `kassa-settle-outbox` job finishes.
 */

// Before the app boots: integration-tests/app/medusa-config.ts reads it (the other suites wait for the order).
process.env.KASSA_SETTLE_WAIT_MS = '0';
const sandbox: Sandbox = await startSandbox({ retryBackoffMs: 50, callbackTimeoutMs: 30_000 });
process.env.ROBOKASSA_BASE_URL = sandbox.url;
process.env.ASSIST_BASE_URL = sandbox.url;
afterAll(() => sandbox.stop());

medusaIntegrationTestRunner({
  cwd: path.join(__dirname, 'app'),
  testSuite: ({ api: rawApi, getContainer }) => {
    const api = rawApi as Api;
    let shop: SeededShop;
    const plugin = () => getContainer().resolve<RobokassaModuleService>(ROBOKASSA_MODULE);
    const invoice = (gateway: 'robokassa' | 'assist', invoiceId: number | string) =>
      plugin().ledger.find({ gateway, invoiceId: String(invoiceId) });

    beforeEach(async () => {
      sandbox.admin.reset();
      sandbox.admin.upsertMerchant({ ...MERCHANT, resultUrl: `${api.defaults.baseURL}/robokassa/result` });
      registerAssistMerchant(sandbox, api);
      shop = await seedShop(getContainer());
    });

    /** Waits for the background settlement (bounded by the test's timeout; time itself is never asserted). */
    async function settled(gateway: 'robokassa' | 'assist', invoiceId: number | string) {
      while ((await invoice(gateway, invoiceId))?.settledState === undefined) {
        await new Promise((wake) => setTimeout(wake, 50));
      }
    }

    test('ResultURL: 10 concurrent copies all answered OK once the payment is recorded; one order follows', async () => {
      const checkout = await startCheckout(api, shop, PROVIDERS.capture);
      await payInSandbox(sandbox, checkout, { faults: { buyerClosesTab: true, callback: { drop: true } } });
      const body = signResultCallback(createRobokassaConfig(MERCHANT), {
        outSum: checkout.data.out_sum,
        invId: checkout.data.inv_id,
      }).body;
      const replies = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const response = await fetch(`${api.defaults.baseURL}/robokassa/result`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body,
          });
          return `${response.status} ${await response.text()}`;
        }),
      );
      expect(replies).toEqual(Array.from({ length: 10 }, () => `200 OK${checkout.data.inv_id}`));
      expect((await invoice('robokassa', checkout.data.inv_id))?.state).toBe('paid');

      await settled('robokassa', checkout.data.inv_id);
      const state = await shopState(getContainer(), checkout.cartId);
      expect(state.orderIds).toHaveLength(1);
      expect(state.payments).toHaveLength(1);
      expect(state.payments[0]?.captured).toBe(true);
      expect((await invoice('robokassa', checkout.data.inv_id))?.settledState).toBe('paid');
    });

    test('Assist notification: answered with the payment recorded; the order follows once', async () => {
      await offerAssist(getContainer(), shop);
      const c = (await startCheckout(api, shop, ASSIST_PROVIDERS.capture)) as unknown as AssistCheckout;
      const outcome = await payAssist(sandbox, c, {
        faults: { buyerClosesTab: true, callback: { duplicate: 9, concurrent: true } },
      });
      await sandbox.admin.idle();
      const attempts = sandbox.admin.assist.notifications({ orderNumber: c.data.order_number });
      expect(attempts.map((a) => `${a.status} ${a.outcome}`)).toEqual(Array.from({ length: 10 }, () => '200 ok'));
      expect(outcome.delivery.outcome).toBe('delivered');
      await settled('assist', c.data.order_number);
      const state = await shopState(getContainer(), c.cartId);
      expect(state.orderIds).toHaveLength(1);
      expect(state.payments[0]?.captured).toBe(true);
      expect((await invoice('assist', c.data.order_number))?.settledState).toBe('paid');
    });

    test('crash after answering: payments recorded and answered by a process that died get their orders from the kassa-settle-outbox job, once', async () => {
      const { default: settleOutboxJob } = await import('../src/jobs/settle-outbox');
      const checkouts = [
        await startCheckout(api, shop, PROVIDERS.capture),
        await startCheckout(api, shop, PROVIDERS.capture),
        await startCheckout(api, shop, PROVIDERS.capture),
      ];
      const keys = checkouts.map((c) => ({ gateway: 'robokassa' as const, invoiceId: String(c.data.inv_id) }));
      for (const [i, checkout] of checkouts.entries()) {
        await payInSandbox(sandbox, checkout, { faults: { buyerClosesTab: true, callback: { drop: true } } });
        // What the dead process did: the ledger's compare-and-set (then it answered OK and died before Medusa
        // completed the cart; its in-memory queue is gone).
        await plugin().ledger.transition({ ...keys[i]!, from: ['pending'], to: 'paid', source: 'notification' });
      }
      // The job leaves a payment younger than a minute to the notification settling it: nothing yet.
      await settleOutboxJob(getContainer());
      for (const checkout of checkouts) {
        expect((await shopState(getContainer(), checkout.cartId)).orderIds).toEqual([]);
      }
      // A minute later (the records' clock moved back instead of waiting): the job finishes each, once.
      const knex = getContainer().resolve<{ raw(sql: string, bindings: unknown[]): Promise<unknown> }>(
        '__pg_connection__',
      );
      await knex.raw(
        `update kassa_payment set updated_at = updated_at - interval '2 minutes' where invoice_id = any(?)`,
        [keys.map((k) => k.invoiceId)],
      );
      await settleOutboxJob(getContainer());
      await settleOutboxJob(getContainer());
      for (const [i, checkout] of checkouts.entries()) {
        const state = await shopState(getContainer(), checkout.cartId);
        expect(state.orderIds).toHaveLength(1);
        expect(state.payments[0]?.captured).toBe(true);
        expect((await invoice('robokassa', keys[i]!.invoiceId))?.settledState).toBe('paid');
      }
      expect(await plugin().ledger.listUnsettled({ limit: 10 })).toEqual([]);
    });
  },
});
