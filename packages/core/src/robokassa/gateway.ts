/**
 * Robokassa behind the `Gateway` port: the protocol modules of this folder wired to the shared words of
 * `../gateway.ts`. Nothing here decides a state: the use cases (`../notification.ts`, `../payments/`) do, the same
 * way for every gateway.
 */
import type { KeyObject } from 'node:crypto';
import { createMethodCatalog, type MethodCatalog } from '../catalog.js';
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
  HoldNotification,
  MethodChoice,
  NotificationOutcome,
  PaymentRedirect,
  ReadNotification,
  ReadReturn,
  RefundInput,
  RefundResult,
  VerifiedNotification,
} from '../gateway.js';
import { fixedResponse, textResponse } from '../http.js';
import type { PaymentDetails, PaymentRecord } from '../ledger/port.js';
import type { Money } from '../money.js';
import { shopCurrency } from './api/common.js';
import { getCurrencies } from './api/currencies.js';
import { cancelHold, confirmHold } from './api/hold.js';
import type { ApiCallOptions } from './api/http.js';
import { type OperationStateResult, opStateExt } from './api/op-state.js';
import { createRefund, getRefundState } from './api/refund.js';
import { parseFailRedirect } from './callbacks/fail-url.js';
import { type ResultCallback, readResultCallback, verifyReadResultCallback } from './callbacks/result-url.js';
import { resultUrl2PublicKey, verifyResultUrl2 } from './callbacks/result-url2.js';
import type { UnverifiedSignedCallback } from './callbacks/signed.js';
import { verifySuccessRedirect } from './callbacks/success-url.js';
import type { RobokassaConfig } from './config.js';
import { buildPaymentRequest } from './payment.js';
import { createReceipt, toRefundInvoiceItems } from './receipt.js';

/** The details keys Robokassa's gateway writes on a ledger record. */
export interface RobokassaDetails {
  /** Operation key (OpStateExt, ResultUrl2); the Refund API needs it. */
  opKey?: string;
  /** The method code Robokassa reported (`BankCard`, `SBP`…). */
  paymentMethod?: string;
  /** The method label the buyer used (`BankCardPSR`). */
  incCurrLabel?: string;
  /** Robokassa's fee as it wrote it (`0.000000`). */
  fee?: string;
  /** The Refund API's id of the last refund request. */
  refundRequestId?: string;
}

/** The Robokassa facts stored on a record, typed. */
export function robokassaDetails(record: PaymentRecord): RobokassaDetails {
  const d = record.details;
  const pick = (key: keyof RobokassaDetails) => (typeof d[key] === 'string' ? { [key]: d[key] } : {});
  return {
    ...pick('opKey'),
    ...pick('paymentMethod'),
    ...pick('incCurrLabel'),
    ...pick('fee'),
    ...pick('refundRequestId'),
  };
}

/** A record's invoice id as Robokassa's integer InvId. */
export function invIdOf(record: PaymentRecord): number {
  const invId = Number(record.invoiceId);
  if (!Number.isSafeInteger(invId) || invId < 1 || String(invId) !== record.invoiceId) {
    throw new KassaError('INVOICE_ID_OUT_OF_RANGE', 'A Robokassa invoice id must be an integer InvId', {
      details: { invoiceId: record.invoiceId.slice(0, 32) },
    });
  }
  return invId;
}

export interface RobokassaGatewayOptions {
  /** Transport settings for every API call. */
  http?: ApiCallOptions | undefined;
  /** Replace the method catalog (tests; a shared one). Default: one per gateway, over GetCurrencies. */
  catalog?: MethodCatalog | undefined;
  /** Replace the OpStateExt call (tests, a shared client, a rate limiter). */
  opStateExt?:
    | ((input: { invId: number; isTest: boolean; currency: RobokassaCurrency }) => Promise<OperationStateResult>)
    | undefined;
  /**
   * Robokassa's ResultUrl2 certificate (PEM X.509 or public key). Without it `readHoldNotification` refuses every
   * token: nothing can be verified, so nothing is accepted.
   */
  resultUrl2Certificate?: string | undefined;
}

