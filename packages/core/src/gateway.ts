/**
 * The port every platform plugin talks to (DESIGN §8). A plugin maps its platform's objects to these calls and its
 * state to the ledger; it never touches a gateway's protocol. Robokassa implements it in `robokassa/gateway.ts`,
 * Assist in `assist/gateway.ts`.
 *
 * What differs between gateways is data (`capabilities`), not methods that throw: a plugin asks
 * `gateway.capabilities.partialCapture` before it offers a partial capture.
 */
import type { GatewayId, PaymentDetails, PaymentRecord } from './ledger/port.js';
import type { Money } from './money.js';
import type { ReceiptInput } from './robokassa/receipt.js';
import type { Secret } from './secret.js';

export type { GatewayId } from './ledger/port.js';

export interface GatewayCapabilities {
  /** Two-stage payments: authorise now, capture or cancel later. */
  readonly hold: boolean;
  /** A hold may be captured for less than was authorised. */
  readonly partialCapture: boolean;
  readonly refund: boolean;
  readonly partialRefund: boolean;
  /** `methods()` returns the gateway's live catalog (else a fixed list). */
  readonly methodCatalog: boolean;
  /** 54-FZ receipts can travel with the payment. */
  readonly receipt: boolean;
  /** The buyer's return is signed, so it can identify the invoice (Robokassa SuccessURL); else it is only a hint. */
  readonly signedReturn: boolean;
  /** Several attempts (declined then paid) can happen under one invoice. */
  readonly attempts: boolean;
  /** Currencies the merchant's account can invoice in. */
  readonly currencies: readonly Money['currency'][];
}

/** The receipt as 54-FZ describes it (items, taxation system); each gateway encodes it in its own format. */
export type FiscalReceipt = ReceiptInput;

export interface CreatePaymentInput {
  /** The ledger record this payment is for (its invoice id, amount and test flag are what the gateway sees). */
  record: PaymentRecord;
  /** What the buyer reads on the gateway's page. */
  description: string;
  /** Authorise only; capture later (requires `capabilities.hold`). */
  hold?: boolean | undefined;
  receipt?: FiscalReceipt | undefined;
  /** Pre-select a payment method (a code from `methods()`). */
  method?: string | undefined;
  email?: string | undefined;
  language?: 'ru' | 'en' | undefined;
  /** Absolute URLs of the plugin's routes, for gateways that take them per payment. */
  urls?: PaymentUrls | undefined;
}

export interface PaymentUrls {
  /** Where the gateway posts its server notification. */
  notification?: string | undefined;
  /** Where the gateway posts a hold's notification, when it has a separate one (Robokassa ResultUrl2). */
  holdNotification?: string | undefined;
  /** Where the buyer comes back after paying / after giving up. */
  success?: string | undefined;
  fail?: string | undefined;
}

export interface PaymentFormField {
  readonly name: string;
  readonly value: string;
}

/** Where to send the buyer: a GET link, and the same request as an auto-submitted POST form (for long receipts). */
export interface PaymentRedirect {
  readonly url: string;
  readonly form: { readonly action: string; readonly method: 'POST'; readonly fields: readonly PaymentFormField[] };
}

/** What a verified notification says happened, in words every gateway shares. */
export type PaymentEventKind = 'paid' | 'held' | 'declined' | 'cancelled';

export interface PaymentEvent {
  readonly kind: PaymentEventKind;
  /** What the gateway says was paid / authorised (the captured amount after a partial capture). */
  readonly amount: Money;
  /** The currency as the gateway wrote it, when it wrote one (checked against the record). */
  readonly currency?: string | undefined;
  readonly isTest: boolean;
  /** Facts to store on the record (method, fee, operation key, attempt number…). */
  readonly details: PaymentDetails;
}

/** A notification read from the wire, before anything is trusted. `message` is the gateway's own parsed form. */
export type ReadNotification =
  | { readonly ok: true; readonly invoiceId: string; readonly message: unknown }
  | { readonly ok: false; readonly detail: string; readonly invoiceId?: string | undefined };

export type VerifyNotificationFailure = 'signature_mismatch' | 'test_credentials_missing' | 'malformed';

