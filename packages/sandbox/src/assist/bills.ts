import { randomBytes } from 'node:crypto';
import type { SandboxContext } from '../context.js';
import type { FaultConfig } from '../faults.js';
import type { WaitFor } from '../payments.js';
import type { AssistMerchantConfig, AssistMethod } from './config.js';
import { type NotificationOutcome, sendNotification } from './notify.js';
import type { AssistOrderRequest } from './order-request.js';
import { AUTHORISED_STATES } from './order-request.js';
import type { AssistBill, AssistMean, AssistNotificationAttempt, AssistOperation, AssistOrderState } from './store.js';

/**
 * The life of an Assist bill (assist.md §4.3): `In Process` while the payment page is open, then Approved
 * (Delay=0), Delayed (Delay=1), Declined or Timeout; a hold goes on to Approved/PartialDelayed by charge or to
 * Canceled by cancel or expiry; a paid bill to PartialCanceled/Canceled by refunds.
 */

export type AssistAction = 'pay' | 'decline' | 'abandon';

export interface AssistCompleteInput {
  action: AssistAction;
  method?: AssistMethod | undefined;
  /** The card number typed on the page; default the approving test card 4111 1111 1111 1111. */
  card?: string | undefined;
  cardholder?: string | undefined;
  faults?: FaultConfig | undefined;
  waitFor?: WaitFor | undefined;
}

export interface AssistReturn {
  kind: 'ok' | 'no';
  url: string;
  /** The full URL with `billnumber` and `ordernumber` appended (§2.4). */
  location: string;
}

export interface AssistDelivery {
  outcome: NotificationOutcome | 'pending' | 'not-sent';
  attempts: AssistNotificationAttempt[];
}

export type AssistCompleteResult =
  | { ok: true; bill: AssistBill; redirect: AssistReturn | undefined; closedTab: boolean; delivery: AssistDelivery }
  | { ok: false; reason: 'not-found' | 'not-active' | 'method-unavailable' | 'invalid-card'; bill?: AssistBill }
  | { ok: false; reason: 'already-paid'; bill: AssistBill };

export const DEFAULT_CARD = '4111111111111111';

export function setBillState(ctx: SandboxContext, bill: AssistBill, state: AssistOrderState): void {
  bill.state = state;
  bill.stateChangedAt = ctx.now().toISOString();
  ctx.store.changed();
}

export function addOperation(
  ctx: SandboxContext,
  bill: AssistBill,
  fields: Omit<AssistOperation, 'number' | 'date'>,
): AssistOperation {
  const op: AssistOperation = { number: bill.operations.length + 1, date: ctx.now().toISOString(), ...fields };
  bill.operations.push(op);
  ctx.store.changed();
  return op;
}

/** Creates the bill behind an order.cfm request that passed validation. */
export function openBill(ctx: SandboxContext, request: AssistOrderRequest, ipAddress: string): AssistBill {
  const now = ctx.now().toISOString();
  const bill: AssistBill = {
    billNumber: ctx.store.assist.newBillNumber(),
    merchantId: request.merchant.merchantId,
    orderNumber: request.orderNumber,
    orderAmountSent: request.orderAmountSent,
    amount: request.amount,
    currency: request.currency,
    comment: request.comment,
    delay: request.delay,
    language: request.language,
    payer: request.payer,
    methods: request.methods,
    returnUrl: request.returnUrl,
    returnUrlOk: request.returnUrlOk,
    returnUrlNo: request.returnUrlNo,
    customerNumber: request.customerNumber,
    recurring: request.recurring,
    testMode: request.merchant.testMode,
    state: 'In Process',
    page: 'open',
    charged: 0,
    refunded: 0,
    operations: [],
    notifications: [],
    ipAddress,
    createdAt: now,
    stateChangedAt: now,
    warnings: request.warnings,
  };
  ctx.store.assist.addBill(bill);
  ctx.log(`Assist order ${bill.merchantId}/${bill.orderNumber}: bill ${bill.billNumber} opened`);
  return bill;
}

