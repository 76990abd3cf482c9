export type {
  KnexLike,
  NodeSqliteClientOptions,
  NodeSqliteDatabaseLike,
  NodeSqliteStatementLike,
  PgPoolLike,
  PgQueryable,
  SqlClient,
  SqlDialect,
} from './client.js';
export { SQL_DIALECTS, sqlClientFromKnex, sqlClientFromNodeSqlite, sqlClientFromPg } from './client.js';
export type { LedgerSchemaNames, LedgerTableOptions, MigrateLedgerResult } from './schema.js';
export {
  DEFAULT_LEDGER_TABLE,
  LEDGER_SCHEMA_VERSION,
  ledgerSchemaNames,
  ledgerSchemaStatements,
  ledgerUpgradeStatements,
  migrateLedger,
  reserveInvoiceNumbers,
  SCHEMA_VERSION_TABLE,
} from './schema.js';
export type { SqlLedgerOptions } from './sql-ledger.js';
export { SqlLedger } from './sql-ledger.js';
