import {
  cancelPayment,
  capturePayment,
  type IssueDeps,
  issuePayment,
  KassaError,
  type Logger as KassaLogger,
  type Money,
  type PaymentRecord,
  type PaymentState,
  refreshPayment,
  refundPayment,
  reissuePayment,
} from '@kassa/core';
import { AssistGateway } from '@kassa/core/assist';
import type * as M from '@medusajs/framework/types';
import { AbstractPaymentProvider, MedusaError } from '@medusajs/framework/utils';
import { z } from 'zod';
import {
  assistChoices,
  assistKey,
  assistSessionData,
  assistSessionView,
  parseAssistSession,
} from '../../lib/assist-session';
import { assistPublicUrl } from '../../lib/assist-urls';
import { medusaErrors } from '../../lib/errors';
import { kassaLogger } from '../../lib/logger';
import { moneyFromMedusa } from '../../lib/money';
import { type AssistPluginOptions, parseAssistOptions } from '../../lib/options-assist';
import { SESSION_STATUS } from '../../lib/payment-request';
import { type KnexLike, medusaLedger } from '../../modules/robokassa/service';

interface Cradle extends Record<string, unknown> {
  __pg_connection__: KnexLike;
  logger: M.Logger;
}

type Data = Record<string, unknown> | undefined;

/** The part of knex this provider reads Medusa's capture row with. */
type CaptureReader = (table: string) => {
  where(column: string, value: string): { first(...columns: string[]): Promise<Record<string, unknown> | undefined> };
};

const rawAmount = z.object({ value: z.union([z.string(), z.number()]) }).loose();

/**
 * Assist as a Medusa payment provider (`pp_assist_<id>`): a mapper from Medusa's provider methods to core's payment
 * operations over the `Gateway` port (core's `AssistGateway`) and the same ledger as Robokassa (rows with gateway
 * `assist`, the OrderNumber as invoice id). The notification lands on the plugin's `/assist/notification` route,
 * which settles the ledger and completes the cart; this class signs order.cfm requests, answers Medusa from the
 * ledger (or from `orderstate` while pending), and charges, voids and refunds through Assist's web services.
 */
export class AssistProviderService extends AbstractPaymentProvider<Record<string, unknown>> {
  static override identifier = 'assist';

  /** Runs at boot: a wrong or missing key stops Medusa with one message naming every bad key (never a value). */
  static override validateOptions(options: Record<string, unknown>): void {
    parseAssistOptions(options);
  }

  protected readonly settings: AssistPluginOptions;
  protected readonly deps: IssueDeps;
  protected readonly log: KassaLogger;
  readonly #knex: KnexLike;

  constructor(cradle: Cradle, options: Record<string, unknown>) {
    super(cradle, options);
    this.settings = parseAssistOptions(options);
    const gateway = new AssistGateway(this.settings.assist);
    this.deps = { gateway, ledger: medusaLedger(cradle.__pg_connection__) };
    this.log = kassaLogger(cradle.logger, gateway.secrets, 'assist');
    this.#knex = cradle.__pg_connection__;
  }

