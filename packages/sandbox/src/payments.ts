import { randomUUID } from 'node:crypto';
import { availableGroups, type CatalogEntry } from './catalog.js';
import type { FaultConfig, MerchantConfig } from './config.js';
import type { SandboxContext } from './context.js';
import { type PaymentError, paymentError } from './error-codes.js';
import { formatAmount, percentOf } from './money.js';
import type { DeliveryOutcome } from './notifier.js';
import type { PaymentRequest } from './payment-request.js';
import { failRedirect, type Redirect, successRedirect } from './redirect.js';
import { type NotificationAttempt, newOpKey, type Operation, type OperationState } from './store.js';

export type PayAction = 'pay' | 'decline' | 'leave';
export type WaitFor = 'first-attempt' | 'delivery' | 'nothing';

export interface CompleteInput {
  action: PayAction;
  /** The `Label` of the chosen method; default: IncCurrLabel if available, else the first available one. */
  method?: string | undefined;
  /** The buyer's e-mail (sent as `EMail` in ResultURL); default: the request's `Email`. */
  email?: string | undefined;
  /** Faults for this payment only, on top of the merchant's and the invoice's. */
  faults?: FaultConfig | undefined;
  /** Overrides the sandbox's `redirectWaitsFor` for this payment. */
  waitFor?: WaitFor | undefined;
}

export interface DeliverySummary {
  outcome: DeliveryOutcome | 'pending' | 'not-sent';
  attempts: NotificationAttempt[];
}

export type CompleteResult =
  | { ok: true; op: Operation; redirect: Redirect | undefined; closedTab: boolean; delivery: DeliverySummary }
  | { ok: false; reason: 'not-found' | 'not-active' | 'method-unavailable'; op?: Operation | undefined }
  | { ok: false; reason: 'refused'; error: PaymentError; op: Operation };

export function setState(ctx: SandboxContext, op: Operation, state: OperationState): void {
  op.state = state;
  op.stateChangedAt = ctx.now().toISOString();
  ctx.store.changed();
}

/** Creates the operation behind a payment page that passed validation (InvId assigned when none was sent). */
export function openPayment(ctx: SandboxContext, request: PaymentRequest): Operation {
  const now = ctx.now().toISOString();
  const op: Operation = {
    id: randomUUID(),
    opKey: newOpKey(),
    merchant: request.merchant.login,
    invId: request.invId ?? ctx.store.assignInvId(request.merchant.login),
    invIdSent: request.invIdSent,
    outSumSent: request.outSumSent,
    amount: request.amount,
    currency: request.currency,
    description: request.description,
    isTest: request.isTest,
    culture: request.culture,
    email: request.email,
    incCurrLabel: request.incCurrLabel,
    paymentMethods: request.paymentMethods,
    receipt: request.receipt,
    hold: request.hold,
    recurring: request.recurring,
    resultUrl2: request.resultUrl2,
    successUrl2: request.successUrl2,
    successUrl2Method: request.successUrl2Method,
    failUrl2: request.failUrl2,
    failUrl2Method: request.failUrl2Method,
    userIp: request.userIp,
    token: request.token,
    expiresAt: request.expiresAt?.toISOString(),
    shp: request.shp,
    state: null,
    page: 'open',
    createdAt: now,
    stateChangedAt: now,
    refunded: 0,
    secondReceipts: 0,
    notifications: [],
    warnings: request.warnings,
  };
  ctx.store.addOperation(op);
  return op;
}

