export * from './errors.js';
export * from './hash.js';
export * from './money.js';
export * from './robokassa/config.js';
export * from './secret.js';
// Modules added by feature work append their export lines below, one per module.
export * from './ledger/port.js';
export * from './robokassa/callbacks.js';
export * from './ledger/memory.js';
export * from './handler/result-url.js';
export * from './log.js';
export * from './robokassa/encoding.js';
export * from './robokassa/shp.js';
export * from './robokassa/receipt.js';
export * from './robokassa/payment.js';
export * from './robokassa/api/index.js';
export * from './catalog.js';
export * from './reconcile.js';
