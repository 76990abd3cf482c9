#!/usr/bin/env node
/**
 * `kassa-woocommerce-bridge`: the bridge as a service, configured by the environment.
 *   KASSA_WC_URL, KASSA_WC_CONSUMER_KEY, KASSA_WC_CONSUMER_SECRET   the shop's REST API (read_write key)
 *   KASSA_WC_SECRET      shared with the PHP plugin (≥ 16 characters)
 *   KASSA_WC_DATABASE    sqlite:path (default sqlite:kassa-woocommerce.db) or postgres://…
 *   KASSA_WC_HOST, KASSA_WC_PORT, KASSA_WC_PUBLIC_URL, KASSA_WC_SETTINGS (JSON, optional initial gateway settings)
 */
import { createJsonConsoleLogger } from '@kassa/core';
import { gatewaySettingsSchema } from './bridge.js';
import { startBridge } from './server.js';

const env = process.env;
const missing = ['KASSA_WC_URL', 'KASSA_WC_CONSUMER_KEY', 'KASSA_WC_CONSUMER_SECRET', 'KASSA_WC_SECRET'].filter(
  (k) => !env[k],
);
if (missing.length > 0) {
  console.error(`kassa-woocommerce-bridge: set ${missing.join(', ')}`);
  process.exit(2);
}
const server = await startBridge({
  shop: {
    url: env.KASSA_WC_URL as string,
    consumerKey: env.KASSA_WC_CONSUMER_KEY as string,
    consumerSecret: env.KASSA_WC_CONSUMER_SECRET as string,
  },
  secret: env.KASSA_WC_SECRET as string,
  databaseUrl: env.KASSA_WC_DATABASE,
  host: env.KASSA_WC_HOST,
  port: env.KASSA_WC_PORT ? Number(env.KASSA_WC_PORT) : 8790,
  publicUrl: env.KASSA_WC_PUBLIC_URL,
  settings: env.KASSA_WC_SETTINGS ? gatewaySettingsSchema.parse(JSON.parse(env.KASSA_WC_SETTINGS)) : undefined,
  reconcileEveryMs: env.KASSA_WC_RECONCILE_MS ? Number(env.KASSA_WC_RECONCILE_MS) : undefined,
  logger: createJsonConsoleLogger(),
});
console.log(`kassa-woocommerce-bridge listening on ${server.url}`);
const stop = () => {
  server.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
