import type { Money } from '../money.js';

/** The gateways Kassa speaks. A ledger record names its gateway; invoice ids are unique per gateway. */
export const GATEWAY_IDS = ['robokassa', 'assist'] as const;
export type GatewayId = (typeof GATEWAY_IDS)[number];

/**
 * The life of one invoice as the shop records it, whatever the gateway. `pending` → `paid` is what a verified
 * notification (or reconciliation) does; `held` is a pre-authorised payment waiting for capture or cancel;
 * `refund_requested` is written before a refund is sent to the gateway, so a crash between the two is found and
 * finished rather than repeated blindly (the amount sits in `refundPending`).
 */
export const PAYMENT_STATES = [
  'pending',
  'held',
  'paid',
  'cancelled',
  'failed',
  'refund_requested',
  'partially_refunded',
  'refunded',
] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

/** Where a transition came from: kept with the transition for the audit trail. */
export const TRANSITION_SOURCES = [
  'notification',
  'hold_notification',
  'return',
  'reconcile',
  'refresh',
  'capture',
  'cancel',
  'refund',
  'reissue',
  'admin',
] as const;
export type TransitionSource = (typeof TRANSITION_SOURCES)[number];

/**
 * Facts a gateway reported about an invoice, kept as short strings: Robokassa's `opKey`, `paymentMethod`,
 * `incCurrLabel`, `fee`; Assist's `billnumber`, `meantype`… Each gateway documents (and types, see
 * `robokassaDetails` / `assistDetails`) the keys it writes. Never a secret.
 */
export type PaymentDetails = Readonly<Record<string, string>>;

