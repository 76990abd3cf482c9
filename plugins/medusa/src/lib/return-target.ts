import type { PaymentRecord } from '@kassa/core';
import { invIdOf } from '@kassa/core/robokassa';
import type { MedusaContainer } from '@medusajs/framework/types';
import { ContainerRegistrationKeys } from '@medusajs/framework/utils';
import type { QueryLike } from './cart-query';
import { readInvoiceState } from './settle';

/** Cart and order of an invoice, for the storefront URL the buyer is sent to. */
export async function cartAndOrder(
  container: MedusaContainer,
  record: PaymentRecord | undefined,
): Promise<{ cart_id?: string | undefined; order_id?: string | undefined; inv_id?: number | undefined }> {
  if (!record) return {};
  const state = await readInvoiceState(container.resolve<QueryLike>(ContainerRegistrationKeys.QUERY), record);
  return { cart_id: state.cartId, order_id: state.orderId, inv_id: invIdOf(record) };
}
