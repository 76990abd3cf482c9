import { type PaymentRecord, parseFailRedirect } from '@kassa/core';
import type { MedusaContainer } from '@medusajs/framework/types';
import { ContainerRegistrationKeys } from '@medusajs/framework/utils';
import type { QueryLike } from './cart-query';
import { readMedusaState } from './settle';

/** The ledger record a redirect talks about (its InvId is only a hint until a signature says otherwise). */
export async function recordFromRedirect(
  ledger: { findByInvId(invId: number): Promise<PaymentRecord | undefined> },
  parameters: string,
): Promise<PaymentRecord | undefined> {
  const invId = parseFailRedirect(parameters).hint.invId;
  return invId === undefined ? undefined : ledger.findByInvId(invId);
}

/** Cart and order of an invoice, for the storefront URL the buyer is sent to. */
export async function cartAndOrder(
  container: MedusaContainer,
  record: PaymentRecord | undefined,
): Promise<{ cart_id?: string | undefined; order_id?: string | undefined; inv_id?: number | undefined }> {
  if (!record) return {};
  const state = await readMedusaState(container.resolve<QueryLike>(ContainerRegistrationKeys.QUERY), record.reference);
  return { cart_id: state?.cartId, order_id: state?.orderId, inv_id: record.invId };
}
