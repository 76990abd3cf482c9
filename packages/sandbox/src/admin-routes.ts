import { timingSafeEqual } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import {
  type PayOutcome,
  parseInput,
  payInputSchema,
  paymentUrlInputSchema,
  type SandboxAdmin,
  SandboxInputError,
} from './admin.js';
import { faultsSchema, merchantPatchSchema, merchantSchema } from './config.js';

/**
 * The JSON admin API under `/sandbox/api`: thin routes over `SandboxAdmin`. Bad input gets a fixed 400 body that
 * lists zod's issues (paths and messages, never the values, so no password is echoed).
 */

const badRequest = (c: Context, issues: Array<{ path: string; message: string }>) =>
  c.json({ error: 'invalid_request', message: 'The request does not match the schema.', issues }, 400);
const notFound = (c: Context) => c.json({ error: 'not_found', message: 'No such merchant, operation or route.' }, 404);

const filterSchema = z.strictObject({
  merchant: z.string().min(1).optional(),
  invId: z.coerce.number().int().positive().optional(),
  kind: z.enum(['ResultURL', 'ResultUrl2']).optional(),
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

const PAY_STATUS: Record<string, 200 | 404 | 409 | 422> = {
  refused: 422,
  'not-found': 404,
  'not-active': 409,
  'method-unavailable': 422,
};

export function adminRoutes(admin: SandboxAdmin, adminToken: string | undefined): Hono {
  const api = new Hono();

  api.onError((error, c) => {
    if (error instanceof SandboxInputError) return badRequest(c, error.issues);
    throw error;
  });

  if (adminToken !== undefined) {
    const expected = Buffer.from(`Bearer ${adminToken}`);
    api.use('*', async (c, next) => {
      const given = Buffer.from(c.req.header('authorization') ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return c.json({ error: 'unauthorized', message: 'Send Authorization: Bearer <adminToken>.' }, 401);
      }
      await next();
    });
  }

  api.get('/', (c) =>
    c.json({
      endpoints: [
        'GET /sandbox/api/merchants',
        'POST /sandbox/api/merchants',
        'GET|PUT|PATCH|DELETE /sandbox/api/merchants/{login}',
        'PUT|DELETE /sandbox/api/merchants/{login}/faults',
        'PUT|DELETE /sandbox/api/merchants/{login}/invoices/{invId}/faults',
        'GET /sandbox/api/operations?merchant=&invId=',
        'GET /sandbox/api/operations/{opId}',
        'GET /sandbox/api/notifications?merchant=&invId=&kind=',
        'GET /sandbox/api/emails?merchant=&invId=',
        'GET /sandbox/api/refunds',
        'GET /sandbox/api/receipts',
        'GET /sandbox/api/sms',
        'POST /sandbox/api/pay',
        'POST /sandbox/api/payment-url',
        'POST /sandbox/api/idle',
        'POST /sandbox/api/reset',
        'GET /sandbox/api/certificate',
      ],
    }),
  );

  api.get('/merchants', (c) => c.json(admin.merchants()));
  api.post('/merchants', async (c) => {
    const merchant = parseInput(merchantSchema, await body(c));
    if (admin.merchant(merchant.login)) {
      return c.json({ error: 'conflict', message: 'A merchant with this login exists; use PUT or PATCH.' }, 409);
    }
    return c.json(admin.upsertMerchant(merchant), 201);
  });
  api.get('/merchants/:login', (c) => {
    const m = admin.merchant(c.req.param('login'));
    return m ? c.json(m) : notFound(c);
  });
  api.put('/merchants/:login', async (c) => {
    const login = c.req.param('login');
    const existed = admin.merchant(login) !== undefined;
    // The login comes from the path; the body has the rest of the merchant.
    const rest = parseInput(merchantPatchSchema, await body(c));
    return c.json(admin.upsertMerchant(parseInput(merchantSchema, { ...rest, login })), existed ? 200 : 201);
  });
  api.patch('/merchants/:login', async (c) => {
    const m = admin.patchMerchant(c.req.param('login'), parseInput(merchantPatchSchema, await body(c)));
    return m ? c.json(m) : notFound(c);
  });
  api.delete('/merchants/:login', (c) =>
    admin.removeMerchant(c.req.param('login')) ? c.body(null, 204) : notFound(c),
  );
  api.put('/merchants/:login/faults', async (c) =>
    admin.setFaults(c.req.param('login'), parseInput(faultsSchema, await body(c)))
      ? c.json(admin.merchant(c.req.param('login'))?.faults)
      : notFound(c),
  );
  api.delete('/merchants/:login/faults', (c) =>
    admin.setFaults(c.req.param('login'), undefined) ? c.body(null, 204) : notFound(c),
  );
  const invId = (c: Context) => parseInput(z.coerce.number().int().positive(), c.req.param('invId'));
  api.put('/merchants/:login/invoices/:invId/faults', async (c) =>
    admin.setInvoiceFaults(c.req.param('login'), invId(c), parseInput(faultsSchema, await body(c)))
      ? c.body(null, 204)
      : notFound(c),
  );
  api.delete('/merchants/:login/invoices/:invId/faults', (c) =>
    admin.setInvoiceFaults(c.req.param('login'), invId(c), undefined) ? c.body(null, 204) : notFound(c),
  );

  api.get('/operations', (c) => c.json(admin.operations(parseInput(filterSchema, c.req.query()))));
  api.get('/operations/:opId', (c) => {
    const op = admin.operation(c.req.param('opId'));
    return op ? c.json(op) : notFound(c);
  });
  api.get('/notifications', (c) => c.json(admin.notifications(parseInput(filterSchema, c.req.query()))));
  api.get('/emails', (c) => c.json(admin.emails(parseInput(filterSchema, c.req.query()))));
  api.get('/refunds', (c) => c.json(admin.refunds()));
  api.get('/receipts', (c) => c.json(admin.receipts()));
  api.get('/sms', (c) => c.json(admin.sms()));

  api.post('/pay', async (c) => {
    const outcome: PayOutcome = await admin.pay(parseInput(payInputSchema, await body(c)));
    return c.json(outcome, outcome.ok ? 200 : (PAY_STATUS[outcome.reason] ?? 422));
  });
  api.post('/payment-url', async (c) => {
    const out = admin.paymentUrl(parseInput(paymentUrlInputSchema, await body(c)));
    return out ? c.json(out) : c.json({ error: 'not_found', message: 'No such merchant (or no test passwords).' }, 404);
  });
  api.post('/idle', async (c) => {
    await admin.idle();
    return c.json({ idle: true });
  });
  api.post('/reset', (c) => {
    admin.reset();
    return c.body(null, 204);
  });
  api.get('/certificate', async (c) =>
    c.body(await admin.certificatePem(), 200, { 'content-type': 'application/x-pem-file' }),
  );
  api.notFound((c) => notFound(c));
  return api;
}
