/**
 * The admin extensions talk to the plugin's `/admin/robokassa/*` routes and Medusa's own `/admin/payments/*` with
 * the dashboard's session cookie (same origin).
 */
export async function adminFetch<T>(path: string, init: { method?: 'GET' | 'POST'; body?: unknown } = {}): Promise<T> {
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    credentials: 'include',
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : {};
  if (!response.ok) {
    throw new Error(typeof json?.message === 'string' ? json.message : `HTTP ${response.status}`);
  }
  return json as T;
}

export interface SettingsView {
  urls: Record<'result' | 'success' | 'fail', { url: string; method: string }> &
    Partial<Record<'result2', { url: string; method: string }>>;
  login: string;
  mode: 'test' | 'live';
  algorithm: string;
  country: string;
  hold: boolean;
  receipts: { sno: string | null; tax: string } | null;
  passwords: Record<string, boolean>;
  gateway: string;
}

export interface CheckView {
  verdict: string;
  steps: Array<{ name: string; verdict: string; message: string; code?: string }>;
}

export interface RecordView {
  inv_id: number;
  state: string;
  is_test: boolean;
  amount: string;
  currency: string;
  refunded: string;
  payment_method: string | null;
  inc_curr_label: string | null;
  fee: string | null;
}

export interface OrderPaymentsView {
  order_id: string;
  payments: Array<{
    payment_id: string;
    provider_id: string;
    captured: boolean;
    canceled: boolean;
    robokassa: RecordView | null;
  }>;
}
