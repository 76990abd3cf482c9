import { findMethod } from './catalog.js';
import type { SandboxContext } from './context.js';
import { type PaymentError, paymentError } from './error-codes.js';
import { percentOf } from './money.js';
import type { ParamBag } from './params.js';
import { validatePaymentRequest } from './payment-request.js';
import { effectiveFaults, openPayment, setState, settlePayment } from './payments.js';
import type { Culture, Operation } from './store.js';

export type RecurringResult = { ok: true; op: Operation } | { ok: false; error: PaymentError; culture: Culture };

/**
 * `POST /Merchant/Recurring` (§3.7): a child charge against a parent paid with `Recurring=true`, signed like a
 * payment (`MerchantLogin:OutSum:InvoiceID[:Receipt]:Password1[:Shp…]`; PreviousInvoiceID is not signed). The
 * answer `OK{InvoiceID}` means "accepted"; the outcome arrives through ResultURL, with the parent's method.
 */
export function recurringCharge(ctx: SandboxContext, bag: ParamBag): RecurringResult {
  const validated = validatePaymentRequest(bag, { store: ctx.store, now: ctx.now() });
  if (!validated.ok) return validated;
  const { request } = validated;
  const fail = (error: PaymentError): RecurringResult => ({ ok: false, error, culture: request.culture });
  const merchant = request.merchant;
  if (!merchant.allowRecurring) return fail(paymentError(34, 'recurring payments are not enabled for this shop'));
  if (request.invId === undefined)
    return fail(paymentError(35, 'InvoiceID of the child charge must be a new non-zero number'));
  if (request.hold) return fail(paymentError(35, 'a recurring charge cannot be a hold'));
  const previous = bag.nonEmpty('PreviousInvoiceID');
  if (previous === undefined || !/^\d{1,10}$/.test(previous)) {
    return fail(paymentError(35, 'PreviousInvoiceID (the parent invoice) is missing or not a number'));
  }
  const parent = ctx.store
    .byInvoiceId(merchant.login, Number(previous))
    .find((op) => op.recurring && (op.state === 100 || op.state === 50) && op.isTest === request.isTest);
  if (!parent) {
    return fail(
      paymentError(
        35,
        `no paid parent payment with Recurring=true and InvId ${previous}${request.isTest ? ' (test)' : ''}`,
      ),
    );
  }
  if (ctx.store.byInvoiceId(merchant.login, request.invId).some((op) => op.state !== null)) {
    return fail(paymentError(35, `InvoiceID ${request.invId} is already used`));
  }

  const op = openPayment(ctx, request);
  op.parentInvId = parent.invId;
  op.page = 'done';
  op.paidWith = parent.paidWith;
  op.buyerEmail = parent.buyerEmail;
  const method = parent.paidWith && findMethod(merchant.catalog, parent.paidWith.label)?.method;
  op.fee = percentOf(op.amount, method?.commissionPercent ?? merchant.commissionPercent);
  setState(ctx, op, 5);
  ctx.log(`recurring ${merchant.login} #${op.invId} charged against #${parent.invId}`);
  settlePayment(ctx, op, merchant, effectiveFaults(ctx, merchant, op.invId));
  return { ok: true, op };
}
