import {
  cancelPayment,
  capturePayment,
  type IssueDeps,
  issuePayment,
  type Logger as KassaLogger,
  type PaymentRecord,
  type PaymentState,
  refreshPayment,
  refundPayment,
  reissuePayment,
} from '@kassa/core';
import type * as M from '@medusajs/framework/types';
import { AbstractPaymentProvider, MedusaError } from '@medusajs/framework/utils';
import type { QueryLike } from '../../lib/cart-query';
import { medusaErrors } from '../../lib/errors';
import { kassaLogger } from '../../lib/logger';
import { moneyFromMedusa } from '../../lib/money';
import { parsePluginOptions, type RobokassaPluginOptions } from '../../lib/options';
import { paymentRequest, refundReceipt, SESSION_STATUS } from '../../lib/payment-request';
import { invoiceKey } from '../../lib/record-view';
import { parseSessionData, sessionData, sessionView } from '../../lib/session-data';
import { CART_ID, SETTLED_BY } from '../../lib/settled-by';
import { type KnexLike, medusaLedger, robokassaGatewayFor } from '../../modules/robokassa/service';

interface Cradle extends Record<string, unknown> {
  __pg_connection__: KnexLike;
  logger: M.Logger;
  /** Present when the shop declares `dependencies: ["query"]` on the payment module (needed for receipts). */
  query?: QueryLike;
}

type Data = Record<string, unknown> | undefined;

/**
 * Robokassa as a Medusa payment provider (`pp_robokassa_<id>`): a mapper from Medusa's provider methods to core's
 * payment operations over the `Gateway` port and the shared ledger. ResultURL lands on the plugin's
 * `/robokassa/result` route, which settles the ledger and completes the cart; this class prepares payments (with the
 * receipt built on the server from the cart), answers Medusa from the ledger (or a refresh from OpStateExt), and
 * captures, cancels and refunds.
 */
export class RobokassaProviderService extends AbstractPaymentProvider<Record<string, unknown>> {
  static override identifier = 'robokassa';

  /** Runs at boot: a wrong or missing key stops Medusa with one message naming every bad key (never a value). */
  static override validateOptions(options: Record<string, unknown>): void {
    parsePluginOptions(options);
  }

  protected readonly settings: RobokassaPluginOptions;
  protected readonly deps: IssueDeps;
  protected readonly log: KassaLogger;
  readonly #query: () => QueryLike | undefined;

  constructor(cradle: Cradle, options: Record<string, unknown>) {
    super(cradle, options);
    this.settings = parsePluginOptions(options);
    const gateway = robokassaGatewayFor(this.settings);
    this.deps = { gateway, ledger: medusaLedger(cradle.__pg_connection__) };
    this.log = kassaLogger(cradle.logger, gateway.secrets);
    this.#query = () => cradle.query;
  }

  async initiatePayment(input: M.InitiatePaymentInput): Promise<M.InitiatePaymentOutput> {
    return medusaErrors(async () => {
      const reference = input.data?.session_id;
      if (typeof reference !== 'string' || reference === '') {
        throw new MedusaError(MedusaError.Types.INVALID_DATA, 'Robokassa needs the payment session id');
      }
      const amount = moneyFromMedusa(input.amount, input.currency_code);
      // The receipt first: a cart that cannot be fiscalised must not leave an invoice behind.
      const isTest = this.settings.robokassa.testMode;
      const request = await paymentRequest(this.settings, this.#query, { reference, amount, isTest, data: input.data });
      const issued = await issuePayment(this.deps, request);
      await this.#rememberCart(issued.record, reference);
      return { id: issued.record.invoiceId, data: { ...sessionData(issued, request) } };
    });
  }

  /** Re-signs the invoice; a changed amount cancels it and issues a new one (an invoice's amount never changes). */
  async updatePayment(input: M.UpdatePaymentInput): Promise<M.UpdatePaymentOutput> {
    return medusaErrors(async () => {
      const session = parseSessionData(input.data);
      const record = await this.#record(session.inv_id);
      const amount = moneyFromMedusa(input.amount, input.currency_code);
      const { isTest } = record;
      const request = await paymentRequest(this.settings, this.#query, {
        ...{ reference: session.session_id, amount, isTest, data: input.data },
      });
      const issued = await reissuePayment(this.deps, record, request);
      if (issued.record.invoiceId !== record.invoiceId) await this.#rememberCart(issued.record, session.session_id);
      return { status: 'pending', data: { ...sessionData(issued, request) } };
    });
  }

  /** The session is gone (cart changed, another provider chosen): its invoice must not settle an order. */
  async deletePayment(input: M.DeletePaymentInput): Promise<M.DeletePaymentOutput> {
    return medusaErrors(async () => {
      const data = parseSessionData(input.data, { optional: true });
      if (data) {
        const key = invoiceKey(data.inv_id);
        await this.deps.ledger.transition({ ...key, from: ['pending'], to: 'cancelled', source: 'cancel' });
      }
      return { data: input.data ?? {} };
    });
  }

  async authorizePayment(input: M.AuthorizePaymentInput): Promise<M.AuthorizePaymentOutput> {
    return this.getPaymentStatus(input);
  }