export type VerifiedNotification =
  /** `message` is the gateway's verified form (e.g. Robokassa's `ResultCallback`), handed to the settle step. */
  | { readonly ok: true; readonly event: PaymentEvent; readonly message: unknown }
  | { readonly ok: false; readonly reason: VerifyNotificationFailure; readonly detail: string };

/** What the exactly-once use case decided; the gateway turns it into the bytes it expects (`notificationReply`). */
export type NotificationOutcome =
  /** This call moved the record (to `paid` or `held`) and ran the platform's settle step. */
  | { readonly kind: 'paid'; readonly record: PaymentRecord; readonly event: PaymentEvent; readonly message: unknown }
  /** The record was already there: the settle step ran again (idempotently) and the gateway gets its OK again. */
  | { readonly kind: 'replay'; readonly record: PaymentRecord; readonly event: PaymentEvent; readonly message: unknown }
  /** Paid, then refunded: acknowledged so the gateway stops retrying, no settle step. */
  | { readonly kind: 'after-refund'; readonly record: PaymentRecord; readonly message: unknown }
  /** A declined or cancelled attempt: acknowledged, nothing changes (another attempt may still pay). */
  | {
      readonly kind: 'declined';
      readonly record: PaymentRecord;
      readonly event: PaymentEvent;
      readonly message: unknown;
    }
  /** Bad input: nothing changed and nothing will change if the same bytes come again. */
  | { readonly kind: 'rejected'; readonly code: RejectCode; readonly status: RejectStatus; readonly message?: unknown }
  /** Our side failed: nothing or only the ledger changed; the gateway must send it again. */
  | { readonly kind: 'retry'; readonly code: RetryCode; readonly message?: unknown };

export type RejectStatus = 400 | 405 | 413 | 414 | 415;

export type RejectCode =
  | 'CALLBACK_METHOD_NOT_ALLOWED'
  | 'CALLBACK_TOO_LARGE'
  | 'CALLBACK_UNSUPPORTED_MEDIA_TYPE'
  | 'CALLBACK_MALFORMED'
  | 'SIGNATURE_MISMATCH'
  | 'UNKNOWN_INVOICE'
  | 'AMOUNT_MISMATCH'
  | 'CURRENCY_MISMATCH'
  | 'CALLBACK_STATE_CONFLICT';

export type RetryCode = 'LEDGER_ERROR' | 'TEST_PASSWORDS_MISSING' | 'ON_PAID_FAILED';

/**
 * A hold announced on a channel of its own (Robokassa's ResultUrl2), read and verified in one go: the token is signed
 * by the gateway, not with the shop's secrets, so no record is needed to trust it. `event` is undefined for messages
 * that change nothing (a ResultUrl2 `OK`: the ordinary notification settles payments).
 */
export type HoldNotification =
  | { readonly ok: true; readonly invoiceId: string; readonly event: PaymentEvent | undefined }
  | { readonly ok: false; readonly code: string; readonly detail: string };

/** The buyer's return, read. `trusted` only when the gateway signs it (and the signature verified). */
export type ReadReturn =
  | { readonly ok: true; readonly invoiceId: string; readonly trusted: boolean; readonly success: boolean }
  | { readonly ok: false; readonly detail: string };

/** The gateway's answer about one invoice, in shared words. */
export type GatewayStatus =
  | { readonly kind: 'not_found' }
  | {
      readonly kind: 'pending' | 'paid' | 'held' | 'declined' | 'cancelled' | 'refunded' | 'suspended';
      /** Amounts the gateway reports for the operation (any of them matching the record counts). */
      readonly amounts: readonly Money[];
      /** When the gateway last changed the state, if it says. */
      readonly since?: Date | undefined;
      readonly details: PaymentDetails;
    };

export interface CaptureResult {
  readonly amount: Money;
  readonly details: PaymentDetails;
}

export interface RefundInput {
  readonly amount: Money;
  /** True when this refund returns everything still paid (a full refund may repeat the payment's receipt). */
  readonly full: boolean;
  readonly receipt?: FiscalReceipt | undefined;
}

export interface RefundResult {
  /** Facts to store (the gateway's refund request id…). */
  readonly details: PaymentDetails;
}

export interface PaymentMethod {
  /** Pass as `CreatePaymentInput.method` to pre-select it. */
  readonly code: string;
  readonly label: string;
  readonly group: string;
  readonly groupLabel: string;
  /** Amount limits as decimal strings, when the gateway states them. */
  readonly min?: string | undefined;
  readonly max?: string | undefined;
}