type RobokassaCurrency = 'RUB' | 'KZT' | 'USD' | 'EUR';
const ROBOKASSA_CURRENCIES: readonly string[] = ['RUB', 'KZT', 'USD', 'EUR'];

/** Robokassa invoices in these currencies only (BYN is Assist's). */
function robokassaMoney(money: Money): Money & { currency: RobokassaCurrency } {
  if (!ROBOKASSA_CURRENCIES.includes(money.currency)) {
    throw new KassaError('MONEY_UNKNOWN_CURRENCY', `Robokassa does not invoice in ${money.currency}`, {
      details: { currency: money.currency },
    });
  }
  return money as Money & { currency: RobokassaCurrency };
}

/** Far above any InvId a shop allocates: asking about it never touches a real operation. */
const PROBE_INV_ID = 2 ** 31 - 1;

/** Facts a paying ResultURL carries, for the record. */
function callbackDetails(callback: ResultCallback): PaymentDetails {
  const details: Record<string, string> = {};
  if (callback.paymentMethod !== undefined) details.paymentMethod = callback.paymentMethod;
  if (callback.incCurrLabel !== undefined) details.incCurrLabel = callback.incCurrLabel;
  if (callback.fee !== undefined) details.fee = callback.fee;
  return details;
}

function statusDetails(state: OperationStateResult): PaymentDetails {
  if (!state.found) return {};
  const info = state.info;
  const details: Record<string, string> = {};
  if (info?.opKey) details.opKey = info.opKey;
  if (info?.paymentMethod?.code) details.paymentMethod = info.paymentMethod.code;
  if (info?.incCurrLabel) details.incCurrLabel = info.incCurrLabel;
  return details;
}

const CREDENTIAL_MESSAGES: Record<CredentialsVerdict, string> = {
  ok: 'Robokassa accepted the request.',
  wrong_merchant: 'Robokassa does not know this shop: check the shop identifier (not the cabinet login).',
  wrong_secret: 'The shop exists but the signature is wrong: check Password #2 and the hash algorithm.',
  wrong_api_login: 'Robokassa refused the API credentials.',
  test_credentials_missing: 'Test mode needs the test Password #1 and #2.',
  unreachable: 'Robokassa could not be reached: check the network or the base URL.',
  unexpected: 'Robokassa answered something unexpected; see the server log.',
};

function classifyCredentialsError(error: unknown): { verdict: CredentialsVerdict; code?: string } {
  if (!isKassaError(error)) return { verdict: 'unexpected' };
  if (error.code === 'GATEWAY_UNREACHABLE' || error.code === 'GATEWAY_TIMEOUT') {
    return { verdict: 'unreachable', code: error.code };
  }
  if (error.code === 'TEST_PASSWORDS_MISSING') return { verdict: 'test_credentials_missing', code: error.code };
  const resultCode = error.details.resultCode;
  if (error.code === 'GATEWAY_RESULT_CODE' && resultCode === 2) return { verdict: 'wrong_merchant', code: error.code };
  if (error.code === 'GATEWAY_RESULT_CODE' && resultCode === 1) return { verdict: 'wrong_secret', code: error.code };
  return { verdict: 'unexpected', code: error.code };
}

async function credentialsStep(name: string, proves: string, call: () => Promise<unknown>): Promise<CredentialsStep> {
  try {
    await call();
    return { name, proves, verdict: 'ok', message: CREDENTIAL_MESSAGES.ok };
  } catch (error) {
    const { verdict, code } = classifyCredentialsError(error);
    return { name, proves, verdict, message: CREDENTIAL_MESSAGES[verdict], code };
  }
}

export class RobokassaGateway implements Gateway {
  readonly id = 'robokassa' as const;
  readonly capabilities: GatewayCapabilities;
  readonly secrets;
  readonly notificationMethods = ['GET', 'POST'] as const;
  readonly config: RobokassaConfig;
  readonly #http: ApiCallOptions | undefined;
  readonly #catalog: MethodCatalog;
  readonly #holdKey: KeyObject | undefined;
  readonly #opStateExt: NonNullable<RobokassaGatewayOptions['opStateExt']>;

