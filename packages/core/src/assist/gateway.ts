/**
 * Assist behind the `Gateway` port: the protocol modules of this folder wired to the shared words of `../gateway.ts`.
 * What Assist does differently, as data or as choices written here:
 * - an invoice is an OrderNumber (the ledger's invoice id); each attempt gets its own billnumber, kept in details;
 * - the notification reply is XML echoing billnumber and packetdate; a failure reply STOPS Assist's retries, so our
 *   own failures (ledger down, settle step failed) answer 503 with no XML and Assist tries again;
 * - the buyer's return is unsigned: only a hint of which order to ask `orderstate` about.
 */
import { isKassaError, KassaError } from '../errors.js';
import type {
  CaptureResult,
  CreatePaymentInput,
  CredentialsReport,
  CredentialsStep,
  CredentialsVerdict,
  Gateway,
  GatewayCapabilities,
  GatewayStatus,
  MethodChoice,
  NotificationOutcome,
  PaymentRedirect,
  ReadNotification,
  ReadReturn,
  RefundInput,
  RefundResult,
  RejectCode,
  VerifiedNotification,
} from '../gateway.js';
import { fixedResponse } from '../http.js';
import type { PaymentDetails, PaymentRecord } from '../ledger/port.js';
import type { Money } from '../money.js';
import type { AssistCallOptions } from './api/http.js';
import { cancelAssistPayment, chargeAssistHold } from './api/operations.js';
import { getOrderState } from './api/orderstate.js';
import type { AssistConfig } from './config.js';
import {
  ASSIST_RETRY_LATER_REPLY,
  type AssistNotificationFields,
  type AssistReply,
  assistNotificationErrorReply,
  assistNotificationReply,
  parseAssistNotification,
  verifyAssistNotification,
} from './notification.js';
import { ASSIST_PAYMENT_METHOD_FLAGS, type AssistPaymentMethod, buildAssistPayment } from './payment.js';
import { parseAssistReturn } from './return.js';

/** The details keys Assist's gateway writes on a ledger record. */
export interface AssistDetails {
  /** The bill of the attempt that paid or holds the money: charge and cancel need it. */
  billnumber?: string;
  /** The payment means Assist reported (`VISA`, `SBP`…). */
  meantype?: string;
  /** The bill Assist reported for the last refund (extended, `…42.3`). */
  refundBillnumber?: string;
}

export function assistDetails(record: PaymentRecord): AssistDetails {
  const d = record.details;
  const out: AssistDetails = {};
  if (d.billnumber) out.billnumber = d.billnumber;
  if (d.meantype) out.meantype = d.meantype;
  if (d.refundBillnumber) out.refundBillnumber = d.refundBillnumber;
  return out;
}

export interface AssistGatewayOptions {
  http?: AssistCallOptions | undefined;
}

/** Reject codes → the pushpaymentresult failure codes (§2.3, §3.7): 9/0 bad checkvalue, 13/0 unknown order, 4/0 bad value. */
const FAILURE_REPLY_CODES: Record<RejectCode, readonly [number, number]> = {
  CALLBACK_METHOD_NOT_ALLOWED: [4, 0],
  CALLBACK_TOO_LARGE: [4, 0],
  CALLBACK_UNSUPPORTED_MEDIA_TYPE: [4, 0],
  CALLBACK_MALFORMED: [4, 0],
  SIGNATURE_MISMATCH: [9, 0],
  UNKNOWN_INVOICE: [13, 0],
  AMOUNT_MISMATCH: [4, 0],
  CURRENCY_MISMATCH: [4, 0],
  CALLBACK_STATE_CONFLICT: [13, 0],
};

function reply(r: AssistReply): Response {
  return new Response(r.body, {
    status: r.status,
    headers: { 'content-type': r.contentType, 'cache-control': 'no-store' },
  });
}

/** A probe order number no shop uses: asking about it proves the web-service credentials and touches nothing. */
const PROBE_ORDER = 'kassa-credentials-check';

/** Method labels for a checkout list (Assist has no catalog service; the merchant's contract decides what works). */
const METHOD_LABELS: Partial<Record<AssistPaymentMethod, string>> = {
  card: 'Банковская карта / Bank card',
  sbp: 'СБП / Faster Payments',
  mirPay: 'Mir Pay',
  yandexMoney: 'ЮMoney',
  webMoney: 'WebMoney',
  qiwi: 'QIWI',
};

const MESSAGES: Record<CredentialsVerdict, string> = {
  ok: 'Assist accepted the request.',
  wrong_merchant: 'Assist does not know this Merchant_ID, or this user has no access to it: check the merchant id.',
  wrong_secret: 'The secret word does not match: check it in the Assist account (Settings → Merchants).',
  wrong_api_login: 'Assist refused the web-service login or password: check the user with web-service rights.',
  test_credentials_missing: 'Test mode needs the test host and credentials.',
  unreachable: 'Assist could not be reached: check the network or the host.',
  unexpected: 'Assist answered something unexpected; see the server log.',
};