/**
 * `shop`: render `methods` at checkout; `gateway`: render no list, the gateway's page lets the buyer choose (the
 * catalog was cold or unreachable: a checkout never waits for it).
 */
export interface MethodChoice {
  readonly chooser: 'shop' | 'gateway';
  readonly methods: readonly PaymentMethod[];
}

export type CredentialsVerdict =
  | 'ok'
  | 'wrong_merchant'
  | 'wrong_secret'
  | 'wrong_api_login'
  | 'test_credentials_missing'
  | 'unreachable'
  | 'unexpected';

export interface CredentialsStep {
  /** What was tried (e.g. `GetCurrencies`, `OpStateExt`, `orderstate`). */
  readonly name: string;
  readonly verdict: CredentialsVerdict;
  /** A sentence for the merchant; never a secret. */
  readonly message: string;
  /** What this step proved when it passed (e.g. "Password #2"). */
  readonly proves: string;
  readonly code?: string | undefined;
}

export interface CredentialsReport {
  readonly verdict: CredentialsVerdict;
  readonly steps: readonly CredentialsStep[];
  /** Secrets no step could prove here (e.g. Password #1 is checked only by the payment page). */
  readonly unproven: readonly string[];
}

export interface Gateway {
  readonly id: GatewayId;
  readonly capabilities: GatewayCapabilities;
  /** Every secret of the merchant's settings: loggers are guarded with these. */
  readonly secrets: ReadonlyArray<Secret | undefined>;

  /** The redirect for a ledger record. Pure: same record and input, same bytes. */
  createPayment(input: CreatePaymentInput): PaymentRedirect;

  /** HTTP methods the notification arrives with. */
  readonly notificationMethods: readonly ('GET' | 'POST')[];
  /** Parses a notification's query or form body. Nothing is trusted yet. */
  readNotification(text: string): ReadNotification;
  /** Verifies a read notification against the shop's record (which decides e.g. the test or live secrets). */
  verifyNotification(message: unknown, record: PaymentRecord): VerifiedNotification;
  /** The exact reply the gateway expects for an outcome. */
  notificationReply(outcome: NotificationOutcome): Response;
  /**
   * Present when the gateway announces holds on a separate channel (Robokassa ResultUrl2); absent when a hold arrives
   * as an ordinary notification (Assist). Plugins serve it with `handleHoldNotification`.
   */
  readonly readHoldNotification?: ((body: string) => HoldNotification) | undefined;

  /**
   * Reads the buyer's return (query string or form body) from the success or the fail page. `find` looks the
   * invoice up in the ledger (a signed return is verified with the record's secrets).
   */
  readReturn(
    text: string,
    page: 'success' | 'fail',
    find: (invoiceId: string) => Promise<PaymentRecord | undefined>,
  ): Promise<ReadReturn>;

  /** Asks the gateway's status API about one invoice. */
  status(record: PaymentRecord): Promise<GatewayStatus>;
  /** Captures a held payment, fully or (when `capabilities.partialCapture`) for `amount`. */
  capture(record: PaymentRecord, amount?: Money): Promise<CaptureResult>;
  /** Releases a held payment. */
  cancel(record: PaymentRecord): Promise<void>;
  /**
   * Optional: facts a refund needs that the record may lack (Robokassa: the operation key, which ResultURL does not
   * carry and only OpStateExt and ResultUrl2 report). `refundPayment` asks before anything is written ahead and stores
   * what it returns with the write-ahead; a typed error refuses the refund with the record untouched, so nothing is
   * ever left `refund_requested` with nothing in flight.
   */
  prepareRefund?(record: PaymentRecord): Promise<PaymentDetails>;
  /** Sends a refund. Called by `refundPayment` after the refund was written ahead in the ledger. */
  refund(record: PaymentRecord, input: RefundInput): Promise<RefundResult>;
  /** Finishes a refund a crash interrupted: `done` / `failed` when the gateway can tell, else `unknown`. */
  refundState(record: PaymentRecord): Promise<'done' | 'failed' | 'unknown'>;

  methods(input: { amount: Money; language?: 'ru' | 'en' | undefined }): Promise<MethodChoice>;
  checkCredentials(): Promise<CredentialsReport>;
}