  constructor(config: RobokassaConfig, options: RobokassaGatewayOptions = {}) {
    this.config = config;
    this.#http = options.http;
    this.#opStateExt = options.opStateExt ?? ((input) => opStateExt(config, input, options.http));
    this.secrets = [config.password1, config.password2, config.testPassword1, config.testPassword2, config.password3];
    this.#catalog = options.catalog ?? createMethodCatalog({ config, http: options.http });
    this.#holdKey =
      options.resultUrl2Certificate === undefined ? undefined : resultUrl2PublicKey(options.resultUrl2Certificate);
    const refund = config.password3 !== undefined;
    this.capabilities = Object.freeze({
      hold: true,
      partialCapture: true,
      refund,
      partialRefund: refund,
      methodCatalog: true,
      receipt: true,
      signedReturn: true,
      attempts: false,
      currencies: Object.freeze([shopCurrency(config)]),
    });
  }

  createPayment(input: CreatePaymentInput): PaymentRedirect {
    const { record } = input;
    // Robokassa sends no ResultUrl2 in test mode: naming it for a test invoice would only confuse.
    const holdUrl = record.isTest ? undefined : input.urls?.holdNotification;
    const request = buildPaymentRequest(this.config, {
      invId: invIdOf(record),
      outSum: record.amount,
      description: input.description,
      isTest: record.isTest,
      ...(input.receipt ? { receipt: input.receipt } : {}),
      ...(input.hold ? { stepByStep: true } : {}),
      ...(holdUrl ? { resultUrl2: holdUrl } : {}),
      ...(input.method ? { incCurrLabel: input.method } : {}),
      ...(input.language ? { culture: input.language } : {}),
      ...(input.email ? { email: input.email } : {}),
    });
    return { url: request.url, form: request.form };
  }

  readNotification(text: string): ReadNotification {
    const read = readResultCallback(text);
    if (!read.ok) return { ok: false, detail: read.detail, invoiceId: read.invId?.toString() };
    return { ok: true, invoiceId: String(read.invId), message: read };
  }

  verifyNotification(message: unknown, record: PaymentRecord): VerifiedNotification {
    const read = message as UnverifiedSignedCallback;
    const verified = verifyReadResultCallback(this.config, read, {
      isTest: record.isTest,
      currency: record.amount.currency,
    });
    if (!verified.ok) {
      const reason = verified.reason === 'test_passwords_missing' ? 'test_credentials_missing' : verified.reason;
      return { ok: false, reason, detail: verified.detail };
    }
    const callback = verified.callback;
    return {
      ok: true,
      message: callback,
      event: {
        kind: 'paid',
        amount: callback.amount,
        currency: callback.outSumCurrency,
        isTest: callback.isTest,
        details: callbackDetails(callback),
      },
    };
  }

  /** `OK{InvId}` (text/plain), the InvId exactly as Robokassa sent it; anything else makes it retry. */
  notificationReply(outcome: NotificationOutcome): Response {
    switch (outcome.kind) {
      case 'paid':
      case 'replay':
      case 'after-refund':
      case 'declined': {
        const read = outcome.message as { invIdRaw?: string; invId?: number } | undefined;
        return textResponse(200, `OK${read?.invIdRaw ?? outcome.record.invoiceId}`);
      }
      case 'rejected':
        // A wrong method is told which ones work (RFC 9110 §15.5.6).
        return outcome.status === 405
          ? fixedResponse(405, { allow: this.notificationMethods.join(', ') })
          : fixedResponse(outcome.status);
      case 'retry':
        return fixedResponse(500);
    }
  }

  async readReturn(
    text: string,
    page: 'success' | 'fail',
    find: (invoiceId: string) => Promise<PaymentRecord | undefined>,
  ): Promise<ReadReturn> {
    if (page === 'fail') {
      // FailURL is unsigned: at most a hint of which invoice the buyer left.
      const hint = parseFailRedirect(text).hint;
      if (hint.invId === undefined) return { ok: false, detail: 'no InvId' };
      return { ok: true, invoiceId: String(hint.invId), trusted: false, success: false };
    }
    const probe = readResultCallback(text);
    const invoiceId = probe.ok ? String(probe.invId) : probe.invId?.toString();
    if (invoiceId === undefined) return { ok: false, detail: 'no InvId' };
    const record = await find(invoiceId);
    if (record === undefined) return { ok: false, detail: 'unknown invoice' };
    const verified = verifySuccessRedirect(this.config, text, {
      isTest: record.isTest,
      currency: record.amount.currency,
    });
    if (!verified.ok) return { ok: false, detail: verified.reason };
    if (String(verified.redirect.invId) !== record.invoiceId) return { ok: false, detail: 'other invoice' };
    return { ok: true, invoiceId, trusted: true, success: true };
  }

