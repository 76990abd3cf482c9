import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import type { BigNumberInput } from '@medusajs/framework/types';
import { ContainerRegistrationKeys, MedusaError } from '@medusajs/framework/utils';
import { z } from 'zod';
import type { QueryLike } from '../../../../lib/cart-query';
import { medusaErrors } from '../../../../lib/errors';
import { moneyFromMedusa } from '../../../../lib/money';
import { robokassaModule } from '../../../../lib/scope';

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
 * `GET /store/assist/methods?cart_id=…&lang=ru`: the means a storefront may offer for this cart (card, SBP,
 * wallets), passed back as the session's `method` so Assist's page shows only that one. Assist has no catalog
 * service: the list is core's, and the merchant's contract decides which of them really work (`chooser: "shop"`).
 */
export async function GET(req: MedusaRequest, res: MedusaResponse): Promise<void> {
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
  const result = await medusaErrors(async () => {
    const amount = moneyFromMedusa(cart.data.total, cart.data.currency_code);
    const { gateway } = robokassaModule(req.scope).assist();
    return gateway.methods({ amount, ...(input.data.lang ? { language: input.data.lang } : {}) });
  });
  res.json({ chooser: result.chooser, methods: result.methods.map((m) => ({ code: m.code, label: m.label })) });
}
