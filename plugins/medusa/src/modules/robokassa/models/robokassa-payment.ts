import { model } from '@medusajs/framework/utils';

/**
 * One Robokassa invoice: InvId ↔ Medusa payment session, the amount the shop expects, and its state. Written through
 * `PostgresPaymentLedger` (raw SQL: a sequence for `inv_id`, conditional UPDATEs for transitions); the model exists
 * so Medusa's Query, the admin and `medusa db:*` know the table. The migration next to it is the source of truth.
 */
export const RobokassaPayment = model
  .define('robokassa_payment', {
    id: model.id({ prefix: 'rkpay' }).primaryKey(),
    inv_id: model.number(),
    /** The Medusa payment session id this invoice pays. */
    reference: model.text(),
    currency_code: model.text(),
    amount: model.bigNumber(),
    refunded_amount: model.bigNumber(),
    is_test: model.boolean(),
    state: model.enum(['pending', 'held', 'paid', 'cancelled', 'failed', 'partially_refunded', 'refunded']),
    op_key: model.text().nullable(),
    payment_method: model.text().nullable(),
    inc_curr_label: model.text().nullable(),
    fee: model.text().nullable(),
    last_source: model.text().nullable(),
    /** The state in which Medusa was last brought in line (order completed, payment authorized/captured). */
    medusa_settled_state: model.text().nullable(),
    medusa_settled_at: model.dateTime().nullable(),
  })
  .indexes([{ on: ['inv_id'], unique: true }, { on: ['reference'] }, { on: ['state', 'updated_at'] }]);
