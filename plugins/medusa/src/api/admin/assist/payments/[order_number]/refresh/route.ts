import { refreshPayment } from '@kassa/core';
import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { MedusaError } from '@medusajs/framework/utils';
import { assistKey, assistRecordView, parseOrderNumber } from '../../../../../../lib/assist-session';
import { medusaErrors } from '../../../../../../lib/errors';
import { robokassaModule } from '../../../../../../lib/scope';
import { settleStep } from '../../../../../../lib/settle';

/**
 * `POST /admin/assist/payments/:order_number/refresh`, the order widget's "Refresh": core's per-record refresh asks
 * Assist (`orderstate`) about a pending or held order and applies what it says through the same settle step as the
 * notification, so an order found paid or held also gets its Medusa order.
 */
export async function POST(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const orderNumber = parseOrderNumber(req.params.order_number);
  if (!orderNumber) throw new MedusaError(MedusaError.Types.INVALID_DATA, 'order_number must be an Assist OrderNumber');
  const plugin = robokassaModule(req.scope);
  const record = await plugin.ledger.find(assistKey(orderNumber));
  if (!record) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Assist order ${orderNumber} not found`);
  const { settings, gateway, log } = plugin.assist();
  const deps = {
    gateway,
    ledger: plugin.ledger,
    logger: log,
    onSettled: settleStep(req.scope),
    notFoundMaxAgeMs: settings.medusa.expireAfterHours * 3_600_000,
  };
  const updated = await medusaErrors(() => refreshPayment(deps, record, 'admin'));
  res.json({ assist: assistRecordView(updated.record) });
}
