import { Migration } from '@medusajs/framework/mikro-orm/migrations';

/**
 * `kassa_instance`: one row per running Medusa instance, refreshed every minute (lib/instances.ts), so an instance
 * can tell that others share the database and warn when its locking is in-memory (issue #11 §1, "Several Medusa
 * instances" in the README). Idempotent (`if not exists`).
 */
export class Migration20261206090000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table if not exists kassa_instance (
      id text primary key,
      host text not null,
      pid integer not null,
      started_at timestamptz not null default now(),
      seen_at timestamptz not null default now(),
      locking_provider text not null
    );`);
    this.addSql('create index if not exists kassa_instance_seen_at_idx on kassa_instance (seen_at);');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists kassa_instance;');
  }
}
