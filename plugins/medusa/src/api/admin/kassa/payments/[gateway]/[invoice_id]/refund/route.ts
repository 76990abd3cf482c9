import { GATEWAY_IDS, refundSurplus } from '@kassa/core';
import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { MedusaError } from '@medusajs/framework/utils';
import { z } from 'zod';
import { medusaErrors } from '../../../../../../../lib/errors';
import { robokassaModule } from '../../../../../../../lib/scope';

const params = z.object({ gateway: z.enum(GATEWAY_IDS), invoice_id: z.string().min(1).max(128) });

/**
 * `POST /admin/kassa/payments/:gateway/:invoice_id/refund` — the merchant's one click for a surplus payment (paid
 * twice, or after the cart changed) that was not refunded automatically (Robokassa without Password #3, or the
 * automatic refund failed): core's `refundSurplus`, the whole amount through the write-ahead refund, so a second click
 * cannot send a second refund. Only a surplus payment; an order's payment is refunded from the order.
 */
export async function POST(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const parsed = params.safeParse(req.params);
  if (!parsed.success) throw new MedusaError(MedusaError.Types.INVALID_DATA, 'gateway and invoice_id are required');
  const kassa = robokassaModule(req.scope);
  const key = { gateway: parsed.data.gateway, invoiceId: parsed.data.invoice_id };
  const record = await kassa.ledger.find(key);
  if (!record) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Invoice ${key.invoiceId} not found`);
  const { gateway } = kassa.port(key.gateway);
  const updated = await medusaErrors(() => refundSurplus({ gateway, ledger: kassa.ledger }, record));
  res.json({ payment: { gateway: updated.gateway, invoice_id: updated.invoiceId, state: updated.state } });
}