  /** The ledger's answer; a pending or held invoice is refreshed from OpStateExt first (no settle step: Medusa asks). */
  async getPaymentStatus(input: M.GetPaymentStatusInput): Promise<M.GetPaymentStatusOutput> {
    const notFoundMaxAgeMs = this.settings.medusa.expireAfterHours * 3_600_000;
    const refresh = async (record: PaymentRecord) =>
      record.state === 'pending' || record.state === 'held'
        ? (await refreshPayment({ ...this.deps, logger: this.log, notFoundMaxAgeMs }, record)).record
        : record;
    const { data } = await this.#withRecord(input.data, refresh);
    return { status: SESSION_STATUS[(data?.state as PaymentState | undefined) ?? 'pending'], data };
  }

  async capturePayment(input: M.CapturePaymentInput): Promise<M.CapturePaymentOutput> {
    return this.#withRecord(input.data, (record) => capturePayment(this.deps, record));
  }

  /**
   * Releases a hold or closes a pending invoice. On an invoice that is already paid this is Medusa compensating a
   * failed workflow step (e.g. the losing instance of two settling one cart): the money stays where it is — the
   * winning order holds it, or the settle step made it a surplus to refund — so this answers with the record as it is
   * instead of failing the compensation.
   */
  async cancelPayment(input: M.CancelPaymentInput): Promise<M.CancelPaymentOutput> {
    return this.#withRecord(input.data, async (record) => {
      if (record.state === 'pending' || record.state === 'held') return cancelPayment(this.deps, record);
      if (record.state !== 'cancelled' && record.state !== 'failed') {
        this.log.warn('CANCEL_ON_PAID_IGNORED', { invoiceId: record.invoiceId, state: record.state });
      }
      return record;
    });
  }

  /** Exact kopecks from Medusa's BigNumber (never a float); written ahead in the ledger, then sent. */
  async refundPayment(input: M.RefundPaymentInput): Promise<M.RefundPaymentOutput> {
    return this.#withRecord(input.data, (record) => {
      const amount = moneyFromMedusa(input.amount, record.amount.currency);
      const receipt = refundReceipt(this.settings, record, amount, parseSessionData(input.data));
      return refundPayment(this.deps, record, { amount, receipt });
    });
  }

  async retrievePayment(input: M.RetrievePaymentInput): Promise<M.RetrievePaymentOutput> {
    return this.#withRecord(input.data, async (record) => record);
  }

  /**
   * Medusa's built-in `/hooks/payment/robokassa_*` route answers `OK` before any provider code runs, and Robokassa
   * needs `OK{InvId}`: ResultURL must point at the plugin's `/robokassa/result`. A call landing here is a
   * misconfigured cabinet, logged so the merchant can fix it; it changes nothing.
   */
  async getWebhookActionAndData(): Promise<M.WebhookActionResult> {
    const hint = 'Set ResultURL in the Robokassa cabinet to https://<your-medusa>/robokassa/result';
    this.log.error('RESULT_URL_MISCONFIGURED', { hint });
    return { action: 'not_supported' };
  }

  /**
   * The invoice's cart, kept in its ledger details: Medusa deletes a superseded payment session for good, and a
   * payment still arriving on its invoice must find the cart to complete it or to know it is paid (lib/settle.ts).
   */
  async #rememberCart(record: PaymentRecord, sessionId: string): Promise<void> {
    const query = this.#query();
    if (!query) return;
    const { data } = await query.graph({
      entity: 'payment_session',
      fields: ['id', 'payment_collection.cart.id'],
      filters: { id: sessionId },
    });
    const cartId = (data[0] as { payment_collection?: { cart?: { id?: unknown } | null } | null } | undefined)
      ?.payment_collection?.cart?.id;
    if (typeof cartId !== 'string' || cartId === '') return;
    await this.deps.ledger.transition({
      gateway: record.gateway,
      invoiceId: record.invoiceId,
      from: ['pending'],
      to: 'pending',
      source: 'reissue',
      patch: { details: { [CART_ID]: cartId } },
    });
  }

  async #record(invId: number): Promise<PaymentRecord> {
    const record = await this.deps.ledger.find(invoiceKey(invId));
    if (!record) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Robokassa invoice ${invId} is not in the ledger`);
    // This session's invoice was superseded by an earlier one the buyer paid (two tabs): the settle step cancelled it
    // with `settledBy`, and the session now stands for the paid invoice (lib/settle.ts `adoptSession`).
    const by = record.state === 'cancelled' ? record.details[SETTLED_BY] : undefined;
    if (by !== undefined) return (await this.deps.ledger.find(invoiceKey(by))) ?? record;
    return record;
  }

  /** Runs an operation on the session's invoice; the payment's data then carries what the ledger says. */
  async #withRecord(data: Data, work: (record: PaymentRecord) => Promise<PaymentRecord>): Promise<{ data: Data }> {
    return medusaErrors(async () => ({
      data: { ...data, ...sessionView(await work(await this.#record(parseSessionData(data).inv_id))) },
    }));
  }
}
