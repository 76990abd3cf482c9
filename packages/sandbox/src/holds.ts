import type { SandboxContext } from './context.js';
import { hashHex, hexEquals } from './hash.js';
import { parseAmount } from './money.js';
import type { ParamBag } from './params.js';
import { effectiveFaults, setState, settlePayment } from './payments.js';
import { checkReceipt } from './receipt.js';
import { holdSignatureBase } from './signature.js';
import type { Operation } from './store.js';

/** A hold not confirmed in time is cancelled by Robokassa (7 days, §3.6); the sandbox does it when asked. */
export function expireHold(ctx: SandboxContext, op: Operation): void {
  if (op.state !== 20) return;
  if (ctx.now().getTime() - Date.parse(op.stateChangedAt) < ctx.settings.holdTtlMs) return;
  op.warnings.push('the hold was not confirmed in time and was cancelled');
  setState(ctx, op, 60);
}

export type HoldAction = 'confirm' | 'cancel';
export type HoldResult = { ok: true; op: Operation } | { ok: false; reason: string };

/**
 * `POST /Merchant/Payment/Confirm` and `/Cancel` (§3.6). Confirm is signed
 * `MerchantLogin:OutSum:InvoiceID[:Receipt]:Password1`, Cancel `MerchantLogin::InvoiceID:Password1` (the OutSum
 * slot is empty even though OutSum is sent). Each works once, on a payment in state 20; Confirm then sends the
 * normal ResultURL, Cancel ends in state 60.
 */
export function resolveHold(ctx: SandboxContext, action: HoldAction, bag: ParamBag): HoldResult {
  const login = bag.get('MerchantLogin') ?? '';
  const merchant = ctx.store.merchants.get(login);
  if (!merchant) return { ok: false, reason: 'unknown MerchantLogin' };
  const invoiceId = bag.get('InvoiceID', 'InvId') ?? '';
  const outSum = bag.get('OutSum') ?? '';
  const receipt = bag.nonEmpty('Receipt');
  // The signature is checked before anything is looked up, with either password: a hold may be a test payment.
  const signedWith = (password: string | undefined) =>
    password !== undefined &&
    hexEquals(
      hashHex(
        merchant.algorithm,
        holdSignatureBase(
          login,
          action === 'cancel' ? '' : outSum,
          invoiceId,
          action === 'confirm' ? receipt : undefined,
          password,
        ),
      ),
      bag.get('SignatureValue') ?? '',
    );
  const production = signedWith(merchant.password1);
  const test = signedWith(merchant.testPassword1);
  if (!production && !test) return { ok: false, reason: 'SignatureValue does not match' };

  if (!/^\d{1,10}$/.test(invoiceId)) return { ok: false, reason: 'InvoiceID is not a number' };
  const ops = ctx.store.byInvoiceId(login, Number(invoiceId));
  for (const candidate of ops) expireHold(ctx, candidate);
  const op = ops.find((o) => o.hold && o.state === 20 && (o.isTest ? test : production));
  if (!op)
    return { ok: false, reason: `no payment on hold with InvoiceID ${invoiceId} (already confirmed or cancelled?)` };

  if (action === 'cancel') {
    setState(ctx, op, 60);
    ctx.log(`hold ${login} #${op.invId} cancelled`);
    return { ok: true, op };
  }
  const amount = parseAmount(outSum);
  if (amount === undefined || amount <= 0 || amount > op.amount) {
    return { ok: false, reason: `OutSum "${outSum}" must be positive and at most the held amount` };
  }
  if (receipt !== undefined) {
    const check = checkReceipt(receipt, merchant.country, amount);
    if (!check.ok && merchant.receiptCheck === 'strict') return { ok: false, reason: check.problem };
  }
  op.amount = amount;
  op.receipt = receipt ?? op.receipt;
  ctx.log(`hold ${login} #${op.invId} confirmed`);
  settlePayment(ctx, op, merchant, effectiveFaults(ctx, merchant, op.invId));
  return { ok: true, op };
}

/** The reply body is the JSON string `"success: true"` — odd, but what the official SDK parses (§3.6). */
export function holdResponse(result: HoldResult): Response {
  return new Response(JSON.stringify(result.ok ? 'success: true' : 'success: false'), {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      ...(result.ok ? {} : { 'x-kassa-sandbox-reason': result.reason.replace(/[^\x20-\x7e]/g, '?') }),
    },
  });
}