/** Merchant faults, then the invoice's, then the request's; later ones win key by key. */
export function effectiveFaults(
  ctx: SandboxContext,
  merchant: MerchantConfig,
  invId: number,
  extra?: FaultConfig,
): FaultConfig {
  const layers = [merchant.faults, ctx.store.faultsFor(merchant.login, invId), extra].filter(
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

function chooseMethod(op: Operation, merchant: MerchantConfig, label: string | undefined): CatalogEntry | undefined {
  const groups = availableGroups(merchant.catalog, op.amount, op.paymentMethods);
  const wanted = label ?? op.incCurrLabel;
  for (const group of groups) {
    for (const method of group.methods) if (wanted === undefined || method.label === wanted) return { group, method };
  }
  return undefined;
}

/** ResultUrl2 (§2.2): only when the payment named one, never in test mode; `HOLD` for a hold, else `OK`. */
export function sendResultUrl2(ctx: SandboxContext, op: Operation, state: 'OK' | 'HOLD'): void {
  const url = op.resultUrl2;
  if (url === undefined || op.isTest) return;
  void ctx.notifier.resultUrl2(op, url, () =>
    ctx.signer.sign({
      header: {
        type: 'PaymentStateNotification',
        version: '1.0.0',
        timestamp: String(Math.floor(ctx.now().getTime() / 1000)),
      },
      data: {
        shop: op.merchant,
        opKey: op.opKey,
        invId: String(op.invId),
        paymentMethod: op.paidWith?.group ?? '',
        incSum: formatAmount(op.amount),
        state,
      },
    }),
  );
}

/**
 * Money received: state 50 while ResultURL is being delivered, 100 once the delivery is over (delivered, given up
 * or dropped — Robokassa has credited the shop either way, which is what reconciliation through OpStateExt sees).
 */
export function settlePayment(
  ctx: SandboxContext,
  op: Operation,
  merchant: MerchantConfig,
  faults: FaultConfig,
): { firstAttempt: Promise<void>; done: Promise<DeliveryOutcome>; outcome: () => DeliveryOutcome | undefined } {
  setState(ctx, op, 50);
  let known: DeliveryOutcome | undefined;
  const handle = ctx.notifier.resultUrl(op, merchant, faults.callback, (outcome) => {
    known = outcome;
    if (op.state === 50) setState(ctx, op, 100);
  });
  sendResultUrl2(ctx, op, 'OK');
  return { firstAttempt: handle.firstAttempt, done: handle.done, outcome: () => known };
}

/**
 * What happens when the buyer presses Pay, Decline or Leave on the payment page (or the admin API does it for
 * them): the state transition, the notifications, and where the browser goes next.
 */
export async function completePayment(
  ctx: SandboxContext,
  opId: string,
  input: CompleteInput,
): Promise<CompleteResult> {
  const op = ctx.store.operations.get(opId);
  const merchant = op && ctx.store.merchants.get(op.merchant);
  if (!op || !merchant) return { ok: false, reason: 'not-found' };
  if (op.page !== 'open') return { ok: false, reason: 'not-active', op };
  const faults = effectiveFaults(ctx, merchant, op.invId, input.faults);
  const format = ctx.settings.redirectOutSum;
  const none: DeliverySummary = { outcome: 'not-sent', attempts: [] };

  if (op.expiresAt !== undefined && ctx.now().getTime() > Date.parse(op.expiresAt)) {
    op.page = 'done';
    setState(ctx, op, 10);
    return { ok: false, reason: 'refused', error: paymentError(33, `the invoice expired at ${op.expiresAt}`), op };
  }

  if (input.action === 'leave') {
    // No operation at Robokassa: the buyer never confirmed anything (OpStateExt keeps answering code 3).
    op.page = 'left';
    op.stateChangedAt = ctx.now().toISOString();
    ctx.store.changed();
    ctx.log(`payment ${op.merchant} #${op.invId}: the buyer left the page`);
    return { ok: true, op, redirect: failRedirect(op, merchant, format), closedTab: false, delivery: none };
  }
  if (input.action === 'decline') {
    op.page = 'done';
    setState(ctx, op, 10);
    ctx.log(`payment ${op.merchant} #${op.invId}: declined`);
    const redirect = faults.buyerClosesTab ? undefined : failRedirect(op, merchant, format);
    return { ok: true, op, redirect, closedTab: faults.buyerClosesTab === true, delivery: none };
  }

  const chosen = chooseMethod(op, merchant, input.method);
  if (!chosen) return { ok: false, reason: 'method-unavailable', op };
  if (!op.isTest) {
    // Two tabs of one invoice: the second to pay gets error 40, like a second buyer would.
    const paidElsewhere = ctx.store
      .byInvoiceId(op.merchant, op.invId)
      .some((other) => other !== op && !other.isTest && other.state !== null && other.state !== 10);
    if (paidElsewhere) {
      op.page = 'done';
      return { ok: false, reason: 'refused', error: paymentError(40, `InvId ${op.invId} is already paid`), op };
    }
  }
  op.page = 'done';
  op.paidWith = {
    label: chosen.method.label,
    alias: chosen.method.alias,
    group: chosen.group.code,
    groupDescription: chosen.group.description,
  };
  op.buyerEmail = input.email !== undefined && input.email !== '' ? input.email : op.email;
  op.fee = percentOf(op.amount, chosen.method.commissionPercent ?? merchant.commissionPercent);
  ctx.log(
    `payment ${op.merchant} #${op.invId} ${formatAmount(op.amount)} ${op.currency} ${op.hold ? 'held' : 'paid'} via ${chosen.method.label}${op.isTest ? ' (test)' : ''}`,
  );
  const redirect = faults.buyerClosesTab ? undefined : successRedirect(op, merchant, format);
  const closedTab = faults.buyerClosesTab === true;

  if (op.hold) {
    setState(ctx, op, 20);
    sendResultUrl2(ctx, op, 'HOLD');
    return { ok: true, op, redirect, closedTab, delivery: none };
  }

  const delivery = settlePayment(ctx, op, merchant, faults);
  const waitFor = input.waitFor ?? ctx.settings.redirectWaitsFor;
  if (waitFor === 'first-attempt') await delivery.firstAttempt;
  else if (waitFor === 'delivery') await delivery.done;
  const attempts = op.notifications.filter((n) => n.kind === 'ResultURL');
  return { ok: true, op, redirect, closedTab, delivery: { outcome: delivery.outcome() ?? 'pending', attempts } };
}
