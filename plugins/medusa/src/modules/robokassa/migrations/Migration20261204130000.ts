import { ledgerUpgradeStatements } from '@kassa/core';
import { Migration } from '@medusajs/framework/mikro-orm/migrations';

/**
 * Ledger schema version 2 on a `kassa_payment` table an earlier plugin version created: the `surplus` column (a
 * genuine payment the shop could not use — paid twice, or after the cart changed — flagged once and refunded; core
 * docs/ledger.md "Surplus payments"). Idempotent (`add column if not exists`): a table created by this version
 * already has it.
 */
export class Migration20261204130000 extends Migration {
  override async up(): Promise<void> {
    for (const statement of ledgerUpgradeStatements('postgres', 1)) this.addSql(`${statement};`);
  }
}
