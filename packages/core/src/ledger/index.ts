/** The ledger: the gateway-neutral port, the memory adapter (tests) and the SQL adapter (PostgreSQL, SQLite). */
export type { MemoryLedger, MemoryLedgerOptions } from './memory.js';
export { createMemoryLedger } from './memory.js';
export * from './notification-health.js';
export * from './port.js';
export { answeredForGood, memoizeSettled, type SettledMemoOptions } from './settled-memo.js';
export * from './sql/index.js';
