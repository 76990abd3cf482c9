import { describe, expect, it } from 'vitest';
import { EMPTY_FILTERS, paymentsQuery } from '../src/admin/lib/payments-query';

describe('the Payments page filters as the query of GET /admin/kassa/payments', () => {
  it('sends only what is set, with the page', () => {
    expect(paymentsQuery(EMPTY_FILTERS, { limit: 50, offset: 0 })).toBe('/admin/kassa/payments?limit=50&offset=0');
    const url = new URL(
      paymentsQuery({ state: 'attention', gateway: 'assist', from: '', to: '' }, { limit: 50, offset: 100 }),
      'http://x',
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      state: 'attention',
      gateway: 'assist',
      limit: '50',
      offset: '100',
    });
  });

  it('turns calendar days into an inclusive range of local instants', () => {
    const url = new URL(
      paymentsQuery({ ...EMPTY_FILTERS, from: '2026-12-01', to: '2026-12-03' }, { limit: 50, offset: 0 }),
      'http://x',
    );
    expect(url.searchParams.get('created_from')).toBe(new Date(2026, 11, 1).toISOString());
    expect(url.searchParams.get('created_to')).toBe(new Date(2026, 11, 4).toISOString());
  });

  it('ignores a malformed day rather than sending it', () => {
    const url = new URL(paymentsQuery({ ...EMPTY_FILTERS, from: '01.12.2026' }, { limit: 10, offset: 0 }), 'http://x');
    expect(url.searchParams.has('created_from')).toBe(false);
  });
});
