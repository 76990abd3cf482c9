import path from 'node:path';
import type { GatewayId, PaymentLedger, PaymentRecord } from '@kassa/core';
import type { Sandbox } from '@kassa/sandbox';
import type { MedusaContainer } from '@medusajs/framework/types';
import { medusaIntegrationTestRunner } from '@medusajs/test-utils';
import { ROBOKASSA_MODULE } from '../../src/modules/robokassa';
import type RobokassaModuleService from '../../src/modules/robokassa/service';
import type { Api } from './checkout';
import { registerMerchant } from './merchant';
import { type SeededShop, seedShop } from './seed';

/** What every test of a suite works with: the app's API and container, this test's shop, the ledger. */
export interface ShopSuite {
  readonly api: Api;
  readonly getContainer: () => MedusaContainer;
  /** The shop seeded for the running test (a fresh one before each test). */
  readonly shop: SeededShop;
  ledger(): PaymentLedger;
  /** The ledger record of a gateway's invoice (Robokassa's InvId, Assist's OrderNumber). */
  record(gateway: GatewayId, invoiceId: number | string): Promise<PaymentRecord | undefined>;
}

export interface ShopSuiteOptions {
  /** The sandbox the test app's providers point at: reset before each test, the merchant registered again. */
  sandbox: Sandbox;
  /** A database of the suite's own (Medusa's runner names one per file otherwise). */
  dbName?: string;
  /** The merchant's cabinet settings in the sandbox (default: Robokassa's, `registerMerchant`). */
  register?: (sandbox: Sandbox, api: Api) => void;
  /** More shop set-up after seeding (e.g. offering Assist in the region). */
  prepare?: (container: MedusaContainer, shop: SeededShop) => Promise<void>;
}

/**
 * Medusa's integration runner on the test app (integration-tests/app, the built plugin) with what every shop suite
 * repeats: before each test the sandbox is reset, the merchant registered in it and a shop seeded.
 */
export function shopSuite(options: ShopSuiteOptions, suite: (t: ShopSuite) => void): void {
  medusaIntegrationTestRunner({
    cwd: path.join(__dirname, '..', 'app'),
    ...(options.dbName ? { dbName: options.dbName } : {}),
    testSuite: ({ api, getContainer }) => {
      let shop: SeededShop | undefined;
      const ledger = () => getContainer().resolve<RobokassaModuleService>(ROBOKASSA_MODULE).ledger;
      const t: ShopSuite = {
        api: api as Api,
        getContainer,
        get shop(): SeededShop {
          if (!shop) throw new Error('the shop is seeded before each test');
          return shop;
        },
        ledger,
        record: (gateway, invoiceId) => ledger().find({ gateway, invoiceId: String(invoiceId) }),
      };
      beforeEach(async () => {
        options.sandbox.admin.reset();
        (options.register ?? registerMerchant)(options.sandbox, t.api);
        shop = await seedShop(getContainer());
        await options.prepare?.(getContainer(), shop);
      });
      suite(t);
    },
  });
}
