import type { Money } from '../money.js';

/**
 * The life of one Robokassa invoice as the shop records it. `pending` → `paid` is the transition a ResultURL
 * callback (or reconciliation) makes; `held` is a pre-authorised StepByStep payment waiting for Confirm/Cancel.
 */
export const PAYMENT_STATES = [
  'pending',
  'held',
  'paid',
  'cancelled',
  'failed',
  'partially_refunded',
  'refunded',
] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

/** Where a transition came from: kept with the transition for the audit trail. */
export type TransitionSource = 'result_url' | 'result_url2' | 'reconcile' | 'capture' | 'cancel' | 'refund' | 'admin';

export interface PaymentRecord {
  /** Robokassa's InvId: allocated by the shop, unique per merchant, 1..2^31−1. */
  readonly invId: number;
  /** The platform's own id for this payment (a Medusa payment session, a Shopify payment session, a WooCommerce order). */
  readonly reference: string;
  /** What the shop expects to be paid. A callback with any other amount or currency changes nothing. */
  readonly amount: Money;
  readonly isTest: boolean;
  readonly state: PaymentState;
  /** Cumulative amount refunded so far (zero until a refund succeeds). */
  readonly refunded: Money;
  /** Robokassa's operation key, learned from OpStateExt or ResultUrl2; the Refund API needs it. */
  readonly opKey?: string | undefined;
  /** The payment method Robokassa reported (e.g. `BankCard`), its label and fee, from the paying callback. */
  readonly paymentMethod?: string | undefined;
  readonly incCurrLabel?: string | undefined;
  readonly fee?: string | undefined;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewPayment {
  reference: string;
  amount: Money;
  isTest: boolean;
  /** Use this InvId instead of allocating one (tests, migrations). Must be unused. */
  invId?: number;
}

export interface TransitionRequest {
  invId: number;
  /** The transition happens only if the record is currently in one of these states. */
  from: readonly PaymentState[];
  to: PaymentState;
  source: TransitionSource;
  /** Facts learned with this transition, stored on the record. */
  patch?: Partial<Pick<PaymentRecord, 'opKey' | 'paymentMethod' | 'incCurrLabel' | 'fee' | 'refunded'>>;
}

export type TransitionResult =
  /** This call made the transition: it is the one and only caller that should run side effects. */
  | { applied: true; record: PaymentRecord }
  /** The record was not in a `from` state (someone else already moved it, or it never could): nothing changed. */
  | { applied: false; record: PaymentRecord }
  | { applied: false; record: undefined };

/**
 * The shop's record of Robokassa payments. Exactly-once comes from the store (a conditional update, a unique
 * constraint), never from process memory: two processes racing on the same InvId must see exactly one
 * `{ applied: true }`. Every adapter must pass the contract battery in `@kassa/core/testing`.
 */
export interface PaymentLedger {
  /** Records a new payment, allocating a fresh InvId unless one is given; InvIds are never reused. */
  create(payment: NewPayment): Promise<PaymentRecord>;
  findByInvId(invId: number): Promise<PaymentRecord | undefined>;
  /**
   * References need not be unique (a platform may start a new attempt, with a new InvId, for the same session):
   * this returns the most recently created record for the reference.
   */
  findByReference(reference: string): Promise<PaymentRecord | undefined>;
  /** Atomic compare-and-set on `state`. */
  transition(request: TransitionRequest): Promise<TransitionResult>;
  /** Payments in `states` last updated before `olderThan`, oldest first (for reconciliation). */
  listStale(options: { states: readonly PaymentState[]; olderThan: Date; limit: number }): Promise<PaymentRecord[]>;
}
