import { parseMoney } from '@kassa/core';
import { describe, expect, test } from 'vitest';
import type { QueryLike } from '../src/lib/cart-query';
import { parsePluginOptions } from '../src/lib/options';
import { paymentRequest } from '../src/lib/payment-request';

const settings = parsePluginOptions({ login: 'shop', password1: 'p1', password2: 'p2', algorithm: 'sha256' });

/** Medusa's Query as the provider sees it: the session → its cart (with the e-mail the buyer typed at checkout). */
function query(email: string | null): QueryLike {
  return {
    async graph({ entity }) {
      if (entity === 'payment_session') {
        return { data: [{ id: 'payses_1', payment_collection: { id: 'paycol_1', cart: { id: 'cart_1' } } }] };
      }
      return {
        data: [
          {
            id: 'cart_1',
            email,
            currency_code: 'rub',
            items: [{ title: 'Самовар', quantity: 1, total: 1234.5 }],
            shipping_methods: [{ name: 'Курьер', total: 300 }],
          },
        ],
      };
    },
  };
}

const input = (data?: Record<string, unknown>) => ({
  reference: 'payses_1',
  amount: parseMoney('1534.50'),
  isTest: false,
  data,
});

describe('the buyer’s e-mail reaches the gateway (Robokassa `Email`), read from the cart on the server', () => {
  test('the cart’s e-mail is in the payment request, so the payment page does not ask again', async () => {
    const request = await paymentRequest(settings, () => query(' buyer@example.com '), input());
    expect(request.email).toBe('buyer@example.com');
  });

  test('what the storefront puts in the session data does not decide it', async () => {
    const request = await paymentRequest(settings, () => query('buyer@example.com'), input({ email: 'x@evil.test' }));
    expect(request.email).toBe('buyer@example.com');
  });

  test('no e-mail, a malformed one, or no Query: none is sent and the payment still goes on', async () => {
    expect((await paymentRequest(settings, () => query(null), input())).email).toBeUndefined();
    expect((await paymentRequest(settings, () => query('not an address'), input())).email).toBeUndefined();
    expect((await paymentRequest(settings, () => undefined, input())).email).toBeUndefined();
  });
});