  /**
   * ResultUrl2 (protocol §2.2): an RS256 JWS. `HOLD` becomes a `held` event for the settle step; `OK` gives no event:
   * ResultURL, signed with Password #2, is the notification that settles payments (exact amount, test/live pair),
   * and Robokassa sends it too, also after a Confirm.
   */
  readHoldNotification(body: string): HoldNotification {
    if (this.#holdKey === undefined) {
      return { ok: false, code: 'RESULT_URL2_NOT_CONFIGURED', detail: 'no resultUrl2Certificate' };
    }
    const verified = verifyResultUrl2(body, {
      publicKey: this.#holdKey,
      merchantLogin: this.config.login,
      currency: shopCurrency(this.config),
    });
    if (!verified.ok) return { ok: false, code: verified.code, detail: verified.detail };
    const n = verified.notification;
    const invoiceId = String(n.invId);
    if (n.state === 'OK') return { ok: true, invoiceId, event: undefined };
    const details: Record<string, string> = { opKey: n.opKey };
    if (n.paymentMethod) details.paymentMethod = n.paymentMethod;
    // Holds are live only (Robokassa has no test holds). IncSum is what the buyer was charged: if the shop has the
    // buyer pay Robokassa's commission it exceeds OutSum and the settle step refuses it; the buyer's return and
    // reconciliation (OpStateExt compares OutSum) settle such a hold instead.
    return {
      ok: true,
      invoiceId,
      event: { kind: 'held', amount: n.incAmount, isTest: false, details },
    };
  }

