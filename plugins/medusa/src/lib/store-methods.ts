import type { Money } from '@kassa/core';
import type { MedusaRequest } from '@medusajs/framework/http';
import type { BigNumberInput } from '@medusajs/framework/types';
import { ContainerRegistrationKeys, MedusaError } from '@medusajs/framework/utils';
import { z } from 'zod';
import type { QueryLike } from './cart-query';
import { medusaErrors } from './errors';
import { moneyFromMedusa } from './money';

const querySchema = z.object({
  cart_id: z.string().min(1).max(100),
  lang: z.enum(['ru', 'en']).optional(),
});

const cartSchema = z
  .object({
    id: z.string(),
    currency_code: z.string(),
    total: z.custom<BigNumberInput>((v) => v !== null && v !== undefined, 'a total'),
  })
  .loose();

/**
 * What a storefront's `GET /store/<gateway>/methods?cart_id=…&lang=ru` asks about: the cart's total in exact
 * kopecks (read on the server, never sent by the browser) and the page language. A missing `cart_id` is a 400, an
 * unknown cart a 404, as Medusa answers them.
 */
export async function methodsRequest(req: MedusaRequest): Promise<{ amount: Money; language?: 'ru' | 'en' }> {
  const input = querySchema.safeParse(req.query);
  if (!input.success) throw new MedusaError(MedusaError.Types.INVALID_DATA, 'cart_id is required');
  const query = req.scope.resolve<QueryLike>(ContainerRegistrationKeys.QUERY);
  const { data } = await query.graph({
    entity: 'cart',
    fields: ['id', 'currency_code', 'total'],
    filters: { id: input.data.cart_id },
  });
  const cart = cartSchema.safeParse(data[0]);
  if (!cart.success) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Cart ${input.data.cart_id} was not found`);
  const amount = await medusaErrors(async () => moneyFromMedusa(cart.data.total, cart.data.currency_code));
  return { amount, ...(input.data.lang ? { language: input.data.lang } : {}) };
}