  #request(input: { reference: string; amount: Money; isTest: boolean; data: Data }) {
    const { hold, description, backendUrl } = this.settings.medusa;
    const choice = assistChoices(input.data ?? {});
    return {
      reference: input.reference,
      amount: input.amount,
      isTest: input.isTest,
      description,
      hold,
      method: choice.method,
      language: choice.language,
      // Without backendUrl the return URLs are the ones pasted into Assist's cabinet.
      urls: backendUrl
        ? { success: assistPublicUrl(backendUrl, 'returnOk'), fail: assistPublicUrl(backendUrl, 'returnNo') }
        : undefined,
    };
  }

  async initiatePayment(input: M.InitiatePaymentInput): Promise<M.InitiatePaymentOutput> {
    return medusaErrors(async () => {
      const reference = input.data?.session_id;
      if (typeof reference !== 'string' || reference === '') {
        throw new MedusaError(MedusaError.Types.INVALID_DATA, 'Assist needs the payment session id');
      }
      const amount = moneyFromMedusa(input.amount, input.currency_code);
      const request = this.#request({ reference, amount, isTest: this.settings.assist.testMode, data: input.data });
      const issued = await issuePayment(this.deps, request);
      return { id: issued.record.invoiceId, data: { ...assistSessionData(issued, request) } };
    });
  }

  /** Re-signs the order; a changed amount cancels it and issues a new OrderNumber (an order's amount never changes). */
  async updatePayment(input: M.UpdatePaymentInput): Promise<M.UpdatePaymentOutput> {
    return medusaErrors(async () => {
      const session = parseAssistSession(input.data);
      const record = await this.#record(session.order_number);
      const amount = moneyFromMedusa(input.amount, input.currency_code);
      const request = this.#request({ reference: session.session_id, amount, isTest: record.isTest, data: input.data });
      const issued = await reissuePayment(this.deps, record, request);
      return { status: 'pending', data: { ...assistSessionData(issued, request) } };
    });
  }

  /** The session is gone (cart changed, another provider chosen): its order must not settle a Medusa order. */
  async deletePayment(input: M.DeletePaymentInput): Promise<M.DeletePaymentOutput> {
    return medusaErrors(async () => {
      const data = parseAssistSession(input.data, { optional: true });
      if (data) {
        const key = assistKey(data.order_number);
        await this.deps.ledger.transition({ ...key, from: ['pending'], to: 'cancelled', source: 'cancel' });
      }
      return { data: input.data ?? {} };
    });
  }

  async authorizePayment(input: M.AuthorizePaymentInput): Promise<M.AuthorizePaymentOutput> {
    return this.getPaymentStatus(input);
  }

  /** The ledger's answer; a pending or held order is refreshed from `orderstate` first (no settle step: Medusa asks). */
  async getPaymentStatus(input: M.GetPaymentStatusInput): Promise<M.GetPaymentStatusOutput> {
    const notFoundMaxAgeMs = this.settings.medusa.expireAfterHours * 3_600_000;
    const refresh = async (record: PaymentRecord) =>
      record.state === 'pending' || record.state === 'held'
        ? (await refreshPayment({ ...this.deps, logger: this.log, notFoundMaxAgeMs }, record)).record
        : record;
    const { data } = await this.#withRecord(input.data, refresh);
    return { status: SESSION_STATUS[(data?.state as PaymentState | undefined) ?? 'pending'], data };
  }

  /**
   * Charges a hold (`charge.cfm`). Medusa passes no amount to a provider, only the capture's id: the amount is read
   * from that capture row (committed before this call), so a partial capture in the admin charges that part. Assist
   * charges a hold once; the rest is released, so a second capture is refused instead of recorded as money.
   */
  async capturePayment(input: M.CapturePaymentInput): Promise<M.CapturePaymentOutput> {
    return this.#withRecord(input.data, async (record) => {
      if (record.details.captured !== undefined) {
        throw new KassaError('HOLD_REJECTED', 'Assist charges a hold once; the rest of it was released', {
          details: { gateway: 'assist', invoiceId: record.invoiceId, captured: record.details.captured },
        });
      }
      const amount = await this.#captureAmount(input.context?.idempotency_key, record);
      return capturePayment(this.deps, record, amount);
    });
  }

  async cancelPayment(input: M.CancelPaymentInput): Promise<M.CancelPaymentOutput> {
    return this.#withRecord(input.data, (record) => cancelPayment(this.deps, record));
  }

  /** Exact kopecks from Medusa's BigNumber (never a float); written ahead in the ledger, then `cancel.cfm`. */
  async refundPayment(input: M.RefundPaymentInput): Promise<M.RefundPaymentOutput> {
    return this.#withRecord(input.data, (record) =>
      refundPayment(this.deps, record, { amount: moneyFromMedusa(input.amount, record.amount.currency) }),
    );
  }

  async retrievePayment(input: M.RetrievePaymentInput): Promise<M.RetrievePaymentOutput> {
    return this.#withRecord(input.data, async (record) => record);
  }

  /**
   * Medusa's built-in `/hooks/payment/assist_*` route answers before any provider code runs, and Assist needs a
   * `pushpaymentresult` echoing the bill: the notification URL must be the plugin's `/assist/notification`. A call
   * landing here is a misconfigured cabinet, logged so the merchant can fix it; it changes nothing.
   */
  async getWebhookActionAndData(): Promise<M.WebhookActionResult> {
    const hint = 'Set the notification URL in the Assist cabinet to https://<your-medusa>/assist/notification';
    this.log.error('NOTIFICATION_URL_MISCONFIGURED', { hint });
    return { action: 'not_supported' };
  }

  /** The capture's amount, or undefined (the whole hold) when it is the whole amount or Medusa named no capture. */
  async #captureAmount(captureId: string | undefined, record: PaymentRecord): Promise<Money | undefined> {
    if (!captureId) return undefined;
    const knex = this.#knex as unknown as CaptureReader;
    const row = await knex('capture').where('id', captureId).first('raw_amount');
    const raw = rawAmount.safeParse(row?.raw_amount);
    // Charging the whole hold when Medusa recorded a part would take money Medusa does not know about.
    if (!raw.success)
      throw new MedusaError(MedusaError.Types.UNEXPECTED_STATE, 'The capture to charge is not readable');
    const amount = moneyFromMedusa(String(raw.data.value), record.amount.currency);
    return amount.minor === record.amount.minor ? undefined : amount;
  }

  async #record(orderNumber: string): Promise<PaymentRecord> {
    const record = await this.deps.ledger.find(assistKey(orderNumber));
    if (!record) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Assist order ${orderNumber} is not in the ledger`);
    return record;
  }

  /** Runs an operation on the session's order; the payment's data then carries what the ledger says. */
  async #withRecord(data: Data, work: (record: PaymentRecord) => Promise<PaymentRecord>): Promise<{ data: Data }> {
    return medusaErrors(async () => ({
      data: { ...data, ...assistSessionView(await work(await this.#record(parseAssistSession(data).order_number))) },
    }));
  }
}