export class AssistGateway implements Gateway {
  readonly id = 'assist' as const;
  readonly capabilities: GatewayCapabilities;
  readonly secrets;
  readonly notificationMethods = ['POST'] as const;
  readonly config: AssistConfig;
  readonly #http: AssistCallOptions | undefined;

  constructor(config: AssistConfig, options: AssistGatewayOptions = {}) {
    this.config = config;
    this.#http = options.http;
    this.secrets = [config.secretWord, config.login, config.password];
    const api = config.login !== undefined && config.password !== undefined;
    this.capabilities = Object.freeze({
      hold: api,
      // Partial charge works only with some processings (§3.3): allowed, and Assist refuses it where it cannot.
      partialCapture: api,
      refund: api,
      partialRefund: api,
      methodCatalog: false,
      receipt: true,
      signedReturn: false,
      attempts: true,
      currencies: Object.freeze([config.currency]),
    });
  }

  createPayment(input: CreatePaymentInput): PaymentRedirect {
    const { record } = input;
    const method = input.method as AssistPaymentMethod | undefined;
    const request = buildAssistPayment(this.config, {
      orderNumber: record.invoiceId,
      amount: record.amount,
      comment: input.description,
      ...(input.hold ? { hold: true } : {}),
      ...(input.language ? { language: input.language.toUpperCase() as 'RU' | 'EN' } : {}),
      ...(input.email ? { email: input.email } : {}),
      ...(input.urls?.success ? { returnUrlOk: input.urls.success } : {}),
      ...(input.urls?.fail ? { returnUrlNo: input.urls.fail } : {}),
      ...(method && method in ASSIST_PAYMENT_METHOD_FLAGS ? { onlyMethod: method } : {}),
    });
    return {
      url: request.url,
      form: {
        action: request.form.action,
        method: 'POST',
        fields: request.form.fields.map(([name, value]) => ({ name, value })),
      },
    };
  }

  readNotification(text: string): ReadNotification {
    const read = parseAssistNotification(text);
    if (!read.ok) return { ok: false, detail: read.detail, invoiceId: read.orderNumber };
    return { ok: true, invoiceId: read.fields.ordernumber, message: read.fields };
  }

  verifyNotification(message: unknown, record: PaymentRecord): VerifiedNotification {
    const fields = message as AssistNotificationFields;
    const verified = verifyAssistNotification(this.config, fields as Record<string, string>, {
      expectTestMode: record.isTest,
    });
    if (!verified.ok) {
      return {
        ok: false,
        reason: verified.reason === 'signature_mismatch' ? 'signature_mismatch' : 'malformed',
        detail: verified.detail,
      };
    }
    const n = verified.notification;
    if (n.amount === undefined) return { ok: false, reason: 'malformed', detail: 'amount or currency unreadable' };
    const details: Record<string, string> = { billnumber: n.billNumber };
    if (fields.meantypename) details.meantype = fields.meantypename;
    return {
      ok: true,
      message: fields,
      event: {
        // "In Process" changes nothing either: acknowledged, the final notification follows.
        kind: n.event === 'pending' ? 'declined' : n.event,
        amount: n.amount,
        currency: fields.currency,
        isTest: n.testMode ?? record.isTest,
        details,
      },
    };
  }

  notificationReply(outcome: NotificationOutcome): Response {
    const fields = outcome.message as Partial<AssistNotificationFields> | undefined;
    switch (outcome.kind) {
      case 'paid':
      case 'replay':
      case 'after-refund':
      case 'declined':
        return reply(
          assistNotificationReply({
            billNumber: fields?.billnumber ?? '',
            fields: { packetdate: fields?.packetdate ?? '' },
          }),
        );
      case 'rejected': {
        if (outcome.status !== 400) return fixedResponse(outcome.status);
        const [first, second] = FAILURE_REPLY_CODES[outcome.code];
        return reply(assistNotificationErrorReply(first, second));
      }
      case 'retry':
        // A pushpaymentresult of any kind ends Assist's deliveries: a failure of ours answers without one.
        return reply(ASSIST_RETRY_LATER_REPLY);
    }
  }

  async readReturn(
    text: string,
    page: 'success' | 'fail',
    _find: (invoiceId: string) => Promise<PaymentRecord | undefined>,
  ): Promise<ReadReturn> {
    const read = parseAssistReturn(text, page === 'success' ? 'ok' : 'no');
    if (read.orderNumber === undefined) return { ok: false, detail: 'no ordernumber' };
    return { ok: true, invoiceId: read.orderNumber, trusted: false, success: page === 'success' };
  }

