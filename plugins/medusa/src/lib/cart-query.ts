import { KassaError } from '@kassa/core';
import type { BigNumberInput } from '@medusajs/framework/types';
import { z } from 'zod';
import type { CartForReceipt } from './cart-receipt';

/** The part of Medusa's Query (`ContainerRegistrationKeys.QUERY`) the plugin uses. */
export interface QueryLike {
  graph(config: {
    entity: string;
    fields: string[];
    filters?: Record<string, unknown>;
    pagination?: { take?: number; skip?: number };
  }): Promise<{ data: unknown[] }>;
}

/**
 * BigNumber values come out of Query as numbers, strings, `{ value }` raw objects or Medusa `BigNumber` instances
 * (computed totals); `MathBN.convert` reads them all, so here we only insist that something is there.
 */
const bigNumber = z.custom<BigNumberInput>(
  (v) => typeof v === 'number' || typeof v === 'string' || (typeof v === 'object' && v !== null),
  'a number',
);

const lineSchema = z
  .object({
    title: z.string().nullish(),
    product_title: z.string().nullish(),
    variant_title: z.string().nullish(),
    quantity: bigNumber,
    total: bigNumber,
  })
  .loose();

const shippingSchema = z.object({ name: z.string().nullish(), total: bigNumber }).loose();

const cartSchema = z
  .object({
    id: z.string(),
    email: z.string().nullish(),
    currency_code: z.string(),
    completed_at: z.union([z.string(), z.date()]).nullish(),
    items: z.array(lineSchema.nullable()).nullish(),
    shipping_methods: z.array(shippingSchema.nullable()).nullish(),
  })
  .loose();

const sessionSchema = z
  .object({
    id: z.string(),
    payment_collection: z
      .object({ id: z.string(), cart: z.object({ id: z.string() }).loose().nullish() })
      .loose()
      .nullish(),
  })
  .loose();

/**
 * Totals are computed by the cart module only when the cart itself is queried (not through a link) and a cart-level
 * total (`total`) is selected: hence two queries, and `total` in the list.
 */
export const CART_RECEIPT_FIELDS = [
  'id',
  'total',
  'email',
  'currency_code',
  'items.title',
  'items.product_title',
  'items.variant_title',
  'items.quantity',
  'items.total',
  'shipping_methods.name',
  'shipping_methods.total',
];

function problem(error: z.ZodError, what: string, id: string): KassaError {
  const fields = error.issues.map((i) => i.path.join('.') || '(root)');
  return new KassaError('RECEIPT_INVALID', `Could not read the ${what} (${fields.join(', ')})`, {
    details: { id, fields },
  });
}

function lineTitle(line: z.output<typeof lineSchema>): string {
  const product = line.product_title ?? line.title ?? '';
  const variant = line.variant_title && line.variant_title !== product ? ` (${line.variant_title})` : '';
  return `${product}${variant}`;
}

/**
 * The cart a payment session pays for, with line totals computed by Medusa's cart module: payment session →
 * payment collection → (cart_payment_collection link) → cart. Undefined when the session pays something other than a
 * cart (an order edit, a claim).
 */
export async function readCartForSession(query: QueryLike, sessionId: string): Promise<CartForReceipt | undefined> {
  const { data: sessions } = await query.graph({
    entity: 'payment_session',
    fields: ['id', 'payment_collection.id', 'payment_collection.cart.id'],
    filters: { id: sessionId },
  });
  const session = sessionSchema.safeParse(sessions[0]);
  if (!session.success) throw problem(session.error, 'payment session', sessionId);
  const cartId = session.data.payment_collection?.cart?.id;
  if (!cartId) return undefined;
  const { data: carts } = await query.graph({ entity: 'cart', fields: CART_RECEIPT_FIELDS, filters: { id: cartId } });
  const parsed = cartSchema.safeParse(carts[0]);
  if (!parsed.success) throw problem(parsed.error, 'cart of this payment session', cartId);
  const cart = parsed.data;
  return {
    id: cart.id,
    email: cart.email,
    currency_code: cart.currency_code,
    items: (cart.items ?? []).flatMap((l) =>
      l ? [{ title: lineTitle(l), quantity: l.quantity, total: l.total }] : [],
    ),
    shipping: (cart.shipping_methods ?? []).flatMap((s) =>
      s ? [{ title: s.name ?? 'Доставка', quantity: 1, total: s.total }] : [],
    ),
  };
}
