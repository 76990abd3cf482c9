import { KassaError, type Money, moneyEquals, subtractMoney } from '@kassa/core';
import { type Country, createReceipt, type Receipt, type ReceiptItemInput, receiptTotal } from '@kassa/core/robokassa';
import type { BigNumberInput } from '@medusajs/framework/types';
import { MathBN } from '@medusajs/framework/utils';
import { type QueryLike, readCartForSession } from './cart-query';
import { moneyFromMedusa } from './money';
import type { ReceiptSettings, RobokassaPluginOptions } from './options';

/**
 * The 54-FZ receipt is built on the server from the cart Medusa stores, never from what a storefront sends: the
 * provider looks the cart up through Query from the payment session it is initiating (see `readCartForSession`).
 */

export interface CartLine {
  title: string;
  quantity: BigNumberInput;
  /** Line total after discounts, taxes included: what the buyer pays for this line. */
  total: BigNumberInput;
}

export interface CartForReceipt {
  id: string;
  email?: string | null | undefined;
  currency_code: string;
  items: CartLine[];
  shipping: CartLine[];
}

const MAX_NAME = 128;

function name(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim() || 'Товар';
  return clean.length > MAX_NAME ? `${clean.slice(0, MAX_NAME - 1)}…` : clean;
}

/**
 * Receipt lines for a cart whose total is `outSum`. A cart total Medusa computed from lines rounded separately can
 * differ from the sum of its lines by a kopeck per line; that difference is put on the last product line so the
 * receipt adds up to OutSum exactly (Robokassa refuses otherwise). Anything larger is a real mismatch (gift cards,
 * store credit) and is refused with RECEIPT_TOTAL_MISMATCH rather than printed wrong.
 */
export function receiptFromCart(
  cart: CartForReceipt,
  settings: ReceiptSettings,
  outSum: Money,
  country: Country,
): Receipt {
  const currency = outSum.currency;
  const line = (l: CartLine, shipping: boolean): ReceiptItemInput & { money: Money } => {
    const money = moneyFromMedusa(l.total, cart.currency_code, { allowZero: true });
    return {
      name: name(l.title),
      quantity: moneyQuantity(l.quantity),
      sum: money,
      money,
      tax: shipping ? (settings.shippingTax ?? settings.tax) : settings.tax,
      payment_method: settings.paymentMethod,
      payment_object: shipping ? settings.shippingPaymentObject : settings.paymentObject,
    };
  };
  const products = cart.items.map((l) => line(l, false));
  const shipping = cart.shipping.map((l) => line(l, true)).filter((l) => l.money.minor > 0n);
  if (products.length === 0) {
    throw new KassaError('RECEIPT_INVALID', 'The cart has no items to put on the receipt', {
      details: { cart: cart.id },
    });
  }
  const sum = [...products, ...shipping].reduce((acc, l) => acc + l.money.minor, 0n);
  const diff = outSum.minor - sum;
  const tolerance = BigInt(products.length + shipping.length);
  if (diff !== 0n) {
    const last = products[products.length - 1]!;
    if (diff > tolerance || -diff > tolerance || last.money.minor + diff <= 0n) {
      throw new KassaError('RECEIPT_TOTAL_MISMATCH', 'The cart lines do not add up to the amount being paid', {
        details: { cart: cart.id, lines: String(sum), outSum: String(outSum.minor), currency },
      });
    }
    last.money = { currency, minor: last.money.minor + diff };
    last.sum = last.money;
  }
  const items = [...products, ...shipping].map(({ money: _money, ...item }) => item);
  const receipt = createReceipt({ sno: settings.sno, items }, { country, currency });
  const total = receiptTotal(receipt);
  if (!moneyEquals(total, outSum)) {
    throw new KassaError('RECEIPT_TOTAL_MISMATCH', 'The receipt does not add up to the amount being paid', {
      details: { cart: cart.id, difference: String(subtractMoney(outSum, total).minor) },
    });
  }
  return receipt;
}

/** Medusa quantities are BigNumber-typed; the receipt wants their decimal text. */
function moneyQuantity(quantity: BigNumberInput): string {
  return MathBN.convert(quantity).toFixed();
}

/**
 * The receipt for a payment session, built from its cart (undefined when the shop does not fiscalise). `query` is
 * Medusa's Query, which the payment module must declare as a dependency (`dependencies: ["query"]`).
 */
export async function receiptForSession(
  query: () => QueryLike | undefined,
  settings: RobokassaPluginOptions,
  sessionId: string,
  outSum: Money,
): Promise<Receipt | undefined> {
  const receipt = settings.medusa.receipt;
  if (!receipt) return undefined;
  let graph: QueryLike | undefined;
  try {
    graph = query();
  } catch {
    graph = undefined;
  }
  if (!graph) {
    throw new KassaError(
      'CONFIG_INVALID',
      'Receipts need Query: add dependencies: ["query"] to the payment module in medusa-config (see @kassa/medusa README)',
    );
  }
  const cart = await readCartForSession(graph, sessionId);
  if (!cart) {
    throw new KassaError('RECEIPT_INVALID', 'This payment session pays no cart, so there is nothing to print', {
      details: { session: sessionId },
    });
  }
  return receiptFromCart(cart, receipt, outSum, settings.robokassa.country);
}
