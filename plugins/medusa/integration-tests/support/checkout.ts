import type { Sandbox } from '@kassa/sandbox';
import type { MedusaContainer } from '@medusajs/framework/types';
import { ContainerRegistrationKeys } from '@medusajs/framework/utils';
import { z } from 'zod';
import type { SeededShop } from './seed';

/** The axios instance Medusa's test runner binds to the app under test. */
// biome-ignore-start lint/suspicious/noExplicitAny: Store API bodies are read field by field in the tests
export interface Api {
  get<T = any>(
    url: string,
    config?: Record<string, unknown>,
  ): Promise<{ status: number; data: T; headers: Record<string, string> }>;
  post<T = any>(
    url: string,
    body?: unknown,
    config?: Record<string, unknown>,
  ): Promise<{ status: number; data: T; headers: Record<string, string> }>;
  defaults: { baseURL?: string };
}
// biome-ignore-end lint/suspicious/noExplicitAny: see above

export interface SessionData {
  inv_id: number;
  out_sum: string;
  is_test: boolean;
  redirect_url: string;
  form: { action: string; method: 'POST'; fields: Array<{ name: string; value: string }> };
  [key: string]: unknown;
}

export interface Checkout {
  cartId: string;
  sessionId: string;
  data: SessionData;
}

const address = {
  first_name: 'Иван',
  last_name: 'Петров',
  address_1: 'ул. Тверская, 1',
  city: 'Москва',
  country_code: 'ru',
  postal_code: '125009',
  phone: '+79990000000',
};

/** Axios errors carry the server's answer: put it in the message so a failing step says why. */
async function step<T>(name: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const response = (error as { response?: { status?: number; data?: unknown } }).response;
    if (!response) throw error;
    throw new Error(`${name}: HTTP ${response.status} ${JSON.stringify(response.data)}`);
  }
}

/** A cart of 2 × 1234.50 ₽ + 300 ₽ courier = 2769.00 ₽, up to a Robokassa payment session, through the Store API. */
export async function startCheckout(
  api: Api,
  shop: SeededShop,
  providerId: string,
  data: Record<string, unknown> = {},
): Promise<Checkout> {
  const headers = { headers: { 'x-publishable-api-key': shop.publishableKey } };
  const { data: created } = await step('create cart', () =>
    api.post('/store/carts', { region_id: shop.regionId, email: 'buyer@example.com' }, headers),
  );
  const cartId: string = created.cart.id;
  await step('add items', () =>
    api.post(`/store/carts/${cartId}/line-items`, { variant_id: shop.variantId, quantity: 2 }, headers),
  );
  await step('set address', () =>
    api.post(`/store/carts/${cartId}`, { shipping_address: address, billing_address: address }, headers),
  );
  await step('choose shipping', () =>
    api.post(`/store/carts/${cartId}/shipping-methods`, { option_id: shop.shippingOptionId }, headers),
  );
  const { data: collection } = await step('create payment collection', () =>
    api.post('/store/payment-collections', { cart_id: cartId }, headers),
  );
  const { data: withSession } = await step('create payment session', () =>
    api.post(
      `/store/payment-collections/${collection.payment_collection.id}/payment-sessions`,
      { provider_id: providerId, data },
      headers,
    ),
  );
  const session = withSession.payment_collection.payment_sessions[0];
  return { cartId, sessionId: session.id, data: session.data as SessionData };
}

/**
 * The buyer opens a second payment page for the same cart (a second tab): the storefront creates a new payment
 * session of the same provider, and Medusa drops the first one (its invoice is cancelled in the ledger).
 */
export async function secondTab(
  api: Api,
  container: MedusaContainer,
  shop: SeededShop,
  first: Pick<Checkout, 'cartId' | 'sessionId'>,
  providerId: string,
): Promise<Checkout> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY);
  const { data } = await query.graph({
    entity: 'cart',
    fields: ['payment_collection.id'],
    filters: { id: first.cartId },
  });
  const collectionId = (data[0] as { payment_collection: { id: string } }).payment_collection.id;
  const { data: created } = await step('create second payment session', () =>
    api.post(
      `/store/payment-collections/${collectionId}/payment-sessions`,
      { provider_id: providerId },
      { headers: { 'x-publishable-api-key': shop.publishableKey } },
    ),
  );
  const sessions = created.payment_collection.payment_sessions as Array<{ id: string; data: SessionData }>;
  const session = sessions.find((s) => s.id !== first.sessionId);
  if (!session) throw new Error('no second payment session');
  return { cartId: first.cartId, sessionId: session.id, data: session.data };
}

/** The buyer on the sandbox's payment page: the shop's signed POST form is submitted, then Pay / Decline / Leave. */
export async function payInSandbox(
  sandbox: Sandbox,
  checkout: Checkout,
  options: Omit<Parameters<Sandbox['admin']['pay']>[0], 'params' | 'url' | 'opId' | 'formBody'> = {},
) {
  const params = checkout.data.form.fields.map((f) => [f.name, f.value] as [string, string]);
  const outcome = await sandbox.admin.pay({ params, waitFor: 'delivery', ...options });
  if (!outcome.ok) throw new Error(`sandbox refused the payment: ${JSON.stringify(outcome)}`);
  return outcome;
}

export interface ShopState {
  orderIds: string[];
  completedAt: unknown;
  payments: Array<{ id: string; captured: boolean; canceled: boolean; refunded: string[] }>;
  sessionStatus: string | undefined;
}

const cartStateSchema = z
  .object({
    completed_at: z.unknown(),
    payment_collection: z
      .object({
        payment_sessions: z.array(z.object({ status: z.string() }).loose()).nullish(),
        payments: z
          .array(
            z
              .object({
                id: z.string(),
                captured_at: z.unknown(),
                canceled_at: z.unknown(),
                refunds: z.array(z.object({ amount: z.unknown() }).loose()).nullish(),
              })
              .loose(),
          )
          .nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();

/** What Medusa's database says about a cart: its orders (exactly one, or none), payments, captures and refunds. */
export async function shopState(container: MedusaContainer, cartId: string): Promise<ShopState> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY);
  const { data: links } = await query.graph({
    entity: 'order_cart',
    fields: ['order_id'],
    filters: { cart_id: cartId },
  });
  const { data: carts } = await query.graph({
    entity: 'cart',
    fields: [
      'id',
      'completed_at',
      'payment_collection.payment_sessions.status',
      'payment_collection.payments.id',
      'payment_collection.payments.captured_at',
      'payment_collection.payments.canceled_at',
      'payment_collection.payments.refunds.amount',
    ],
    filters: { id: cartId },
  });
  const cart = cartStateSchema.parse(carts[0]);
  return {
    orderIds: z
      .array(z.object({ order_id: z.string() }))
      .parse(links)
      .map((l) => l.order_id),
    completedAt: cart.completed_at ?? null,
    sessionStatus: cart.payment_collection?.payment_sessions?.[0]?.status,
    payments: (cart.payment_collection?.payments ?? []).map((p) => ({
      id: p.id,
      captured: Boolean(p.captured_at),
      canceled: Boolean(p.canceled_at),
      refunded: (p.refunds ?? []).map((r) => String(r.amount)),
    })),
  };
}
