/**
 * `@kassa/shopify`: a Shopify offsite payments app for Robokassa and Assist, on core's Gateway port and SQL ledger.
 * `startShopifyApp()` serves it; `createShopifyApp()` gives the web-standard `fetch` handler to mount elsewhere.
 */
export { APP_LOG_CODES, type AppOptions, createShopifyApp, type KassaShopifyApp } from './app.js';
export { CredentialsKeyError, generateKeySpec, type KeyRing, parseKeyRing } from './crypto.js';
export { APP_MIGRATIONS, type Database, dialectOf, migrateApp, openDatabase } from './db.js';
export { type DownloadOptions, writeDeployableApp } from './download.js';
export { EnvError, readServerEnv, type ServerEnv } from './env.js';
export {
  assistSettingsSchema,
  createGateway,
  externalHandle,
  type GatewaySettings,
  gatewaySettingsSchema,
  robokassaSettingsSchema,
} from './gateways.js';
export { defaultBackoff, type JobHandler, type JobResult, OUTBOX_LOG_CODES, Outbox, type OutboxJob } from './outbox.js';
export { type ApiResult, MUTATIONS, nextActionUrl, PAYMENTS_API_VERSION, PaymentsApi } from './payments-api.js';
export { paymentSessionSchema, refundSessionSchema, SHOP_DOMAIN } from './schemas.js';
export { type RunningApp, type ServeOptions, startShopifyApp } from './server.js';
export { SqlSessionStorage, sessionStorageFor } from './session-storage.js';
export { Shops } from './shops.js';
