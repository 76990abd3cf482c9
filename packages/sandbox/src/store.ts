import { randomBytes, randomUUID } from 'node:crypto';
import { type AssistSnapshot, AssistStore } from './assist/store.js';
import type { FaultConfig, HttpMethod, MerchantConfig } from './config.js';

/** Robokassa's operation states (OpStateExt `State.Code`, §3.1). */
export type OperationState = 5 | 10 | 20 | 50 | 60 | 80 | 100;
export type Culture = 'ru' | 'en';
export type Currency = 'RUB' | 'USD' | 'EUR' | 'KZT';

export interface NotificationAttempt {
  id: string;
  kind: 'ResultURL' | 'ResultUrl2';
  opId: string;
  merchant: string;
  invId: number;
  /** 1…5 for the delivery itself; a duplicate copy (fault injection) has `copy` > 0 and attempt 1. */
  attempt: number;
  copy: number;
  method: HttpMethod;
  url: string;
  startedAt: string;
  finishedAt?: string | undefined;
  durationMs?: number | undefined;
  status?: number | undefined;
  bodyExcerpt?: string | undefined;
  error?: string | undefined;
  outcome: 'pending' | 'ok' | 'bad-answer' | 'http-error' | 'network-error' | 'timeout' | 'dropped' | 'aborted';
}

/** What Robokassa would e-mail the shop's admin after five failed ResultURL attempts (§2.1 "Retries"). */
export interface EmailRecord {
  id: string;
  merchant: string;
  to: string;
  subject: string;
  text: string;
  opId: string;
  invId: number;
  createdAt: string;
}

export interface PaidWith {
  label: string;
  alias: string;
  group: string;
  groupDescription: string;
}

/**
 * One payment, from the moment its page is opened. Robokassa creates the operation only when the buyer confirms
 * (§3.1 note: "not found" right after the redirect is normal), so `state` stays null while the page is open or
 * after the buyer left it, and OpStateExt answers code 3 until then.
 */
export interface Operation {
  id: string;
  opKey: string;
  merchant: string;
  /** The invoice number in use: as sent, or assigned by the sandbox when the shop sent none or 0. */
  invId: number;
  invIdSent: string;
  outSumSent: string;
  /** In minor units of `currency`. */
  amount: number;
  currency: Currency;
  description: string;
  isTest: boolean;
  culture: Culture;
  email?: string | undefined;
  incCurrLabel?: string | undefined;
  paymentMethods: string[];
  /** As received (after one level of decoding), i.e. what was signed. */
  receipt?: string | undefined;
  hold: boolean;
  /** The parent of a subscription (`Recurring=true`). */
  recurring: boolean;
  /** Set on a child charge made through /Merchant/Recurring. */
  parentInvId?: number | undefined;
  resultUrl2?: string | undefined;
  successUrl2?: string | undefined;
  successUrl2Method?: HttpMethod | undefined;
  failUrl2?: string | undefined;
  failUrl2Method?: HttpMethod | undefined;
  userIp?: string | undefined;
  token?: string | undefined;
  expiresAt?: string | undefined;
  shp: Array<[string, string]>;
  state: OperationState | null;
  page: 'open' | 'left' | 'done';
  createdAt: string;
  stateChangedAt: string;
  paidWith?: PaidWith | undefined;
  buyerEmail?: string | undefined;
  fee?: number | undefined;
  refunded: number;
  secondReceipts: number;
  notifications: NotificationAttempt[];
  /** Things Robokassa would accept silently but that are probably a mistake in the shop's code. */
  warnings: string[];
}

export interface RefundRecord {
  requestId: string;
  opId: string;
  opKey: string;
  merchant: string;
  invId: number;
  amount: number;
  createdAt: string;
}

export interface FiscalRecord {
  merchant: string;
  id: string;
  originId: string;
  opKey: string;
  createdAt: string;
  payload: unknown;
}

/** A text the SMS API would have sent (§3.10). */
export interface SmsRecord {
  merchant: string;
  phone: string;
  message: string;
  createdAt: string;
}

export interface SigningKeyRecord {
  privateKeyPem: string;
  certificatePem: string;
}

