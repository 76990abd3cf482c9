/**
 * The shop, over WooCommerce's REST API (`wc/v3`) with `@woocommerce/woocommerce-rest-api`: Basic auth over HTTPS,
 * OAuth 1.0a over HTTP (signed against WordPress's own home URL: give the bridge the URL WordPress calls itself).
 * Traps avoided (protocol/woocommerce.md §1.7): the CJS default export under ESM, and no `axiosConfig.headers` (it
 * would replace the library's and break OAuth). Every call has a timeout; reads are retried on 5xx and network errors.
 */

import { KassaError } from '@kassa/core';
import WooCommerceRestApiModule from '@woocommerce/woocommerce-rest-api';

type ApiClass = typeof import('@woocommerce/woocommerce-rest-api').default;
const WooCommerceRestApi: ApiClass =
  (WooCommerceRestApiModule as unknown as { default?: ApiClass }).default ??
  (WooCommerceRestApiModule as unknown as ApiClass);

export interface WooOrderLine {
  readonly id: number;
  readonly name: string;
  readonly quantity: number;
  readonly total: string;
  readonly total_tax?: string;
}

export interface WooOrder {
  readonly id: number;
  readonly status: string;
  readonly currency: string;
  readonly total: string;
  readonly order_key: string;
  readonly payment_method: string;
  readonly transaction_id: string;
  readonly date_paid: string | null;
  readonly needs_payment?: boolean;
  readonly billing?: { readonly email?: string };
  readonly line_items: readonly WooOrderLine[];
  readonly shipping_lines: readonly { readonly method_title: string; readonly total: string }[];
  readonly fee_lines?: readonly { readonly name: string; readonly total: string }[];
  readonly meta_data: readonly { readonly key: string; readonly value: unknown }[];
}

export interface WooNote {
  readonly id: number;
  readonly note: string;
}

export interface ShopConfig {
  /** WordPress's home URL, exactly as WordPress writes it (OAuth is signed against it). */
  url: string;
  consumerKey: string;
  consumerSecret: string;
  timeoutMs?: number | undefined;
}

/** What the bridge needs from WooCommerce. */
export interface Shop {
  getOrder(id: number): Promise<WooOrder | undefined>;
  updateOrder(id: number, data: Record<string, unknown>): Promise<WooOrder>;
  listNotes(id: number): Promise<WooNote[]>;
  addNote(id: number, note: string): Promise<void>;
  createRefund(id: number, data: { amount: string; reason: string }): Promise<void>;
}

function failure(error: unknown, what: string): KassaError {
  const response = (error as { response?: { status?: number; data?: unknown } }).response;
  if (response?.status !== undefined) {
    const code = (response.data as { code?: unknown } | undefined)?.code;
    return new KassaError('GATEWAY_HTTP_ERROR', `WooCommerce answered ${response.status} to ${what}`, {
      details: { status: response.status, code: typeof code === 'string' ? code.slice(0, 80) : undefined },
    });
  }
  const timeout = (error as { code?: string }).code === 'ECONNABORTED';
  return new KassaError(timeout ? 'GATEWAY_TIMEOUT' : 'GATEWAY_UNREACHABLE', `WooCommerce did not answer ${what}`, {
    details: { what },
  });
}

function retriable(error: unknown): boolean {
  const status = (error as { response?: { status?: number } }).response?.status;
  return status === undefined || status >= 500;
}

function isOrder(value: unknown): value is WooOrder {
  const o = value as WooOrder;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.id === 'number' &&
    typeof o.total === 'string' &&
    typeof o.currency === 'string' &&
    typeof o.order_key === 'string' &&
    Array.isArray(o.line_items)
  );
}

export function createWooShop(config: ShopConfig): Shop {
  const api = new WooCommerceRestApi({
    url: config.url,
    consumerKey: config.consumerKey,
    consumerSecret: config.consumerSecret,
    version: 'wc/v3',
    timeout: config.timeoutMs ?? 10_000,
  });
  const read = async <T>(what: string, call: () => Promise<{ data: T }>): Promise<T> => {
    let last: unknown;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        return (await call()).data;
      } catch (error) {
        last = error;
        if (!retriable(error)) break;
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      }
    }
    throw failure(last, what);
  };
  const write = async <T>(what: string, call: () => Promise<{ data: T }>): Promise<T> => {
    try {
      return (await call()).data;
    } catch (error) {
      throw failure(error, what);
    }
  };
  return {
    async getOrder(id) {
      try {
        const data = await read('GET order', () => api.get(`orders/${id}`));
        if (!isOrder(data))
          throw new KassaError('GATEWAY_BAD_RESPONSE', 'WooCommerce sent an order of an unknown shape');
        return data;
      } catch (error) {
        if (error instanceof KassaError && error.details.status === 404) return undefined;
        throw error;
      }
    },
    async updateOrder(id, data) {
      const order = await write('PUT order', () => api.put(`orders/${id}`, data));
      if (!isOrder(order))
        throw new KassaError('GATEWAY_BAD_RESPONSE', 'WooCommerce sent an order of an unknown shape');
      return order;
    },
    async listNotes(id) {
      const notes = await read('GET notes', () => api.get(`orders/${id}/notes`, { type: 'internal' }));
      if (!Array.isArray(notes))
        throw new KassaError('GATEWAY_BAD_RESPONSE', 'WooCommerce sent notes of an unknown shape');
      return notes as WooNote[];
    },
    async addNote(id, note) {
      await write('POST note', () => api.post(`orders/${id}/notes`, { note, customer_note: false }));
    },
    async createRefund(id, data) {
      // api_refund:false — the money already went back through the gateway; true would call our own process_refund.
      await write('POST refund', () => api.post(`orders/${id}/refunds`, { ...data, api_refund: false }));
    },
  };
}

export function orderMeta(order: WooOrder, key: string): string | undefined {
  const found = order.meta_data.find((m) => m.key === key);
  return typeof found?.value === 'string' ? found.value : undefined;
}
