import {
  addMoney,
  compareMoney,
  type FiscalReceipt,
  type IssueInput,
  type Money,
  type PaymentRecord,
  type PaymentState,
} from '@kassa/core';
import type { Receipt } from '@kassa/core/robokassa';
import type { PaymentSessionStatus } from '@medusajs/framework/utils';
import { type QueryLike, readCartForSession } from './cart-query';
import { receiptForSession } from './cart-receipt';
import type { RobokassaPluginOptions } from './options';
import { baseRequest } from './provider-session';
import { type ParsedSessionData, storefrontChoices } from './session-data';
import { publicUrl } from './urls';

/** What the provider asks the gateway to sign, with the receipt it built (kept in the session data for refunds). */
export type PaymentRequest = IssueInput & { receipt?: Receipt | undefined };

/**
 * The payment for a Medusa payment session: the receipt built on the server from the session's cart, the method and
 * language the storefront chose (nothing else it sends is trusted), hold, and the ResultUrl2 when the certificate is
 * configured (the gateway leaves it out for test invoices).
 */
export async function paymentRequest(
  settings: RobokassaPluginOptions,
  query: () => QueryLike | undefined,
  input: { reference: string; amount: Money; isTest: boolean; data: Record<string, unknown> | undefined },
): Promise<PaymentRequest> {
  const receipt = await receiptForSession(query, settings, input.reference, input.amount);
  const email = await buyerEmail(query, input.reference);
  const { resultUrl2Certificate, backendUrl } = settings.medusa;
  return {
    ...baseRequest(input, settings.medusa, storefrontChoices),
    receipt,
    email,
    urls: {
      holdNotification: resultUrl2Certificate && backendUrl ? publicUrl(backendUrl, 'result2') : undefined,
    },
  };
}

/** Loose on purpose: only a plainly well-formed address is passed on (the gateway checks it strictly). */
const EMAIL = /^[^\s@"<>]+@[^\s@"<>]+\.[^\s@"<>]+$/;

/**
 * The e-mail the buyer gave the shop (the cart's), so the gateway's page does not ask for it again and its receipt
 * goes there. Read on the server from the session's cart, like the receipt; none without Query or a cart.
 */
async function buyerEmail(query: () => QueryLike | undefined, sessionId: string): Promise<string | undefined> {
  let graph: QueryLike | undefined;
  try {
    graph = query();
  } catch {
    return undefined;
  }
  if (!graph) return undefined;
  // A convenience, not a condition: a cart that cannot be read here costs the buyer one field, not the payment.
  const cart = await readCartForSession(graph, sessionId).catch(() => undefined);
  const email = cart?.email?.trim();
  return email && email.length <= 254 && EMAIL.test(email) ? email : undefined;
}

/**
 * The refund's receipt lines (54-FZ needs them): a full refund repeats the payment's receipt; a partial one is a
 * single «Возврат» line for the amount. None when the shop does not fiscalise.
 */
export function refundReceipt(
  settings: RobokassaPluginOptions,
  record: PaymentRecord,
  amount: Money,
  session: ParsedSessionData,
): FiscalReceipt | undefined {
  const full = record.refunded.minor === 0n && compareMoney(addMoney(record.refunded, amount), record.amount) === 0;
  if (full && session.receipt && session.receipt.items.length > 0) return session.receipt;
  const s = settings.medusa.receipt;
  if (!s) return undefined;
  const line = { name: 'Возврат', quantity: '1', sum: amount, tax: s.tax };
  return { items: [{ ...line, payment_method: s.paymentMethod, payment_object: s.paymentObject }] };
}

/** A ledger state in Medusa's words. */
export const SESSION_STATUS: Record<PaymentState, `${PaymentSessionStatus}`> = {
  pending: 'pending',
  held: 'authorized',
  paid: 'captured',
  refund_requested: 'captured',
  partially_refunded: 'captured',
  refunded: 'captured',
  cancelled: 'canceled',
  failed: 'error',
};