export interface PaymentRecord {
  readonly gateway: GatewayId;
  /**
   * The gateway's id for this invoice, exactly as sent to it: Robokassa's InvId (`"42"`, allocated by the ledger
   * from a sequence, 1..2^31−1), Assist's OrderNumber (up to 128 characters).
   */
  readonly invoiceId: string;
  /** The platform's own id for this payment (a Medusa payment session, a Shopify payment session, a Woo order). */
  readonly reference: string;
  /** What the shop expects to be paid. A notification with any other amount or currency changes nothing. */
  readonly amount: Money;
  readonly isTest: boolean;
  readonly state: PaymentState;
  /** Cumulative amount refunded so far (zero until a refund succeeds). */
  readonly refunded: Money;
  /** The refund written ahead and not yet confirmed (only while `state` is `refund_requested`). */
  readonly refundPending?: Money | undefined;
  readonly details: PaymentDetails;
  /**
   * The state in which the platform last confirmed it reflects this record (order created, payment captured…),
   * set with `markSettled`. `paid` or `held` with another `settledState` is a payment the platform still owes work.
   */
  readonly settledState?: PaymentState | undefined;
  /**
   * A genuine payment the platform could not use (its cart was already paid through another invoice, or changed
   * since): money the shop must give back. Set once with `markSurplus` (docs/ledger.md "Surplus payments"); the
   * record keeps its state (`paid`, later `refund_requested` → `refunded`), so the flag also tells a refunded double
   * payment from an ordinary refund. Absent (false) on every other record.
   */
  readonly surplus?: boolean | undefined;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewPayment {
  gateway: GatewayId;
  reference: string;
  amount: Money;
  isTest: boolean;
  /**
   * Use this invoice id instead of allocating one (Assist order numbers a shop chooses, tests, migrations). Must be
   * unused for the gateway. Allocated ids are decimal integers from 1 to 2^31−1, never reused.
   */
  invoiceId?: string;
  details?: PaymentDetails;
}

export interface InvoiceKey {
  gateway: GatewayId;
  invoiceId: string;
}

export interface TransitionPatch {
  /** Merged into the record's details (keys given here replace the old values; others are kept). */
  details?: PaymentDetails;
  refunded?: Money;
  /** `null` clears it. */
  refundPending?: Money | null;
}

export interface TransitionRequest extends InvoiceKey {
  /** The transition happens only if the record is currently in one of these states. */
  from: readonly PaymentState[];
  to: PaymentState;
  source: TransitionSource;
  /** Facts learned with this transition, stored on the record. */
  patch?: TransitionPatch;
}

export type TransitionResult =
  /** This call made the transition: it is the one and only caller that should run side effects. */
  | { applied: true; record: PaymentRecord }
  /** The record was not in a `from` state (someone else already moved it, or it never could): nothing changed. */
  | { applied: false; record: PaymentRecord }
  | { applied: false; record: undefined };

export interface ListStaleOptions {
  states: readonly PaymentState[];
  olderThan: Date;
  limit: number;
  /** Only this gateway's records. Default: every gateway. */
  gateway?: GatewayId | undefined;
}

export interface ListPaymentsOptions {
  gateway?: GatewayId | undefined;
  /** Only records in these states. Default: every state. */
  states?: readonly PaymentState[] | undefined;
  /** Only surplus payments (true) or only the others (false). Default: both. */
  surplus?: boolean | undefined;
  /** Only `paid`/`held` records the platform has not settled (`listUnsettled`'s set). */
  unsettled?: boolean | undefined;
  /** Only records needing a human: surplus payments not yet refunded (`paid`, or a refund in doubt), and unsettled ones. */
  attention?: boolean | undefined;
  /** Created at or after this instant. */
  createdFrom?: Date | undefined;
  /** Created before this instant. */
  createdTo?: Date | undefined;
  /** Page size (at most 500). */
  limit: number;
  /** Records skipped (newest first). Default 0. */
  offset?: number | undefined;
}

export interface PaymentPage {
  /** Newest first (creation time, then insertion order). */
  readonly records: PaymentRecord[];
  /** How many records match, over every page. */
  readonly total: number;
}

/**
 * The shop's record of payments, for every gateway. Exactly-once comes from the store (a conditional update, a
 * unique constraint), never from process memory: two processes racing on the same invoice must see exactly one
 * `{ applied: true }`. Every adapter must pass the contract battery in `@kassa/core/testing`.
 */
export interface PaymentLedger {
  /** Records a new payment, allocating a fresh invoice id unless one is given; ids are never reused. */
  create(payment: NewPayment): Promise<PaymentRecord>;
  find(key: InvoiceKey): Promise<PaymentRecord | undefined>;
  /**
   * References need not be unique (a platform may start a new attempt, with a new invoice, for the same session):
   * this returns the most recently created record for the reference.
   */
  findByReference(reference: string): Promise<PaymentRecord | undefined>;
  /** Atomic compare-and-set on `state`. */
  transition(request: TransitionRequest): Promise<TransitionResult>;
  /** Records that the platform now reflects the record in `state` (see `PaymentRecord.settledState`). */
  markSettled(key: InvoiceKey, state: PaymentState): Promise<void>;
  /**
   * Flags a `paid` or `held` record as a surplus payment and records it settled in its state (the platform will
   * never reflect it): a compare-and-set on the flag, so of N racing callers exactly one sees `applied: true` and
   * gives the money back.
   */
  markSurplus(key: InvoiceKey): Promise<TransitionResult>;
  /** A page of records for an admin list, newest first, with the total. */
  list(options: ListPaymentsOptions): Promise<PaymentPage>;
  /** Payments in `states` last updated before `olderThan`, oldest first (for reconciliation). */
  listStale(options: ListStaleOptions): Promise<PaymentRecord[]>;
  /** Payments `paid` or `held` whose `settledState` differs from their state, oldest first. */
  listUnsettled(options: { limit: number; gateway?: GatewayId | undefined }): Promise<PaymentRecord[]>;
}

/** The largest page `PaymentLedger.list` returns. */
export const MAX_PAGE_SIZE = 500;

/** Robokassa InvIds (and every id the ledger allocates): integers from 1 to 2^31−1. */
export const MAX_ALLOCATED_INVOICE_ID = 2 ** 31 - 1;

/** Longest invoice id a ledger stores (Assist's OrderNumber limit). */
export const MAX_INVOICE_ID_LENGTH = 128;
