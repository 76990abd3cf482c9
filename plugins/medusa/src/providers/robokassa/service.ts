import {
  addMoney,
  buildPaymentRequest,
  cancelHold,
  compareMoney,
  confirmHold,
  createReceipt,
  createRefund,
  formatMoney,
  KassaError,
  type Money,
  opStateExt,
  type PaymentLedger,
  type PaymentRecord,
  type Receipt,
  toRefundInvoiceItems,
} from '@kassa/core';
import type {
  AuthorizePaymentInput,
  AuthorizePaymentOutput,
  CancelPaymentInput,
  CancelPaymentOutput,
  CapturePaymentInput,
  CapturePaymentOutput,
  DeletePaymentInput,
  DeletePaymentOutput,
  GetPaymentStatusInput,
  GetPaymentStatusOutput,
  InitiatePaymentInput,
  InitiatePaymentOutput,
  Logger,
  ProviderWebhookPayload,
  RefundPaymentInput,
  RefundPaymentOutput,
  RetrievePaymentInput,
  RetrievePaymentOutput,
  UpdatePaymentInput,
  UpdatePaymentOutput,
  WebhookActionResult,
} from '@medusajs/framework/types';
import { AbstractPaymentProvider, MedusaError } from '@medusajs/framework/utils';
import { type QueryLike, readCartForSession } from '../../lib/cart-query';
import { receiptFromCart } from '../../lib/cart-receipt';
import { medusaErrors } from '../../lib/errors';
import { sessionStatusOf, syncWithGateway } from '../../lib/gateway-state';
import { kassaLogger } from '../../lib/logger';
import { moneyFromMedusa } from '../../lib/money';
import { parsePluginOptions, type RobokassaPluginOptions } from '../../lib/options';
import {
  type ParsedSessionData,
  parseSessionData,
  type RobokassaSessionData,
  storedReceipt,
  storefrontChoices,
} from '../../lib/session-data';
import { publicUrl } from '../../lib/urls';
import { PostgresPaymentLedger } from '../../modules/robokassa/ledger/postgres-ledger';
import { type KnexLike, sqlClientFromKnex } from '../../modules/robokassa/ledger/sql';

interface Cradle extends Record<string, unknown> {
  __pg_connection__: KnexLike;
  logger: Logger;
  /** Present when the shop declares `dependencies: ["query"]` on the payment module (needed for receipts). */
  query?: QueryLike;
}

/**
 * Robokassa as a Medusa payment provider (`pp_robokassa_<id>`). The buyer pays on Robokassa's page; Robokassa's
 * ResultURL call lands on the plugin's `/robokassa/result` route, which settles the ledger and completes the cart.
 * This class only prepares payments and answers Medusa's questions from the ledger (or OpStateExt), and performs
 * capture / cancel / refund through Robokassa's APIs.
 */
export class RobokassaProviderService extends AbstractPaymentProvider<Record<string, unknown>> {
  static override identifier = 'robokassa';

  /** Runs at boot: a wrong or missing key stops Medusa with one message naming every bad key (never a value). */
  static override validateOptions(options: Record<string, unknown>): void {
    parsePluginOptions(options);
  }

  protected readonly settings: RobokassaPluginOptions;
  protected readonly ledger: PaymentLedger;
  protected readonly logger: Logger;
  readonly #cradle: Cradle;

  constructor(cradle: Cradle, options: Record<string, unknown>) {
    super(cradle, options);
    this.#cradle = cradle;
    this.settings = parsePluginOptions(options);
    this.logger = cradle.logger;
    this.ledger = new PostgresPaymentLedger(sqlClientFromKnex(cradle.__pg_connection__));
  }

  async initiatePayment(input: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    return medusaErrors(async () => {
      const sessionId = input.data?.session_id;
      if (typeof sessionId !== 'string' || sessionId === '') {
        throw new MedusaError(MedusaError.Types.INVALID_DATA, 'Robokassa needs the payment session id');
      }
      const amount = moneyFromMedusa(input.amount, input.currency_code);
      // The receipt first: a cart that cannot be fiscalised must not leave an invoice behind.
      const receipt = await this.#receipt(sessionId, amount);
      const record = await this.ledger.create({
        reference: sessionId,
        amount,
        isTest: this.settings.robokassa.testMode,
      });
      const data = this.#sign(record, input.data ?? {}, sessionId, receipt);
      return { id: String(record.invId), data: { ...data } };
    });
  }

