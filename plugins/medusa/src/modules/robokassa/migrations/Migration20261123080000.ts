import { Migration } from '@medusajs/framework/mikro-orm/migrations';

/**
 * The Robokassa ledger. InvIds come from a sequence bounded to Robokassa's range (1..2^31−1, never reused); a
 * unique index makes an explicitly chosen InvId safe too. `state` is checked so a bug cannot invent a state.
 */
export class Migration20261123080000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create sequence if not exists "robokassa_inv_id_seq" as integer start with 1 minvalue 1 maxvalue 2147483647 no cycle;`,
    );
    this.addSql(`create table if not exists "robokassa_payment" (
      "id" text not null,
      "inv_id" integer not null default nextval('robokassa_inv_id_seq'),
      "reference" text not null,
      "currency_code" text not null,
      "amount" numeric not null,
      "raw_amount" jsonb not null,
      "refunded_amount" numeric not null default 0,
      "raw_refunded_amount" jsonb not null,
      "is_test" boolean not null,
      "state" text check ("state" in ('pending', 'held', 'paid', 'cancelled', 'failed', 'partially_refunded', 'refunded')) not null default 'pending',
      "op_key" text null,
      "payment_method" text null,
      "inc_curr_label" text null,
      "fee" text null,
      "last_source" text null,
      "medusa_settled_state" text null,
      "medusa_settled_at" timestamptz null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "deleted_at" timestamptz null,
      constraint "robokassa_payment_pkey" primary key ("id")
    );`);
    this.addSql(`alter sequence "robokassa_inv_id_seq" owned by "robokassa_payment"."inv_id";`);
    this.addSql(
      `create unique index if not exists "IDX_robokassa_payment_inv_id_unique" on "robokassa_payment" ("inv_id");`,
    );
    this.addSql(
      `create index if not exists "IDX_robokassa_payment_reference" on "robokassa_payment" ("reference") where deleted_at is null;`,
    );
    this.addSql(
      `create index if not exists "IDX_robokassa_payment_state_updated_at" on "robokassa_payment" ("state", "updated_at") where deleted_at is null;`,
    );
    this.addSql(
      `create index if not exists "IDX_robokassa_payment_deleted_at" on "robokassa_payment" ("deleted_at") where deleted_at is null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "robokassa_payment" cascade;`);
    this.addSql(`drop sequence if exists "robokassa_inv_id_seq";`);
  }
}