/** Merchant faults, then the order's, then the call's; later ones win key by key (as for Robokassa). */
export function assistFaults(
  ctx: SandboxContext,
  merchant: AssistMerchantConfig,
  orderNumber: string,
  extra?: FaultConfig,
): FaultConfig {
  const layers = [merchant.faults, ctx.store.assist.faultsFor(merchant.merchantId, orderNumber), extra].filter(
    (f): f is FaultConfig => f !== undefined,
  );
  const merged: FaultConfig = {};
  for (const layer of layers) {
    if (layer.callback) merged.callback = { ...merged.callback, ...layer.callback };
    if (layer.xml) merged.xml = layer.xml;
    if (layer.buyerClosesTab !== undefined) merged.buyerClosesTab = layer.buyerClosesTab;
  }
  return merged;
}

/** A hold not charged in time is cancelled (4 days by default, §4.3); checked whenever the bill is looked at. */
export function expireHold(ctx: SandboxContext, bill: AssistBill): void {
  if (bill.state !== 'Delayed') return;
  if (ctx.now().getTime() - Date.parse(bill.stateChangedAt) < ctx.settings.assistHoldTtlMs) return;
  addOperation(ctx, bill, {
    type: 300,
    amount: bill.amount,
    currency: bill.currency,
    responseCode: 'AS000',
    orderState: 'Canceled',
  });
  bill.warnings.push('the hold was not charged in time and was cancelled');
  setBillState(ctx, bill, 'Canceled');
}

const luhn = (digits: string) => {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
};

const ALNUM = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
const approvalCode = () => [...randomBytes(6)].map((b) => ALNUM[b % ALNUM.length]).join('');

function cardBrand(card: string): { name: string; id: string } {
  if (card.startsWith('4')) return { name: 'VISA', id: '1' };
  if (/^5[1-5]/.test(card) || /^2[2-7]/.test(card)) return { name: 'EC/MC', id: '2' };
  if (/^220[0-4]/.test(card)) return { name: 'MIR', id: '7' };
  return { name: 'Card', id: '1' };
}

/** What the notification says about the means of payment; wallets and SBP have no card fields. */
function meanFor(method: AssistMethod, card: string, cardholder: string | undefined): AssistMean {
  switch (method) {
    case 'card': {
      const brand = cardBrand(card);
      return {
        method,
        meanTypeName: brand.name,
        meanTypeId: brand.id,
        meanSubtype: '',
        meanNumber: `${card.slice(0, 6)}****${card.slice(-4)}`,
        cardholder: cardholder?.trim() || 'TEST',
        cardExpirationDate: '12/30',
        card,
      };
    }
    case 'sbp':
      return {
        method,
        meanTypeName: 'SBP',
        meanTypeId: '30',
        meanSubtype: 'FastPay',
        meanNumber: '',
        cardholder: '',
        cardExpirationDate: '',
      };
    case 'ym':
      return {
        method,
        meanTypeName: 'YooMoney',
        meanTypeId: '12',
        meanSubtype: '',
        meanNumber: '4100****0001',
        cardholder: '',
        cardExpirationDate: '',
      };
    case 'wm':
      return {
        method,
        meanTypeName: 'WebMoney',
        meanTypeId: '11',
        meanSubtype: '',
        meanNumber: 'R****0001',
        cardholder: '',
        cardExpirationDate: '',
      };
    case 'qiwi':
      return {
        method,
        meanTypeName: 'QIWI',
        meanTypeId: '13',
        meanSubtype: '',
        meanNumber: '7900****001',
        cardholder: '',
        cardExpirationDate: '',
      };
  }
}

/** Where the buyer goes: URL_RETURN_OK / URL_RETURN_NO, else URL_RETURN, else the personal account's (§2.4). */
export function returnFor(bill: AssistBill, merchant: AssistMerchantConfig): AssistReturn | undefined {
  if (!merchant.returnEnabled) return undefined;
  const ok = bill.state === 'Approved' || bill.state === 'Delayed';
  const url = ok
    ? (bill.returnUrlOk ?? bill.returnUrl ?? merchant.returnUrlOk ?? merchant.returnUrl)
    : (bill.returnUrlNo ?? bill.returnUrl ?? merchant.returnUrlNo ?? merchant.returnUrl);
  if (url === undefined) return undefined;
  const query = new URLSearchParams([
    ['billnumber', bill.billNumber],
    ['ordernumber', bill.orderNumber],
  ]).toString();
  return { kind: ok ? 'ok' : 'no', url, location: `${url}${url.includes('?') ? '&' : '?'}${query}` };
}

