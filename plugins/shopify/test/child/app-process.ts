/**
 * The app as a process of its own, for the crash tests (test/crash.test.ts): started from the sources, killed with
 * SIGKILL, started again on the same database. Configuration arrives as JSON in KASSA_CHILD (test values only).
 */
import { silentLogger } from '@kassa/core';
import { startShopifyApp } from '../../src/server.js';

const config = JSON.parse(process.env.KASSA_CHILD ?? '{}') as {
  apiKey: string;
  apiSecretKey: string;
  databaseUrl: string;
  encryptionKeys: string;
  shopOrigin: string;
  port: number;
  leaseMs: number;
};
const running = await startShopifyApp(
  {
    apiKey: config.apiKey,
    apiSecretKey: config.apiSecretKey,
    databaseUrl: config.databaseUrl,
    encryptionKeys: config.encryptionKeys,
    shopOrigin: (shop: string) => config.shopOrigin.replace('{shop}', shop),
    logger: silentLogger,
    returnWaitMs: 200,
    outbox: { backoffMs: () => 50, pollMs: 50, leaseMs: config.leaseMs },
  },
  { port: config.port },
);
process.stdout.write(`ready ${running.url}\n`);
