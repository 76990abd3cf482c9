import path from 'node:path';
import { runPaymentLedgerContract } from '@kassa/core/testing';
import { moduleIntegrationTestRunner } from '@medusajs/test-utils';
import { describe, expect, test } from 'vitest';
import { ROBOKASSA_MODULE } from '../src/modules/robokassa';
import type RobokassaModuleService from '../src/modules/robokassa/service';

const moduleDir = path.join(__dirname, '../src/modules/robokassa');

/**
 * The plugin's module booted alone by Medusa's module runner on a fresh Postgres database, with its real migration
 * (sequence + table): the Postgres ledger must pass core's PaymentLedger contract battery.
 */
moduleIntegrationTestRunner<RobokassaModuleService>({
  moduleName: ROBOKASSA_MODULE,
  resolve: moduleDir,
  pathToMigrations: path.join(moduleDir, 'migrations'),
  moduleOptions: {},
  testSuite: ({ service }) => {
    runPaymentLedgerContract(
      { name: 'Postgres (Medusa module robokassa)', create: async () => service.ledger },
      { describe, test, expect },
    );
  },
});
