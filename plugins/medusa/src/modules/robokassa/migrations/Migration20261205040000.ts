import { notificationJournalSchemaStatements } from '@kassa/core';
import { Migration } from '@medusajs/framework/mikro-orm/migrations';

/**
 * Core's notification journal (`kassa_notification`): one row per Robokassa ResultURL or Assist notification with
 * the outcome core decided, read by GET /admin/kassa/payments as `health` (last received, refusals in 24 h). Rows
 * older than 7 days are pruned by the journal itself. Idempotent (`if not exists`).
 */
export class Migration20261205040000 extends Migration {
  override async up(): Promise<void> {
    for (const statement of notificationJournalSchemaStatements('postgres')) this.addSql(`${statement};`);
  }
}