  async status(record: PaymentRecord): Promise<GatewayStatus> {
    // The default window is three days back (§3.1): ask from a day before the invoice was created.
    const from = new Date(record.createdAt.getTime() - 24 * 60 * 60_000);
    const state = await getOrderState(this.config, { orderNumber: record.invoiceId, from }, this.#http);
    const best = state.best;
    if (best === undefined) return { kind: 'not_found' };
    const details: PaymentDetails = { billnumber: best.billNumber };
    const amounts: Money[] = best.amount ? [best.amount] : [];
    const kind =
      best.event === 'cancelled' && record.state !== 'pending' && record.state !== 'held' ? 'refunded' : best.event;
    return { kind, amounts, details };
  }

  async #billNumber(record: PaymentRecord): Promise<string> {
    const known = assistDetails(record).billnumber;
    if (known) return known;
    const status = await this.status(record);
    const billnumber = status.kind === 'not_found' ? undefined : status.details.billnumber;
    if (!billnumber) {
      throw new KassaError('GATEWAY_BAD_RESPONSE', 'Assist reports no bill for this order', {
        details: { invoiceId: record.invoiceId.slice(0, 128) },
      });
    }
    return billnumber;
  }

  async capture(record: PaymentRecord, amount?: Money): Promise<CaptureResult> {
    const billNumber = await this.#billNumber(record);
    const result = await chargeAssistHold(this.config, { billNumber, ...(amount ? { amount } : {}) }, this.#http);
    return { amount: result.amount ?? amount ?? record.amount, details: { billnumber: billNumber } };
  }

  async cancel(record: PaymentRecord): Promise<void> {
    await cancelAssistPayment(this.config, { billNumber: await this.#billNumber(record) }, this.#http);
  }

  async refund(record: PaymentRecord, input: RefundInput): Promise<RefundResult> {
    const billNumber = await this.#billNumber(record);
    const result = await cancelAssistPayment(
      this.config,
      { billNumber, ...(input.full ? {} : { amount: input.amount }) },
      this.#http,
    );
    return { details: { refundBillnumber: result.billNumber } };
  }

  /** Assist's cancel answers synchronously; after a crash the order's state tells only the total, so a human decides. */
  async refundState(_record: PaymentRecord): Promise<'done' | 'failed' | 'unknown'> {
    return 'unknown';
  }

  async methods(_input: { amount: Money; language?: 'ru' | 'en' | undefined }): Promise<MethodChoice> {
    const methods = Object.entries(METHOD_LABELS).map(([code, label]) => ({
      code,
      label: label as string,
      group: code,
      groupLabel: label as string,
    }));
    return { chooser: 'shop', methods };
  }

  /**
   * `orderstate` for an order no shop uses: "no payments" (10/201) proves the merchant id and the web-service login;
   * 7/141 is a wrong login or password, 14/200 a wrong merchant id. The secret word is checked only by a payment (the
   * payment page refuses a bad Checkvalue) and by notifications.
   */
  async checkCredentials(): Promise<CredentialsReport> {
    const unproven = ['secret word'];
    if (this.config.login === undefined || this.config.password === undefined) {
      return {
        verdict: 'wrong_api_login',
        steps: [
          {
            name: 'orderstate',
            proves: 'web-service login and password',
            verdict: 'wrong_api_login',
            message: 'Set the web-service login and password: refunds, holds and status checks need them.',
          },
        ],
        unproven,
      };
    }
    let step: CredentialsStep;
    try {
      await getOrderState(
        this.config,
        { orderNumber: PROBE_ORDER },
        { ...this.#http, timeoutMs: 5000, retry: { attempts: 1 } },
      );
      step = {
        name: 'orderstate',
        proves: 'merchant id, web-service login and password',
        verdict: 'ok',
        message: MESSAGES.ok,
      };
    } catch (error) {
      const verdict = classify(error);
      step = {
        name: 'orderstate',
        proves: 'merchant id, web-service login and password',
        verdict,
        message: MESSAGES[verdict],
        code: isKassaError(error) ? error.code : undefined,
      };
    }
    return { verdict: step.verdict, steps: [step], unproven };
  }
}

function classify(error: unknown): CredentialsVerdict {
  if (!isKassaError(error)) return 'unexpected';
  if (error.code === 'GATEWAY_UNREACHABLE' || error.code === 'GATEWAY_TIMEOUT' || error.code === 'GATEWAY_HTTP_ERROR') {
    return 'unreachable';
  }
  const first = error.details.firstCode;
  const second = error.details.secondCode;
  if (first === 7 && second === 141) return 'wrong_api_login';
  if (first === 14 && second === 200) return 'wrong_merchant';
  if (error.code === 'ASSIST_CREDENTIALS_MISSING') return 'wrong_api_login';
  return 'unexpected';
}

/** The same gateway for the same config object. */
const gateways = new WeakMap<AssistConfig, AssistGateway>();

export function assistGateway(config: AssistConfig): AssistGateway {
  let gateway = gateways.get(config);
  if (!gateway) {
    gateway = new AssistGateway(config);
    gateways.set(config, gateway);
  }
  return gateway;
}
