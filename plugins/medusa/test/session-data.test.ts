import { describe, expect, test } from 'vitest';
import { parseSessionData, storefrontChoices } from '../src/lib/session-data';

describe('session data', () => {
  test('the storefront may only choose a method label and a page language; anything else is dropped', () => {
    expect(
      storefrontChoices({ inc_curr_label: 'BankCardPSR', culture: 'en', amount: '1.00', receipt: { items: [] } }),
    ).toEqual({ method: 'BankCardPSR', language: 'en' });
    expect(storefrontChoices({ inc_curr_label: 'x"><script>', culture: 'de' })).toEqual({});
  });

  test('a payment without a Robokassa InvId is refused with a clear message', () => {
    expect(() => parseSessionData({ session_id: 'payses_1' })).toThrow(/no Robokassa invoice/);
    expect(parseSessionData({ session_id: 'payses_1', inv_id: 7 }).inv_id).toBe(7);
    expect(parseSessionData(undefined, { optional: true })).toBeUndefined();
  });
});
