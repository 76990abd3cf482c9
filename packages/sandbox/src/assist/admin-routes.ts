import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { parseInput, SandboxInputError } from '../admin.js';
import { faultsSchema } from '../faults.js';
import { type AssistAdmin, assistOrderUrlInputSchema, assistPayInputSchema } from './admin.js';
import { assistMerchantPatchSchema, assistMerchantSchema } from './config.js';

/**
 * `/sandbox/api/assist`: thin JSON routes over `AssistAdmin`, mounted inside the admin API so that its token check
 * and its 400 answer for bad input apply here too.
 */

const notFound = (c: Context) =>
  c.json({ error: 'not_found', message: 'No such Assist merchant, bill or route.' }, 404);

const filterSchema = z.strictObject({
  merchantId: z.string().min(1).optional(),
  orderNumber: z.string().min(1).optional(),
});

async function body(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new SandboxInputError([{ path: '', message: 'the body is not JSON' }]);
  }
}

const PAY_STATUS: Record<string, 404 | 409 | 422> = {
  refused: 422,
  'not-found': 404,
  'not-active': 409,
  'already-paid': 409,
  'method-unavailable': 422,
  'invalid-card': 422,
};

export function assistAdminRoutes(admin: AssistAdmin): Hono {
  const api = new Hono();

  api.get('/', (c) =>
    c.json({
      endpoints: [
        'GET|POST /sandbox/api/assist/merchants',
        'GET|PUT|PATCH|DELETE /sandbox/api/assist/merchants/{merchantId}',
        'PUT|DELETE /sandbox/api/assist/merchants/{merchantId}/faults',
        'PUT|DELETE /sandbox/api/assist/merchants/{merchantId}/orders/{orderNumber}/faults',
        'GET /sandbox/api/assist/bills?merchantId=&orderNumber=',
        'GET /sandbox/api/assist/bills/{billNumber}',
        'GET /sandbox/api/assist/notifications?merchantId=&orderNumber=',
        'POST /sandbox/api/assist/pay',
        'POST /sandbox/api/assist/order-url',
      ],
    }),
  );

  api.get('/merchants', (c) => c.json(admin.merchants()));
  api.post('/merchants', async (c) => {
    const merchant = parseInput(assistMerchantSchema, await body(c));
    if (admin.merchant(merchant.merchantId)) {
      return c.json({ error: 'conflict', message: 'A merchant with this Merchant_ID exists; use PUT or PATCH.' }, 409);
    }
    return c.json(admin.upsertMerchant(merchant), 201);
  });
  api.get('/merchants/:id', (c) => {
    const m = admin.merchant(c.req.param('id'));
    return m ? c.json(m) : notFound(c);
  });
  api.put('/merchants/:id', async (c) => {
    const merchantId = c.req.param('id');
    const existed = admin.merchant(merchantId) !== undefined;
    const rest = parseInput(assistMerchantPatchSchema, await body(c));
    return c.json(admin.upsertMerchant(parseInput(assistMerchantSchema, { ...rest, merchantId })), existed ? 200 : 201);
  });
  api.patch('/merchants/:id', async (c) => {
    const m = admin.patchMerchant(c.req.param('id'), parseInput(assistMerchantPatchSchema, await body(c)));
    return m ? c.json(m) : notFound(c);
  });
  api.delete('/merchants/:id', (c) => (admin.removeMerchant(c.req.param('id')) ? c.body(null, 204) : notFound(c)));
  api.put('/merchants/:id/faults', async (c) =>
    admin.setFaults(c.req.param('id'), parseInput(faultsSchema, await body(c)))
      ? c.json(admin.merchant(c.req.param('id'))?.faults)
      : notFound(c),
  );
  api.delete('/merchants/:id/faults', (c) =>
    admin.setFaults(c.req.param('id'), undefined) ? c.body(null, 204) : notFound(c),
  );
  api.put('/merchants/:id/orders/:order/faults', async (c) =>
    admin.setOrderFaults(c.req.param('id'), c.req.param('order'), parseInput(faultsSchema, await body(c)))
      ? c.body(null, 204)
      : notFound(c),
  );
  api.delete('/merchants/:id/orders/:order/faults', (c) =>
    admin.setOrderFaults(c.req.param('id'), c.req.param('order'), undefined) ? c.body(null, 204) : notFound(c),
  );

  api.get('/bills', (c) => c.json(admin.bills(parseInput(filterSchema, c.req.query()))));
  api.get('/bills/:bill', (c) => {
    const bill = admin.bill(c.req.param('bill'));
    return bill ? c.json(bill) : notFound(c);
  });
  api.get('/notifications', (c) => c.json(admin.notifications(parseInput(filterSchema, c.req.query()))));

  api.post('/pay', async (c) => {
    const outcome = await admin.pay(parseInput(assistPayInputSchema, await body(c)));
    return c.json(outcome, outcome.ok ? 200 : (PAY_STATUS[outcome.reason] ?? 422));
  });
  api.post('/order-url', async (c) => {
    const out = admin.orderUrl(parseInput(assistOrderUrlInputSchema, await body(c)));
    return out ? c.json(out) : c.json({ error: 'not_found', message: 'No such Assist merchant.' }, 404);
  });
  api.notFound((c) => notFound(c));
  return api;
}
