/** The filters of the Payments page as the query of `GET /admin/kassa/payments`. */
export interface PaymentFilters {
  /** A ledger state, `attention` (paid twice, refused, paid without an order), or empty for all. */
  state: string;
  gateway: string;
  /** `YYYY-MM-DD` in the admin's time zone, inclusive; empty for no bound. */
  from: string;
  to: string;
}

export const EMPTY_FILTERS: PaymentFilters = { state: '', gateway: '', from: '', to: '' };

/** Local calendar days as instants: `from` at 00:00, `to` up to (not including) the next day's 00:00. */
export function paymentsQuery(filters: PaymentFilters, page: { limit: number; offset: number }): string {
  const params = new URLSearchParams();
  if (filters.state) params.set('state', filters.state);
  if (filters.gateway) params.set('gateway', filters.gateway);
  const from = dayStart(filters.from, 0);
  const to = dayStart(filters.to, 1);
  if (from) params.set('created_from', from);
  if (to) params.set('created_to', to);
  params.set('limit', String(page.limit));
  params.set('offset', String(page.offset));
  return `/admin/kassa/payments?${params.toString()}`;
}

function dayStart(day: string, plusDays: number): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + plusDays).toISOString();
}

/** Flags the list route marks an invoice with, in the order the page shows them. */
export const ATTENTION_FLAGS = ['paid_twice', 'refused', 'unsettled'] as const;
