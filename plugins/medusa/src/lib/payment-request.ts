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
import type { QueryLike } from './cart-query';
import { receiptForSession } from './cart-receipt';
import type { RobokassaPluginOptions } from './options';
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
  const choice = storefrontChoices(input.data ?? {});
  const { hold, description, resultUrl2Certificate, backendUrl } = settings.medusa;
  return {
    reference: input.reference,
    amount: input.amount,
    isTest: input.isTest,
    description,
    hold,
    receipt,
    method: choice.incCurrLabel,
    language: choice.culture,
    urls: {
      holdNotification: resultUrl2Certificate && backendUrl ? publicUrl(backendUrl, 'result2') : undefined,
    },
  };
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