/**
 * What happens when the buyer presses Pay, Decline or Abandon on the Assist page (or the admin API does it): the
 * state, the operation `.1`, the notification, and the return redirect.
 */
export async function completeBill(
  ctx: SandboxContext,
  billNumber: string,
  input: AssistCompleteInput,
): Promise<AssistCompleteResult> {
  const bill = ctx.store.assist.bills.get(billNumber);
  const merchant = bill && ctx.store.assist.merchants.get(bill.merchantId);
  if (!bill || !merchant) return { ok: false, reason: 'not-found' };
  if (bill.page !== 'open') return { ok: false, reason: 'not-active', bill };
  const faults = assistFaults(ctx, merchant, bill.orderNumber, input.faults);

  if (input.action === 'pay') {
    const method = input.method ?? bill.methods[0];
    if (method === undefined || !bill.methods.includes(method))
      return { ok: false, reason: 'method-unavailable', bill };
    const card = (input.card ?? DEFAULT_CARD).replace(/[\s-]/g, '');
    if (method === 'card' && (!/^\d{12,19}$/.test(card) || !luhn(card)))
      return { ok: false, reason: 'invalid-card', bill };
    // Two tabs of one order: once one attempt has the money, another cannot take it again.
    const paidElsewhere = ctx.store.assist
      .billsOf(bill.merchantId, bill.orderNumber)
      .some((other) => other !== bill && AUTHORISED_STATES.has(other.state));
    if (paidElsewhere) {
      bill.page = 'done';
      return { ok: false, reason: 'already-paid', bill };
    }
    bill.page = 'done';
    bill.mean = meanFor(method, card, input.cardholder);
    const declineCode = method === 'card' ? merchant.declineCards[card] : undefined;
    if (declineCode !== undefined) {
      bill.responseCode = declineCode;
      addOperation(ctx, bill, {
        type: 100,
        amount: bill.amount,
        currency: bill.currency,
        responseCode: declineCode,
        orderState: 'Declined',
      });
      setBillState(ctx, bill, 'Declined');
    } else {
      bill.responseCode = 'AS000';
      bill.approvalCode = approvalCode();
      const state: AssistOrderState = bill.delay ? 'Delayed' : 'Approved';
      addOperation(ctx, bill, {
        type: 100,
        amount: bill.amount,
        currency: bill.currency,
        responseCode: 'AS000',
        orderState: state,
      });
      if (!bill.delay) bill.charged = bill.amount;
      setBillState(ctx, bill, state);
    }
  } else {
    bill.page = 'done';
    const state: AssistOrderState = input.action === 'decline' ? 'Declined' : 'Timeout';
    bill.responseCode = input.action === 'decline' ? 'AS100' : 'AS300';
    if (input.action === 'decline') bill.mean = meanFor('card', '4000000000000002', undefined);
    addOperation(ctx, bill, {
      type: 100,
      amount: bill.amount,
      currency: bill.currency,
      responseCode: bill.responseCode,
      orderState: state,
    });
    setBillState(ctx, bill, state);
  }
  ctx.log(`Assist order ${bill.merchantId}/${bill.orderNumber} bill ${bill.billNumber}: ${bill.state}`);

  const handle = sendNotification(ctx, bill, merchant, faults.callback);
  let known: NotificationOutcome | undefined;
  void handle.done.then((outcome) => {
    known = outcome;
  });
  const waitFor = input.waitFor ?? ctx.settings.redirectWaitsFor;
  if (waitFor === 'first-attempt') await handle.firstAttempt;
  else if (waitFor === 'delivery') known = await handle.done;
  const closedTab = faults.buyerClosesTab === true;
  return {
    ok: true,
    bill,
    redirect: closedTab ? undefined : returnFor(bill, merchant),
    closedTab,
    delivery: { outcome: known ?? 'pending', attempts: [...bill.notifications] },
  };
}
