import {
  cancelPayment,
  capturePayment,
  type Gateway,
  type InvoiceKey,
  type IssueDeps,
  type IssuedPayment,
  type IssueInput,
  issuePayment,
  type Logger as KassaLogger,
  type Money,
  type PaymentRecord,
  type PaymentState,
  type RefundRequest,
  refreshPayment,
  refundPayment,
  reissuePayment,
} from '@kassa/core';
import type * as M from '@medusajs/framework/types';
import { AbstractPaymentProvider, MedusaError } from '@medusajs/framework/utils';
import { type KnexLike, medusaLedger } from '../modules/robokassa/service';
import type { QueryLike } from './cart-query';
import { medusaErrors } from './errors';
import { kassaLogger } from './logger';
import { moneyFromMedusa } from './money';
import { SESSION_STATUS } from './payment-request';
import { CART_ID, SETTLED_BY } from './settled-by';

/** What Medusa's payment module hands every provider instance. */
export interface ProviderCradle extends Record<string, unknown> {
  __pg_connection__: KnexLike;
  logger: M.Logger;
  /** Present when the shop declares `dependencies: ["query"]` on the payment module (receipts, the invoice's cart). */
  query?: QueryLike;
}

export type SessionPayload = Record<string, unknown> | undefined;

/** What a provider's request is built from: the session, Medusa's amount in exact kopecks, the session data. */
export interface RequestInput {
  reference: string;
  amount: Money;
  isTest: boolean;
  data: SessionPayload;
}

/** The session's own ids, as each gateway's session data spells them (`inv_id`, `order_number`). */
export interface SessionIds {
  sessionId: string;
  invoiceId: string;
}

/** The gateway-specific facts a provider instance is built from. */
export interface ProviderSetup {
  gateway: Gateway;
  /** The gateway's name in messages a merchant reads (`Robokassa`, `Assist`). */
  label: string;
  /** What the gateway calls an invoice (`invoice`; Assist: `order`). */
  invoiceNoun: string;
  /** New invoices are test invoices (the merchant's test mode). */
  testMode: boolean;
  /** Pending invoices the gateway has never heard of are failed after this long. */
  expireAfterHours: number;
  /** Logged when Medusa's own webhook route is called: the cabinet points at the wrong URL. */
  misconfigured: { code: string; hint: string };
}

/**
 * What every Kassa payment provider does the same way, whatever the gateway: a mapper from Medusa's provider methods
 * to core's payment operations over the `Gateway` port and the shared ledger. Each gateway's provider (its own
 * Medusa registration, `pp_robokassa_*`, `pp_assist_*`) supplies how it signs a request and how its session data
 * reads; the money rules live here once:
 * - an invoice remembers its cart when it is issued, so a payment on a superseded invoice (its session deleted by
 *   Medusa for good) still finds the cart to complete or to refund against (lib/settle.ts);
 * - a session whose invoice was superseded by one the buyer paid answers for the paid one (`settledBy`);
 * - Medusa's statuses come from the ledger, refreshed from the gateway while pending;
 * - cancelling a paid invoice (Medusa compensating a failed workflow) leaves the money where it is.
 */
export abstract class LedgerPaymentProvider<Request extends IssueInput = IssueInput> extends AbstractPaymentProvider<
  Record<string, unknown>
