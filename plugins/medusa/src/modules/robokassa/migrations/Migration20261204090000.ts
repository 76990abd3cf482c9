import { ledgerSchemaNames, ledgerSchemaStatements } from '@kassa/core';
import { Migration } from '@medusajs/framework/mikro-orm/migrations';

/**
 * The ledger moves to core's gateway-neutral table (`kassa_payment`, created by core's own DDL), and every invoice of
 * the plugin's former `robokassa_payment` table moves with it, unchanged:
 *
 * - gateway `robokassa`, `invoice_id` the InvId as text (row ids assigned in InvId order, so creation order holds);
 * - amounts exact, as minor units (an amount finer than kopecks, which the old ledger never wrote, stops the
 *   migration instead of being rounded);
 * - OpKey, method, IncCurrLabel and fee in `details`; `medusa_settled_state` as `settled_state`; timestamps kept;
 *   the old source names as core's (`result_url` → `notification`, `result_url2` → `hold_notification`);
 * - the new sequence starts above every InvId the old one handed out (the larger of the highest row and the old
 *   sequence), so no InvId Robokassa has seen is ever issued again.
 *
 * Soft-deleted rows (`deleted_at`, which the ledger never set and never read) stay invisible: their InvIds are still
 * reserved, their rows are not copied. The old table and its sequence are dropped. Irreversible (MikroORM's default
 * `down`): the old table cannot hold core's states (`refund_requested`) or other gateways.
 */
export class Migration20261204090000 extends Migration {
  override async up(): Promise<void> {
    const { table, sequence } = ledgerSchemaNames();
    for (const statement of ledgerSchemaStatements('postgres')) this.addSql(`${statement};`);
    this.addSql(`do $$
      begin
        if exists (
          select 1 from "robokassa_payment"
          where deleted_at is null and (amount * 100 <> trunc(amount * 100) or refunded_amount * 100 <> trunc(refunded_amount * 100))
        ) then
          raise exception 'robokassa_payment holds an amount finer than a kopeck: not migrated (fix the row by hand)';
        end if;
      end $$;`);
    this.addSql(`insert into ${table}
        (gateway, invoice_id, reference, currency, amount_minor, refunded_minor, refund_pending_minor, is_test, state,
         details, settled_state, last_source, created_at, updated_at)
      select 'robokassa', inv_id::text, reference, upper(currency_code), (amount * 100)::bigint,
        (refunded_amount * 100)::bigint, null, is_test, state,
        jsonb_strip_nulls(jsonb_build_object('opKey', op_key, 'paymentMethod', payment_method, 'incCurrLabel', inc_curr_label, 'fee', fee)),
        medusa_settled_state,
        case last_source when 'result_url' then 'notification' when 'result_url2' then 'hold_notification' else last_source end,
        created_at, updated_at
      from "robokassa_payment" where deleted_at is null order by "robokassa_payment".inv_id;`);
    this.addSql(`select setval('${sequence}', n) from (
        select greatest(
          (select coalesce(max(inv_id), 0) from "robokassa_payment"),
          (select case when is_called then last_value else 0 end from "robokassa_inv_id_seq"),
          (select case when is_called then last_value else 0 end from ${sequence})
        ) as n
      ) reserved where n > 0;`);
    // The old sequence is owned by the old table's column: it goes with it.
    this.addSql(`drop table "robokassa_payment" cascade;`);
  }
}
