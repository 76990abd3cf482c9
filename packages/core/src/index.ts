export * from './errors.js';
export * from './hash.js';
export * from './money.js';
export * from './robokassa/config.js';
export * from './secret.js';
// Modules added by feature work append their export lines below, one per module.
export * from './ledger/port.js';
