import type { FaultConfig } from '../faults.js';
import type { AssistMerchantConfig, AssistMethod } from './config.js';

/** `orderstate` values (assist.md §4.1); PartialApproved is «not used» and never set. */
export type AssistOrderState =
  | 'In Process'
  | 'Approved'
  | 'Declined'
  | 'Delayed'
  | 'PartialDelayed'
  | 'Canceled'
  | 'PartialCanceled'
  | 'Timeout';

/** One operation of a bill: `.1` the payment (100), then charges (200) and cancels/refunds (300), §4.2. */
export interface AssistOperation {
  /** The `k` of the extended billnumber `NNNNNNNNNNNNNNNN.k`. */
  number: number;
  type: 100 | 200 | 300;
  /** In minor units. */
  amount: number;
  currency: string;
  responseCode: string;
  /** The order state right after this operation. */
  orderState: AssistOrderState;
  date: string;
  cancelReason?: number | undefined;
  externalRefundId?: string | undefined;
}

export interface AssistNotificationAttempt {
  id: string;
  merchantId: string;
  orderNumber: string;
  billNumber: string;
  /** 1…8; a duplicate copy (fault injection) has `copy` > 0 and attempt 1. */
  attempt: number;
  copy: number;
  url: string;
  orderState: AssistOrderState;
  packetDate: string;
  startedAt: string;
  finishedAt?: string | undefined;
  durationMs?: number | undefined;
  status?: number | undefined;
  bodyExcerpt?: string | undefined;
  error?: string | undefined;
  /** `refused`: a valid `pushpaymentresult` with firstcode≠0, which stops the retries (§2.3). */
  outcome:
    | 'pending'
    | 'ok'
    | 'refused'
    | 'bad-answer'
    | 'http-error'
    | 'network-error'
    | 'timeout'
    | 'dropped'
    | 'aborted';
}

export interface AssistPayer {
  firstname: string;
  lastname: string;
  middlename: string;
  email: string;
}

/** How the buyer paid, as the notification and orderresult describe it. */
export interface AssistMean {
  method: AssistMethod;
  meanTypeName: string;
  meanTypeId: string;
  meanSubtype: string;
  meanNumber: string;
  cardholder: string;
  cardExpirationDate: string;
  /** The full test card number: what a recurring charge is made with (never shown, never sent). */
  card?: string | undefined;
}

export interface AssistRecurring {
  minAmount: number;
  maxAmount: number;
  periodDays: number;
  maxDate: string;
}

/** One payment attempt («bill»): each order.cfm call creates one, so an order can have several (§4.3). */
export interface AssistBill {
  billNumber: string;
  merchantId: string;
  orderNumber: string;
  /** OrderAmount as sent (what was signed); `amount` is the same in minor units. */
  orderAmountSent: string;
  amount: number;
  currency: string;
  comment: string;
  delay: boolean;
  language: 'RU' | 'EN';
  payer: AssistPayer;
  methods: AssistMethod[];
  returnUrl?: string | undefined;
  returnUrlOk?: string | undefined;
  returnUrlNo?: string | undefined;
  customerNumber?: string | undefined;
  recurring?: AssistRecurring | undefined;
  /** The initial bill of a recurring charge made through rp.cfm. */
  parentBillNumber?: string | undefined;
  testMode: boolean;
  state: AssistOrderState;
  page: 'open' | 'done';
  mean?: AssistMean | undefined;
  responseCode?: string | undefined;
  approvalCode?: string | undefined;
  /** Charged so far (a hold's confirmed part, or the whole paid amount), minor units. */
  charged: number;
  refunded: number;
  operations: AssistOperation[];
  notifications: AssistNotificationAttempt[];
  ipAddress: string;
  createdAt: string;
  stateChangedAt: string;
  warnings: string[];
}

export interface AssistSnapshot {
  merchants: AssistMerchantConfig[];
  bills: AssistBill[];
  orderFaults: Array<{ merchantId: string; orderNumber: string; faults: FaultConfig }>;
  nextBill: number;
}

const orderKey = (merchantId: string, orderNumber: string) => `${merchantId}\n${orderNumber}`;

/** The Assist half of the sandbox's state; it lives inside SandboxStore so it is persisted and reset with it. */
export class AssistStore {
  readonly merchants = new Map<string, AssistMerchantConfig>();
  readonly bills = new Map<string, AssistBill>();
  readonly orderFaults = new Map<string, FaultConfig>();
  private readonly byOrder = new Map<string, AssistBill[]>();
  // 16-digit billnumbers like the real ones (`5775486650107611`, §2.1); far from anything a shop counts to.
  private nextBill = 5_775_000_000_000_001;

  constructor(private readonly changed: () => void) {}

  merchantByLogin(login: string): AssistMerchantConfig | undefined {
    for (const m of this.merchants.values()) if (m.login === login) return m;
    return undefined;
  }

  newBillNumber(): string {
    while (this.bills.has(String(this.nextBill))) this.nextBill++;
    return String(this.nextBill++);
  }

  addBill(bill: AssistBill): void {
    this.bills.set(bill.billNumber, bill);
    const key = orderKey(bill.merchantId, bill.orderNumber);
    const list = this.byOrder.get(key);
    if (list) list.push(bill);
    else this.byOrder.set(key, [bill]);
    this.changed();
  }

  /** Every bill of one order, oldest first. */
  billsOf(merchantId: string, orderNumber: string): AssistBill[] {
    return this.byOrder.get(orderKey(merchantId, orderNumber)) ?? [];
  }

  faultsFor(merchantId: string, orderNumber: string): FaultConfig | undefined {
    return this.orderFaults.get(orderKey(merchantId, orderNumber));
  }

  setOrderFaults(merchantId: string, orderNumber: string, faults: FaultConfig | undefined): void {
    if (faults) this.orderFaults.set(orderKey(merchantId, orderNumber), faults);
    else this.orderFaults.delete(orderKey(merchantId, orderNumber));
    this.changed();
  }

  clear(): void {
    this.bills.clear();
    this.byOrder.clear();
    this.orderFaults.clear();
  }

  snapshot(): AssistSnapshot {
    return {
      merchants: [...this.merchants.values()],
      bills: [...this.bills.values()],
      orderFaults: [...this.orderFaults].map(([key, faults]) => {
        const [merchantId = '', orderNumber = ''] = key.split('\n');
        return { merchantId, orderNumber, faults };
      }),
      nextBill: this.nextBill,
    };
  }

  restore(snapshot: AssistSnapshot): void {
    for (const m of snapshot.merchants) this.merchants.set(m.merchantId, m);
    for (const bill of snapshot.bills) {
      for (const attempt of bill.notifications) if (attempt.outcome === 'pending') attempt.outcome = 'aborted';
      this.addBill(bill);
    }
    for (const f of snapshot.orderFaults) this.orderFaults.set(orderKey(f.merchantId, f.orderNumber), f.faults);
    this.nextBill = Math.max(this.nextBill, snapshot.nextBill);
  }
}