  async updatePayment(input: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    return medusaErrors(async () => {
      const current = parseSessionData(input.data);
      const amount = moneyFromMedusa(input.amount, input.currency_code);
      let record = await this.#record(current.inv_id);
      if (record.state !== 'pending') {
        throw new MedusaError(MedusaError.Types.NOT_ALLOWED, `Robokassa invoice ${record.invId} is ${record.state}`);
      }
      const receipt = await this.#receipt(current.session_id, amount);
      if (record.amount.currency !== amount.currency || compareMoney(record.amount, amount) !== 0) {
        // An InvId's amount never changes (Robokassa and the ledger must agree on it): a new amount is a new invoice.
        await this.ledger.transition({ invId: record.invId, from: ['pending'], to: 'cancelled', source: 'admin' });
        record = await this.ledger.create({ reference: current.session_id, amount, isTest: record.isTest });
      }
      const data = this.#sign(record, input.data ?? {}, current.session_id, receipt);
      return { status: 'pending', data: { ...data } };
    });
  }

  async deletePayment(input: DeletePaymentInput): Promise<DeletePaymentOutput> {
    return medusaErrors(async () => {
      const data = parseSessionData(input.data, { optional: true });
      if (data) {
        // The session is gone (cart changed, another provider chosen): this invoice must not settle an order.
        await this.ledger.transition({ invId: data.inv_id, from: ['pending'], to: 'cancelled', source: 'cancel' });
      }
      return { data: input.data ?? {} };
    });
  }

  async authorizePayment(input: AuthorizePaymentInput): Promise<AuthorizePaymentOutput> {
    return this.getPaymentStatus(input);
  }