  /** OpStateExt, in shared words. */
  async status(record: PaymentRecord): Promise<GatewayStatus> {
    const state = await this.#opStateExt({
      invId: invIdOf(record),
      isTest: record.isTest,
      currency: robokassaMoney(record.amount).currency,
    });
    if (!state.found) return { kind: 'not_found' };
    const info = state.info;
    const amounts: Money[] = [];
    if (info?.outSum) amounts.push(info.outSum);
    if (info?.incSum) amounts.push(info.incSum);
    const since = state.stateDate;
    const details = statusDetails(state);
    const kind = (
      {
        initiated: 'pending',
        processing: 'paid',
        paid: 'paid',
        held: 'held',
        // 10 is also a refused card the buyer may retry: reconciliation waits a grace period before believing it.
        cancelled: 'cancelled',
        refunded: 'refunded',
        suspended: 'suspended',
      } as const
    )[state.status];
    return { kind, amounts, since, details };
  }

  async capture(record: PaymentRecord, amount?: Money): Promise<CaptureResult> {
    const outSum = amount ?? record.amount;
    await confirmHold(
      this.config,
      { invId: invIdOf(record), outSum: robokassaMoney(outSum), isTest: record.isTest },
      this.#http,
    );
    return { amount: outSum, details: {} };
  }

  async cancel(record: PaymentRecord): Promise<void> {
    await cancelHold(
      this.config,
      { invId: invIdOf(record), outSum: robokassaMoney(record.amount), isTest: record.isTest },
      this.#http,
    );
  }

  /**
   * The OpKey the Refund API needs, before `refundPayment` writes the refund ahead: the record's own (ResultUrl2, a
   * refresh), else OpStateExt's — a payment learned from ResultURL has none. No OpKey, no refund: refused here, so
   * nothing is left `refund_requested`.
   */
  async prepareRefund(record: PaymentRecord): Promise<PaymentDetails> {
    if (robokassaDetails(record).opKey) return {};
    const status = await this.status(record);
    const opKey = status.kind === 'not_found' ? undefined : status.details.opKey;
    if (!opKey) {
      throw new KassaError(
        'REFUND_REJECTED',
        'Robokassa has not reported the operation key a refund needs, so nothing was sent: try again later, or refund in the Robokassa cabinet',
        { details: { invoiceId: record.invoiceId, reason: 'op_key_unavailable', status: status.kind } },
      );
    }
    return { opKey };
  }

  async refund(record: PaymentRecord, input: RefundInput): Promise<RefundResult> {
    const opKey = robokassaDetails(record).opKey;
    if (!opKey) {
      // `refundPayment` stores it with the write-ahead (`prepareRefund`); a definite refusal puts the record back.
      throw new KassaError('REFUND_REJECTED', 'A Robokassa refund needs the operation key on the record', {
        details: { invoiceId: record.invoiceId, reason: 'op_key_unavailable' },
      });
    }
    // The caller's receipt lines: a full refund repeats the payment's; a partial one names what goes back.
    const items =
      input.receipt && input.receipt.items.length > 0
        ? toRefundInvoiceItems(
            createReceipt(input.receipt, { country: this.config.country, currency: input.amount.currency }).items,
          )
        : undefined;
    const { requestId } = await createRefund(
      this.config,
      {
        opKey,
        ...(input.full ? {} : { refundSum: robokassaMoney(input.amount) }),
        ...(items ? { invoiceItems: items } : {}),
      },
      this.#http,
    );
    return { details: { opKey, refundRequestId: requestId } };
  }

  async refundState(record: PaymentRecord): Promise<'done' | 'failed' | 'unknown'> {
    const requestId = robokassaDetails(record).refundRequestId;
    if (requestId === undefined) return 'unknown';
    const state = await getRefundState(
      this.config,
      { requestId, currency: robokassaMoney(record.amount).currency },
      this.#http,
    );
    return state.label === 'finished' ? 'done' : state.label === 'canceled' ? 'failed' : 'unknown';
  }

  async methods(input: { amount: Money; language?: 'ru' | 'en' | undefined }): Promise<MethodChoice> {
    const result = await this.#catalog.methodsFor(input);
    return {
      chooser: result.chooser === 'shop' ? 'shop' : 'gateway',
      methods: result.methods.map((m) => ({
        code: m.incCurrLabel,
        label: m.name,
        group: m.groupCode,
        groupLabel: m.groupDescription,
        min: m.minValue,
        max: m.maxValue,
      })),
    };
  }

  /** The catalog itself (for warm-up at start). */
  get catalog(): MethodCatalog {
    return this.#catalog;
  }

  /**
   * GetCurrencies (unsigned) proves the host answers and the shop id exists; a signed OpStateExt for an InvId no
   * shop uses proves Password #2 and the algorithm (result code 3, "not found", is the success answer; code 1 is a
   * bad signature). Password #1 is checked only by Robokassa's payment page, and Password #3 only by a refund.
   */
  async checkCredentials(): Promise<CredentialsReport> {
    const http = { ...this.#http, timeoutMs: 5000, retry: { attempts: 1 } };
    const steps: CredentialsStep[] = [
      await credentialsStep('GetCurrencies', 'shop identifier', () => getCurrencies(this.config, {}, http)),
    ];
    if (steps[0]?.verdict === 'ok') {
      // Real Password #2 only: Robokassa documents no test-password variant of the XML interface (protocol §3.1).
      steps.push(
        await credentialsStep('OpStateExt', 'Password #2 and the hash algorithm', () =>
          opStateExt(this.config, { invId: PROBE_INV_ID, isTest: false }, http),
        ),
      );
    }
    const failed = steps.find((s) => s.verdict !== 'ok');
    const unproven = ['Password #1'];
    if (this.config.password3) unproven.push('Password #3');
    if (this.config.testPassword1) unproven.push('test Password #1', 'test Password #2');
    return { verdict: failed?.verdict ?? 'ok', steps, unproven };
  }
}

/** The same gateway for the same config object (the notification route's hot path builds none per request). */
const gateways = new WeakMap<RobokassaConfig, RobokassaGateway>();

export function robokassaGateway(config: RobokassaConfig): RobokassaGateway {
  let gateway = gateways.get(config);
  if (!gateway) {
    gateway = new RobokassaGateway(config);
    gateways.set(config, gateway);
  }
  return gateway;
}