> {
  protected readonly deps: IssueDeps;
  protected readonly log: KassaLogger;
  protected readonly query: () => QueryLike | undefined;
  readonly #setup: ProviderSetup;

  constructor(cradle: ProviderCradle, options: Record<string, unknown>, setup: ProviderSetup) {
    super(cradle, options);
    this.#setup = setup;
    this.deps = { gateway: setup.gateway, ledger: medusaLedger(cradle.__pg_connection__) };
    this.log = kassaLogger(cradle.logger, setup.gateway.secrets, setup.gateway.id);
    this.query = () => cradle.query;
  }

  /** The session's ids from its data; undefined when the data is not this gateway's (another provider made it). */
  protected abstract readSession(data: unknown): SessionIds | undefined;
  /** What the gateway signs for this session (method, language, receipt… as the shop configured them). */
  protected abstract paymentRequest(input: RequestInput): Promise<Request>;
  /** The session data of a freshly signed redirect: what the storefront needs to send the buyer, nothing secret. */
  protected abstract sessionData(issued: IssuedPayment, request: Request): Record<string, unknown>;
  /** What the ledger says about the invoice, merged into a payment's data on every provider call. */
  protected abstract recordView(record: PaymentRecord): Record<string, unknown>;

  /** Captures a hold; a gateway with its own rules for partial captures overrides it. */
  protected capture(record: PaymentRecord, _input: M.CapturePaymentInput): Promise<PaymentRecord> {
    return capturePayment(this.deps, record);
  }

  /** The refund to send (Medusa's amount in exact kopecks); a gateway that needs receipt lines adds them. */
  protected refundRequest(record: PaymentRecord, input: M.RefundPaymentInput): RefundRequest {
    return { amount: moneyFromMedusa(input.amount, record.amount.currency) };
  }

  async initiatePayment(input: M.InitiatePaymentInput): Promise<M.InitiatePaymentOutput> {
    return medusaErrors(async () => {
      const reference = input.data?.session_id;
      if (typeof reference !== 'string' || reference === '') {
        throw new MedusaError(MedusaError.Types.INVALID_DATA, `${this.#setup.label} needs the payment session id`);
      }
      const amount = moneyFromMedusa(input.amount, input.currency_code);
      // The request first: a cart that cannot be fiscalised must not leave an invoice behind.
      const isTest = this.#setup.testMode;
      const request = await this.paymentRequest({ reference, amount, isTest, data: input.data });
      const issued = await issuePayment(this.deps, request);
      await this.#rememberCart(issued.record, reference);
      return { id: issued.record.invoiceId, data: { ...this.sessionData(issued, request) } };
    });
  }

  /** Re-signs the invoice; a changed amount cancels it and issues a new one (an invoice's amount never changes). */
  async updatePayment(input: M.UpdatePaymentInput): Promise<M.UpdatePaymentOutput> {
    return medusaErrors(async () => {
      const session = this.#session(input.data);
      const record = await this.#record(session.invoiceId);
      const amount = moneyFromMedusa(input.amount, input.currency_code);
      const request = await this.paymentRequest({
        ...{ reference: session.sessionId, amount, isTest: record.isTest, data: input.data },
      });
      const issued = await reissuePayment(this.deps, record, request);
      if (issued.record.invoiceId !== record.invoiceId) await this.#rememberCart(issued.record, session.sessionId);
      return { status: 'pending', data: { ...this.sessionData(issued, request) } };
    });
  }

  /** The session is gone (cart changed, another provider chosen): its invoice must not settle an order. */
  async deletePayment(input: M.DeletePaymentInput): Promise<M.DeletePaymentOutput> {
    return medusaErrors(async () => {
      const session = this.readSession(input.data);
      if (session) {
        const key = this.#key(session.invoiceId);
        await this.deps.ledger.transition({ ...key, from: ['pending'], to: 'cancelled', source: 'cancel' });
      }
      return { data: input.data ?? {} };
    });
  }

  async authorizePayment(input: M.AuthorizePaymentInput): Promise<M.AuthorizePaymentOutput> {
    return this.getPaymentStatus(input);
  }

  /** The ledger's answer; a pending or held invoice is refreshed from the gateway first (no settle step: Medusa asks). */
  async getPaymentStatus(input: M.GetPaymentStatusInput): Promise<M.GetPaymentStatusOutput> {
    const notFoundMaxAgeMs = this.#setup.expireAfterHours * 3_600_000;
    const refresh = async (record: PaymentRecord) =>
      record.state === 'pending' || record.state === 'held'
        ? (await refreshPayment({ ...this.deps, logger: this.log, notFoundMaxAgeMs }, record)).record
        : record;
    const { data } = await this.#withRecord(input.data, refresh);
    return { status: SESSION_STATUS[(data?.state as PaymentState | undefined) ?? 'pending'], data };
  }

  async capturePayment(input: M.CapturePaymentInput): Promise<M.CapturePaymentOutput> {
    return this.#withRecord(input.data, (record) => this.capture(record, input));
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
    return this.#withRecord(input.data, (record) =>
      refundPayment(this.deps, record, this.refundRequest(record, input)),
    );
  }

  async retrievePayment(input: M.RetrievePaymentInput): Promise<M.RetrievePaymentOutput> {
    return this.#withRecord(input.data, async (record) => record);
  }

  /**
   * Medusa's built-in `/hooks/payment/<provider>` route answers before any provider code runs, and neither gateway
   * accepts its answer (Robokassa needs `OK{InvId}`, Assist a `pushpaymentresult`): the cabinet must point at the
   * plugin's own route. A call landing here is a misconfigured cabinet, logged so the merchant can fix it.
   */
  async getWebhookActionAndData(): Promise<M.WebhookActionResult> {
    const { code, hint } = this.#setup.misconfigured;
    this.log.error(code, { hint });
    return { action: 'not_supported' };
  }

  /**
   * The invoice's cart, kept in its ledger details: Medusa deletes a superseded payment session for good, and a
   * payment still arriving on its invoice must find the cart to complete it or to know it is paid (lib/settle.ts).
   */
  async #rememberCart(record: PaymentRecord, sessionId: string): Promise<void> {
    const query = this.query();
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

  #key(invoiceId: string): InvoiceKey {
    return { gateway: this.deps.gateway.id, invoiceId };
  }

  #session(data: unknown): SessionIds {
    const session = this.readSession(data);
    if (session) return session;
    throw new MedusaError(
      MedusaError.Types.INVALID_DATA,
      `This payment has no ${this.#setup.label} ${this.#setup.invoiceNoun} (was it created by another provider?)`,
    );
  }

  async #record(invoiceId: string): Promise<PaymentRecord> {
    const record = await this.deps.ledger.find(this.#key(invoiceId));
    if (!record) {
      throw new MedusaError(
        MedusaError.Types.NOT_FOUND,
        `${this.#setup.label} ${this.#setup.invoiceNoun} ${invoiceId} is not in the ledger`,
      );
    }
    // This session's invoice was superseded by an earlier one the buyer paid (two tabs): the settle step cancelled it
    // with `settledBy`, and the session now stands for the paid invoice (lib/settle.ts `adoptSession`).
    const by = record.state === 'cancelled' ? record.details[SETTLED_BY] : undefined;
    if (by !== undefined) return (await this.deps.ledger.find(this.#key(by))) ?? record;
    return record;
  }

  /** Runs an operation on the session's invoice; the payment's data then carries what the ledger says. */
  async #withRecord(
    data: SessionPayload,
    work: (record: PaymentRecord) => Promise<PaymentRecord>,
  ): Promise<{ data: SessionPayload }> {
    return medusaErrors(async () => ({
      data: { ...data, ...this.recordView(await work(await this.#record(this.#session(data).invoiceId))) },
    }));
  }
}