  async getPaymentStatus(input: GetPaymentStatusInput): Promise<GetPaymentStatusOutput> {
    return medusaErrors(async () => {
      const data = parseSessionData(input.data);
      let record = await this.#record(data.inv_id);
      if (record.state === 'pending' || record.state === 'held') {
        record = await syncWithGateway({ config: this.settings.robokassa, ledger: this.ledger }, record);
      }
      return { status: sessionStatusOf(record.state), data: { ...input.data, ...this.#view(record) } };
    });
  }

  async capturePayment(input: CapturePaymentInput): Promise<CapturePaymentOutput> {
    return medusaErrors(async () => {
      const data = parseSessionData(input.data);
      let record = await this.#record(data.inv_id);
      if (record.state === 'pending') {
        record = await syncWithGateway({ config: this.settings.robokassa, ledger: this.ledger }, record);
      }
      if (record.state === 'held') {
        // Robokassa allows Confirm once; the compare-and-set below makes a second capture a no-op, not a second call.
        await confirmHold(this.settings.robokassa, {
          invId: record.invId,
          outSum: record.amount,
          isTest: record.isTest,
        });
        const moved = await this.ledger.transition({
          invId: record.invId,
          from: ['held'],
          to: 'paid',
          source: 'capture',
        });
        record = moved.record ?? record;
      }
      if (record.state !== 'paid' && record.state !== 'partially_refunded' && record.state !== 'refunded') {
        throw new MedusaError(
          MedusaError.Types.NOT_ALLOWED,
          `Robokassa invoice ${record.invId} is ${record.state}: there is nothing to capture`,
        );
      }
      return { data: { ...input.data, ...this.#view(record) } };
    });
  }

  async cancelPayment(input: CancelPaymentInput): Promise<CancelPaymentOutput> {
    return medusaErrors(async () => {
      const data = parseSessionData(input.data);
      let record = await this.#record(data.inv_id);
      if (record.state === 'pending') {
        record = await syncWithGateway({ config: this.settings.robokassa, ledger: this.ledger }, record);
      }
      if (record.state === 'held') {
        await cancelHold(this.settings.robokassa, {
          invId: record.invId,
          outSum: record.amount,
          isTest: record.isTest,
        });
        record =
          (await this.ledger.transition({ invId: record.invId, from: ['held'], to: 'cancelled', source: 'cancel' }))
            .record ?? record;
      } else if (record.state === 'pending') {
        record =
          (await this.ledger.transition({ invId: record.invId, from: ['pending'], to: 'cancelled', source: 'cancel' }))
            .record ?? record;
      } else if (record.state !== 'cancelled' && record.state !== 'failed') {
        throw new MedusaError(
          MedusaError.Types.NOT_ALLOWED,
          `Robokassa invoice ${record.invId} is ${record.state}: a paid invoice is refunded, not cancelled`,
        );
      }
      return { data: { ...input.data, ...this.#view(record) } };
    });
  }

  async refundPayment(input: RefundPaymentInput): Promise<RefundPaymentOutput> {
    return medusaErrors(async () => {
      const data = parseSessionData(input.data);
      const record = await this.#record(data.inv_id);
      if (record.state !== 'paid' && record.state !== 'partially_refunded') {
        throw new MedusaError(
          MedusaError.Types.NOT_ALLOWED,
          `Robokassa invoice ${record.invId} is ${record.state}: only a paid invoice can be refunded`,
        );
      }
      const amount = moneyFromMedusa(input.amount, record.amount.currency.toLowerCase());
      const refunded = addMoney(record.refunded, amount);
      if (compareMoney(refunded, record.amount) > 0) {
        throw new MedusaError(
          MedusaError.Types.NOT_ALLOWED,
          `Refunding ${formatMoney(amount)} would exceed the ${formatMoney(record.amount)} paid`,
        );
      }
      const opKey = record.opKey ?? (await this.#opKey(record));
      const full = compareMoney(refunded, record.amount) === 0 && record.refunded.minor === 0n;
      const items = this.#refundItems(data, amount, full);
      const { requestId } = await createRefund(this.settings.robokassa, {
        opKey,
        ...(full ? {} : { refundSum: amount }),
        ...(items ? { invoiceItems: items } : {}),
      });
      const to = compareMoney(refunded, record.amount) === 0 ? 'refunded' : 'partially_refunded';
      const moved = await this.ledger.transition({
        invId: record.invId,
        from: [record.state],
        to,
        source: 'refund',
        patch: { refunded, opKey },
      });
      if (!moved.applied) {
        // Robokassa accepted the refund but another writer moved the record meanwhile: say so loudly, do not hide it.
        kassaLogger(this.logger).error('REFUND_LEDGER_CONFLICT', { invId: record.invId, requestId });
      }
      return { data: { ...input.data, ...this.#view(moved.record ?? record), last_refund_request_id: requestId } };
    });
  }

  async retrievePayment(input: RetrievePaymentInput): Promise<RetrievePaymentOutput> {
    return medusaErrors(async () => {
      const data = parseSessionData(input.data);
      return { data: { ...input.data, ...this.#view(await this.#record(data.inv_id)) } };
    });
  }

  /**
   * Medusa's built-in `/hooks/payment/robokassa_*` route answers `OK` before any provider code runs, and Robokassa
   * needs `OK{InvId}`: ResultURL must point at the plugin's `/robokassa/result`. A call landing here is a
   * misconfigured cabinet, logged so the merchant can fix it; it changes nothing.
   */
  async getWebhookActionAndData(_payload: ProviderWebhookPayload['payload']): Promise<WebhookActionResult> {
    kassaLogger(this.logger).error('RESULT_URL_MISCONFIGURED', {
      hint: 'Set ResultURL in the Robokassa cabinet to https://<your-medusa>/robokassa/result',
    });
    return { action: 'not_supported' };
  }

  async #record(invId: number): Promise<PaymentRecord> {
    const record = await this.ledger.findByInvId(invId);
    if (!record) {
      throw new MedusaError(MedusaError.Types.NOT_FOUND, `Robokassa invoice ${invId} is not in the ledger`);
    }
    return record;
  }

  async #opKey(record: PaymentRecord): Promise<string> {
    const state = await opStateExt(this.settings.robokassa, {
      invId: record.invId,
      isTest: record.isTest,
      currency: record.amount.currency,
    });
    const opKey = state.found ? state.info?.opKey : undefined;
    if (!opKey) {
      throw new KassaError('GATEWAY_BAD_RESPONSE', 'Robokassa did not return the OpKey the Refund API needs', {
        details: { invId: record.invId },
      });
    }
    return opKey;
  }

  /** Full refunds repeat the payment's receipt; a partial one is a single "refund" line (54-FZ needs lines). */
  #refundItems(data: ParsedSessionData, amount: Money, full: boolean) {
    const settings = this.settings.medusa.receipt;
    if (!settings) return undefined;
    if (full && data.receipt && data.receipt.items.length > 0) {
      const receipt = createReceipt(data.receipt, {
        country: this.settings.robokassa.country,
        currency: amount.currency,
      });
      return toRefundInvoiceItems(receipt.items);
    }
    return [
      {
        Name: 'Возврат',
        Quantity: '1',
        Cost: amount,
        Tax: settings.tax,
        PaymentMethod: settings.paymentMethod,
        PaymentObject: settings.paymentObject,
      },
    ];
  }

  async #receipt(sessionId: string, outSum: Money): Promise<Receipt | undefined> {
    const settings = this.settings.medusa.receipt;
    if (!settings) return undefined;
    const query = this.#query();
    const cart = await readCartForSession(query, sessionId);
    if (!cart) {
      throw new KassaError('RECEIPT_INVALID', 'This payment session pays no cart, so there is nothing to print', {
        details: { session: sessionId },
      });
    }
    return receiptFromCart(cart, settings, outSum, this.settings.robokassa.country);
  }

  #query(): QueryLike {
    let query: QueryLike | undefined;
    try {
      query = this.#cradle.query;
    } catch {
      query = undefined;
    }
    if (!query) {
      throw new KassaError(
        'CONFIG_INVALID',
        'Receipts need Query: add dependencies: ["query"] to the payment module in medusa-config (see @kassa/medusa README)',
      );
    }
    return query;
  }

  #sign(
    record: PaymentRecord,
    input: Record<string, unknown>,
    sessionId: string,
    receipt: Receipt | undefined,
  ): RobokassaSessionData {
    const choice = storefrontChoices(input);
    const resultUrl2 = this.#resultUrl2(record);
    const request = buildPaymentRequest(this.settings.robokassa, {
      invId: record.invId,
      outSum: record.amount,
      description: this.settings.medusa.description,
      isTest: record.isTest,
      ...(receipt ? { receipt } : {}),
      ...(this.settings.medusa.hold ? { stepByStep: true } : {}),
      ...(resultUrl2 ? { resultUrl2 } : {}),
      ...(choice.incCurrLabel ? { incCurrLabel: choice.incCurrLabel } : {}),
      ...(choice.culture ? { culture: choice.culture } : {}),
    });
    return {
      session_id: sessionId,
      inv_id: record.invId,
      out_sum: formatMoney(record.amount),
      currency: record.amount.currency,
      is_test: record.isTest,
      hold: this.settings.medusa.hold,
      state: record.state,
      redirect_url: request.url,
      form: { action: request.form.action, method: request.form.method, fields: [...request.form.fields] },
      ...(receipt ? { receipt: storedReceipt(receipt) } : {}),
      ...(choice.incCurrLabel ? { inc_curr_label: choice.incCurrLabel } : {}),
    };
  }

  /**
   * The plugin's `/robokassa/result2`, named in the (signed) payment request when Robokassa's certificate is
   * configured. Never for test payments: Robokassa sends no ResultUrl2 in test mode.
   */
  #resultUrl2(record: PaymentRecord): string | undefined {
    const { resultUrl2Certificate, backendUrl } = this.settings.medusa;
    if (!resultUrl2Certificate || !backendUrl || record.isTest) return undefined;
    return publicUrl(backendUrl, 'result2');
  }

  #view(record: PaymentRecord): Record<string, unknown> {
    return {
      inv_id: record.invId,
      state: record.state,
      out_sum: formatMoney(record.amount),
      refunded: formatMoney(record.refunded),
      ...(record.paymentMethod ? { payment_method: record.paymentMethod } : {}),
      ...(record.incCurrLabel ? { inc_curr_label: record.incCurrLabel } : {}),
      ...(record.fee ? { fee: record.fee } : {}),
    };
  }
}