export interface StoreSnapshot {
  version: 1;
  merchants: MerchantConfig[];
  operations: Operation[];
  emails: EmailRecord[];
  refunds: RefundRecord[];
  fiscal: FiscalRecord[];
  sms: SmsRecord[];
  invoiceFaults: Array<{ merchant: string; invId: number; faults: FaultConfig }>;
  nextInvId: number;
  signingKey?: SigningKeyRecord | undefined;
  /** Absent in files written before the sandbox knew Assist. */
  assist?: AssistSnapshot | undefined;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `0005F891-8CCD-434B-8455-816AFFFDBF37-0VOisWikFF`: an upper-case GUID and ten letters/digits (§3.5 sample). */
export function newOpKey(): string {
  const tail = [...randomBytes(10)].map((b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
  return `${randomUUID().toUpperCase()}-${tail}`;
}

const invoiceKey = (merchant: string, invId: number) => `${merchant}\n${invId}`;

/** The sandbox's state, in memory; `changed` is called after every mutation so it can be persisted. */
export class SandboxStore {
  readonly merchants = new Map<string, MerchantConfig>();
  readonly operations = new Map<string, Operation>();
  readonly emails: EmailRecord[] = [];
  readonly refunds = new Map<string, RefundRecord>();
  readonly fiscal = new Map<string, FiscalRecord>();
  readonly sms: SmsRecord[] = [];
  readonly invoiceFaults = new Map<string, FaultConfig>();
  signingKey: SigningKeyRecord | undefined;
  changed: () => void = () => {};
  /** Assist merchants and bills (README "Assist"). */
  readonly assist = new AssistStore(() => this.changed());
  private readonly byInvoice = new Map<string, Operation[]>();
  private readonly byOpKey = new Map<string, Operation>();
  // Numbers Robokassa assigns when the shop sends no InvId: far above what a shop counts to, below 2^31.
  private nextInvId = 1_500_000_001;

  addOperation(op: Operation): void {
    this.operations.set(op.id, op);
    this.byOpKey.set(op.opKey, op);
    const key = invoiceKey(op.merchant, op.invId);
    const list = this.byInvoice.get(key);
    if (list) list.push(op);
    else this.byInvoice.set(key, [op]);
    this.changed();
  }

  /** Every operation (and open page) of a merchant with this invoice number, oldest first. */
  byInvoiceId(merchant: string, invId: number): Operation[] {
    return this.byInvoice.get(invoiceKey(merchant, invId)) ?? [];
  }

  findByOpKey(opKey: string): Operation | undefined {
    return this.byOpKey.get(opKey);
  }

  assignInvId(merchant: string): number {
    while (this.byInvoiceId(merchant, this.nextInvId).length > 0) this.nextInvId++;
    return this.nextInvId++;
  }

  faultsFor(merchant: string, invId: number): FaultConfig | undefined {
    return this.invoiceFaults.get(invoiceKey(merchant, invId));
  }

  setInvoiceFaults(merchant: string, invId: number, faults: FaultConfig | undefined): void {
    if (faults) this.invoiceFaults.set(invoiceKey(merchant, invId), faults);
    else this.invoiceFaults.delete(invoiceKey(merchant, invId));
    this.changed();
  }

  /** Forgets payments, notifications, e-mails, refunds and receipts; merchants and the signing key stay. */
  clearActivity(): void {
    this.operations.clear();
    this.byInvoice.clear();
    this.byOpKey.clear();
    this.emails.length = 0;
    this.refunds.clear();
    this.fiscal.clear();
    this.sms.length = 0;
    this.invoiceFaults.clear();
    this.assist.clear();
    this.changed();
  }

  snapshot(): StoreSnapshot {
    return {
      version: 1,
      merchants: [...this.merchants.values()],
      operations: [...this.operations.values()],
      emails: [...this.emails],
      refunds: [...this.refunds.values()],
      fiscal: [...this.fiscal.values()],
      sms: [...this.sms],
      invoiceFaults: [...this.invoiceFaults].map(([key, faults]) => {
        const [merchant = '', invId = '0'] = key.split('\n');
        return { merchant, invId: Number(invId), faults };
      }),
      nextInvId: this.nextInvId,
      signingKey: this.signingKey,
      assist: this.assist.snapshot(),
    };
  }

  restore(snapshot: StoreSnapshot): void {
    for (const m of snapshot.merchants) this.merchants.set(m.login, m);
    for (const op of snapshot.operations) {
      // A page that was open when the process stopped can still be paid: nothing about it was lost.
      for (const attempt of op.notifications) if (attempt.outcome === 'pending') attempt.outcome = 'aborted';
      this.addOperation(op);
    }
    this.emails.push(...snapshot.emails);
    for (const r of snapshot.refunds) this.refunds.set(r.requestId, r);
    for (const f of snapshot.fiscal) this.fiscal.set(`${f.merchant}\n${f.id}`, f);
    this.sms.push(...snapshot.sms);
    for (const f of snapshot.invoiceFaults) this.invoiceFaults.set(invoiceKey(f.merchant, f.invId), f.faults);
    this.nextInvId = Math.max(this.nextInvId, snapshot.nextInvId);
    this.signingKey = snapshot.signingKey;
    if (snapshot.assist) this.assist.restore(snapshot.assist);
  }
}
