import { type CurrencyCode, isCurrencyCode, KassaError, type Money, parseMoney } from '@kassa/core';
import type { BigNumberInput } from '@medusajs/framework/types';
import { MathBN } from '@medusajs/framework/utils';

/**
 * Medusa amounts are decimal major units as BigNumber (a refund's `amount` even arrives as a raw `{ value, precision }`
 * object), so they go through `MathBN`, never `Number()`: `Number({ value: "1534.5" })` is NaN and floats lose kopecks.
 */

export function currencyOf(currencyCode: string): CurrencyCode {
  const upper = currencyCode.trim().toUpperCase();
  if (!isCurrencyCode(upper)) {
    throw new KassaError('MONEY_UNKNOWN_CURRENCY', 'Robokassa takes RUB, KZT, USD or EUR', {
      details: { currency: currencyCode.slice(0, 8) },
    });
  }
  return upper;
}

/**
 * A Medusa amount as Kassa `Money`. Medusa keeps totals at up to 20 digits of precision; anything finer than kopecks
 * is refused rather than rounded, because the shop and Robokassa must agree on the exact sum.
 */
export function moneyFromMedusa(
  amount: BigNumberInput,
  currencyCode: string,
  options: { allowZero?: boolean } = {},
): Money {
  const currency = currencyOf(currencyCode);
  const bn = MathBN.convert(amount);
  if (!bn.isFinite()) {
    throw new KassaError('MONEY_INVALID_FORMAT', 'The amount is not a number', { details: { currency } });
  }
  const exact = bn.toFixed();
  const rounded = bn.toFixed(2);
  if (!MathBN.eq(exact, rounded)) {
    throw new KassaError('MONEY_TOO_PRECISE', `${currency} has 2 decimals; the amount has more`, {
      details: { value: exact, currency },
    });
  }
  return parseMoney(rounded, currency, options);
}
