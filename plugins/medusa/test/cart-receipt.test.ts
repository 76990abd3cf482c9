import { isKassaError, parseMoney } from '@kassa/core';
import { describe, expect, test } from 'vitest';
import { receiptFromCart } from '../src/lib/cart-receipt';
import { moneyFromMedusa } from '../src/lib/money';

const settings = {
  sno: 'usn_income' as const,
  tax: 'vat20',
  shippingTax: 'none',
  paymentMethod: 'full_payment' as const,
  paymentObject: 'commodity' as const,
  shippingPaymentObject: 'service' as const,
};

const cart = {
  id: 'cart_1',
  currency_code: 'rub',
  items: [
    { title: 'Самовар (3 л)', quantity: 2, total: { value: '2469', precision: 20 } },
    { title: 'Чай', quantity: 1, total: '99.9' },
  ],
  shipping: [
    { title: 'Курьер', quantity: 1, total: 300 },
    { title: 'Бесплатная упаковка', quantity: 1, total: 0 },
  ],
};

describe('receipt from the cart Medusa stores', () => {
  test('lines carry Medusa’s line totals, the configured taxes and objects, and add up to OutSum', () => {
    const receipt = receiptFromCart(cart, settings, parseMoney('2868.90'), 'RU');
    expect(receipt.sno).toBe('usn_income');
    expect(receipt.items.map((i) => [i.name, i.quantity, i.sum.minor, i.tax, i.payment_object])).toEqual([
      ['Самовар (3 л)', '2', 246900n, 'vat20', 'commodity'],
      ['Чай', '1', 9990n, 'vat20', 'commodity'],
      ['Курьер', '1', 30000n, 'none', 'service'],
    ]);
  });

  test('a kopeck of rounding between the cart total and its lines goes on the last product line', () => {
    const receipt = receiptFromCart(cart, settings, parseMoney('2868.91'), 'RU');
    expect(receipt.items[1]?.sum.minor).toBe(9991n);
  });

  test('a real difference (gift card, store credit) is refused rather than printed wrong', () => {
    try {
      receiptFromCart(cart, settings, parseMoney('2000.00'), 'RU');
      throw new Error('expected RECEIPT_TOTAL_MISMATCH');
    } catch (error) {
      expect(isKassaError(error, 'RECEIPT_TOTAL_MISMATCH')).toBe(true);
    }
  });

  test('an empty cart has nothing to print', () => {
    expect(() => receiptFromCart({ ...cart, items: [] }, settings, parseMoney('300.00'), 'RU')).toThrow(/no items/);
  });
});

describe('Medusa amounts', () => {
  test('BigNumber raw objects, numbers and strings become exact Money; floats are never involved', () => {
    expect(moneyFromMedusa({ value: '1534.5', precision: 20 }, 'rub')).toEqual({ currency: 'RUB', minor: 153450n });
    expect(moneyFromMedusa('0.1', 'RUB', { allowZero: true }).minor).toBe(10n);
    expect(moneyFromMedusa(2769, 'rub').minor).toBe(276900n);
  });

  test('sub-kopeck amounts and unknown currencies are refused', () => {
    expect(() => moneyFromMedusa('10.005', 'rub')).toThrow(/2 decimals/);
    expect(() => moneyFromMedusa('10', 'jpy')).toThrow(/RUB, KZT, USD or EUR/);
  });
});
