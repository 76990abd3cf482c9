/**
 * The admin extensions talk to the plugin's `/admin/robokassa/*`, `/admin/assist/*` and `/admin/kassa/*` routes and
 * Medusa's own `/admin/payments/*` with the dashboard's session cookie (same origin).
 */

/** A failed call: the HTTP status (0 when the server did not answer) and the API's stable code when it sent one. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  constructor(status: number, message: string, code?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** `"[PASSWORD3_MISSING] The Refund API needs…"` (the plugin's MedusaErrors) → `PASSWORD3_MISSING`. */
export function codeOf(message: string): string | undefined {
  return /^\[([A-Z][A-Z0-9_]*)\]/.exec(message)?.[1];
}

export async function adminFetch<T>(path: string, init: { method?: 'GET' | 'POST'; body?: unknown } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      credentials: 'include',
      headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch (error) {
    throw new ApiError(0, (error as Error).message);
  }
  const text = await response.text();
  let json: unknown = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = {};
  }
  if (!response.ok) {
    const body = json as { message?: unknown; code?: unknown };
    const message = typeof body.message === 'string' ? body.message : `HTTP ${response.status}`;
    const code = typeof body.code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(body.code) ? body.code : codeOf(message);
    throw new ApiError(response.status, message, code);
  }
  return json as T;
}

export type UrlView = { url: string; method: string };

export interface SettingsView {
  urls: Record<'result' | 'success' | 'fail', UrlView> & Partial<Record<'result2', UrlView>>;
  login: string;
  mode: 'test' | 'live';
  algorithm: string;
  country: string;
  hold: boolean;
  receipts: { sno: string | null; tax: string } | null;
  passwords: Record<string, boolean>;
  /** The gateway's payment page address actually used (a sandbox, Robokassa's test or live host). */
  gateway: string;
}

/**
 * `GET /admin/assist/settings`. Read tolerantly: the Assist routes are young, so every field but the URLs is
 * optional and the page shows what is there.
 */
export interface AssistSettingsView {
  urls: Partial<Record<'notification' | 'return_ok' | 'return_no', UrlView>> & Record<string, UrlView>;
  merchant_id?: string;
  login?: string;
  mode?: 'test' | 'live';
  gateway?: string;
  host?: string;
  hold?: boolean;
  checkvalue_mode?: string;
  /** Which secrets are set (yes/no, never their values): `secret_word`, `login`, `password`. */
  secrets?: Record<string, boolean>;
  /** With `backendUrl`, every payment sends its return URLs itself; the cabinet's are then a fallback. */
  returns_sent_with_payment?: boolean;
}

export interface CheckView {
  verdict: string;
  steps: Array<{ name: string; verdict: string; message: string; proves?: string; code?: string }>;
  unproven?: string[];
}

export interface RecordView {
  inv_id?: number;
  invoice_id?: string;
  order_number?: string;
  state: string;
  is_test: boolean;
  amount: string;
  currency: string;
  refunded: string;
  payment_method?: string | null;
  inc_curr_label?: string | null;
  meantype?: string | null;
  fee?: string | null;
  updated_at?: string;
}

export interface OrderPaymentsView {
  order_id: string;
  payments: Array<{
    payment_id: string;
    provider_id: string;
    captured: boolean;
    canceled: boolean;
    robokassa?: RecordView | null;
    assist?: RecordView | null;
  }>;
}

/** One invoice of `GET /admin/kassa/payments`. */
export interface LedgerPaymentView {
  gateway: string;
  invoice_id: string;
  reference?: string;
  state: string;
  is_test?: boolean;
  amount: string;
  currency: string;
  refunded?: string;
  settled_state?: string | null;
  order_id?: string | null;
  flags?: string[];
  created_at: string;
  updated_at?: string;
}

export interface NotificationHealthView {
  last_received_at?: string | null;
  failures_24h?: number;
}

/** Medusa instances on the shop's database (GET /admin/kassa/payments `instances`). */
export interface InstancesView {
  count: number;
  lockingShared: boolean;
  /** `MULTI_INSTANCE_LOCKING_IN_MEMORY`: more than one instance and in-memory locking. */
  warning?: string;
}

export interface LedgerPaymentsView {
  payments: LedgerPaymentView[];
  count?: number;
  health?: Record<string, NotificationHealthView>;
  instances?: InstancesView;
}
