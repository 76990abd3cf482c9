/**
 * `@kassa/core`: what every gateway and platform shares — money, errors, secrets, logging, the `Gateway` port, the
 * exactly-once notification use case, the payment operations and the ledger. Each gateway's protocol sits under its
 * own subpath: `@kassa/core/robokassa`, `@kassa/core/assist`; test helpers under `@kassa/core/testing`.
 */
export * from './errors.js';
export type * from './gateway.js';
export * from './hold-notification.js';
export { DEFAULT_MAX_BODY_BYTES, FIXED_BODIES, type FixedStatus } from './http.js';
export * from './ledger/index.js';
export * from './log.js';
export * from './money.js';
export * from './notification.js';
export * from './payments/index.js';
export { maskSecrets, Secret, secret } from './secret.js';
