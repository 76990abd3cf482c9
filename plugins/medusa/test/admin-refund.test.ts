import { describe, expect, it } from 'vitest';
import type { RecordView } from '../src/admin/lib/api';
import { recordChanged } from '../src/admin/lib/record';
import { parseRefundAmount, remainingAmount } from '../src/admin/lib/refund';

describe('the refund amount field', () => {
  it('accepts the Russian decimal comma, spaces and a rouble sign', () => {
    expect(parseRefundAmount('100,50', '1534.50')).toEqual({ ok: true, amount: '100.50', minor: 10050n });
    expect(parseRefundAmount('1 534,5', '1534.50')).toEqual({ ok: true, amount: '1534.50', minor: 153450n });
    expect(parseRefundAmount('1\u00a0000', '1534.50')).toEqual({ ok: true, amount: '1000.00', minor: 100000n });
    expect(parseRefundAmount(' 12.3 ₽', '1534.50')).toEqual({ ok: true, amount: '12.30', minor: 1230n });
    expect(parseRefundAmount(',5', '1534.50')).toEqual({ ok: true, amount: '0.50', minor: 50n });
  });

  it('refuses empty, zero, malformed and over-precise input', () => {
    expect(parseRefundAmount('  ', '10.00')).toEqual({ ok: false, error: 'refund.error.empty' });
    expect(parseRefundAmount('0,00', '10.00')).toEqual({ ok: false, error: 'refund.error.zero' });
    for (const bad of ['1,2,3', '1.234', '-5', 'abc', '1e3', '10,', '1.2.3']) {
      expect(parseRefundAmount(bad, '10000.00'), bad).toEqual({ ok: false, error: 'refund.error.format' });
    }
  });

  it('refuses more than is left, to the kopeck', () => {
    expect(parseRefundAmount('100,01', '100.00')).toEqual({
      ok: false,
      error: 'refund.error.too_much',
      vars: { remaining: '100.00' },
    });
    expect(parseRefundAmount('100', '100.00')).toMatchObject({ ok: true, amount: '100.00' });
    expect(parseRefundAmount('1', '0.00')).toMatchObject({ ok: false, error: 'refund.error.too_much' });
  });

  it('computes what is left from the gateway’s decimals', () => {
    expect(remainingAmount('1534.50', '100.00')).toBe('1434.50');
    expect(remainingAmount('1534.500000', '1534.500000')).toBe('0.00');
    expect(remainingAmount('10.00', '12.00')).toBe('0.00');
    expect(remainingAmount('0.10', '0.03')).toBe('0.07');
  });
});

describe('"Refreshed" only when something changed', () => {
  const base: RecordView = {
    inv_id: 7,
    state: 'pending',
    is_test: true,
    amount: '10.00',
    currency: 'RUB',
    refunded: '0.00',
    payment_method: null,
    inc_curr_label: null,
    fee: null,
    updated_at: '2026-12-04T00:00:00.000Z',
  };
  it('ignores a new updated_at alone and sees a new state, refund, fee or method', () => {
    expect(recordChanged(base, { ...base, updated_at: '2026-12-04T01:00:00.000Z' })).toBe(false);
    expect(recordChanged(base, { ...base, state: 'paid' })).toBe(true);
    expect(recordChanged(base, { ...base, refunded: '1.00' })).toBe(true);
    expect(recordChanged(base, { ...base, fee: '0.390000' })).toBe(true);
    expect(recordChanged(base, { ...base, inc_curr_label: 'SBPPSR' })).toBe(true);
  });
});
