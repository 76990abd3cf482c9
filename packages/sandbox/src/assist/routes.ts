import { getConnInfo } from '@hono/node-server/conninfo';
import { type Context, Hono } from 'hono';
import type { SandboxContext } from '../context.js';
import { readParams } from '../params.js';
import { type AssistAction, completeBill, openBill } from './bills.js';
import { ASSIST_METHODS, type AssistMethod } from './config.js';
import { validateOrderRequest } from './order-request.js';
import { assistErrorResponse, assistNotice, assistTexts, renderAssistPageResponse } from './page.js';
import { type AssistService, assistService } from './webservices.js';

/** Assist's paths on `https://<SERVER>` (assist.md §0), all on the sandbox's one host. */
export const ASSIST_PATHS = {
  payment: '/pay/order.cfm',
  orderstate: '/orderstate/orderstate.cfm',
  orderresult: '/orderresult/orderresult.cfm',
  charge: '/charge/charge.cfm',
  cancel: '/cancel/cancel.cfm',
  wscancel: '/cancel/wscancel.cfm',
  recurring: '/recurrent/rp.cfm',
} as const;

function clientIp(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? '127.0.0.1';
  } catch {
    return '127.0.0.1';
  }
}

/** The buyer-facing and server-to-server Assist routes; every handler is a few lines over the modules. */
export function assistRoutes(ctx: SandboxContext): Hono {
  const app = new Hono();

  app.on(['GET', 'POST'], ASSIST_PATHS.payment, async (c) => {
    const validated = validateOrderRequest(await readParams(c.req.raw), ctx.store.assist);
    if (!validated.ok) {
      const { firstcode, secondcode, detail } = validated.error;
      ctx.log(`Assist order.cfm refused: ${firstcode}/${secondcode} (${detail})`);
      return assistErrorResponse(validated.error, validated.language);
    }
    const bill = openBill(ctx, validated.request, clientIp(c));
    return renderAssistPageResponse(bill, validated.request.merchant);
  });

  app.get('/pay/sandbox/:bill', (c) => {
    const bill = ctx.store.assist.bills.get(c.req.param('bill'));
    const merchant = bill && ctx.store.assist.merchants.get(bill.merchantId);
    const t = assistTexts(bill?.language ?? 'RU');
    if (!bill || !merchant) return assistNotice('RU', t.notFound, '', 404);
    if (bill.page !== 'open') return assistNotice(bill.language, t.notActive, t.notActiveText);
    return renderAssistPageResponse(bill, merchant);
  });

  app.post('/pay/sandbox/:bill/:action{pay|decline|abandon}', async (c) => {
    const form = await readParams(c.req.raw);
    const billNumber = c.req.param('bill');
    const method = form.get('method');
    const result = await completeBill(ctx, billNumber, {
      action: c.req.param('action') as AssistAction,
      method: ASSIST_METHODS.includes(method as AssistMethod) ? (method as AssistMethod) : undefined,
      card: form.get('card'),
      cardholder: form.get('cardholder'),
    });
    const bill = ctx.store.assist.bills.get(billNumber);
    const language = bill?.language ?? 'RU';
    const t = assistTexts(language);
    if (!result.ok) {
      const merchant = bill && ctx.store.assist.merchants.get(bill.merchantId);
      if (result.reason === 'not-found' || !bill || !merchant) return assistNotice(language, t.notFound, '', 404);
      if (result.reason === 'not-active') return assistNotice(language, t.notActive, t.notActiveText);
      if (result.reason === 'already-paid') return assistNotice(language, t.alreadyPaid, t.alreadyPaidText);
      return renderAssistPageResponse(
        bill,
        merchant,
        result.reason === 'invalid-card' ? t.invalidCard : t.unknownMethod,
      );
    }
    if (result.closedTab) return assistNotice(language, t.closedTab, t.closedTabText, 200, result.bill.state);
    if (result.redirect) {
      return new Response(null, {
        status: 302,
        headers: { location: result.redirect.location, 'cache-control': 'no-store' },
      });
    }
    return assistNotice(language, `${t.result}: ${result.bill.state}`, t.noReturn, 200, result.bill.state);
  });

  const services: Array<[string, AssistService]> = [
    [ASSIST_PATHS.orderstate, 'orderstate'],
    [ASSIST_PATHS.orderresult, 'orderresult'],
    [ASSIST_PATHS.charge, 'charge'],
    [ASSIST_PATHS.cancel, 'cancel'],
    [ASSIST_PATHS.wscancel, 'cancel'],
    [ASSIST_PATHS.recurring, 'recurring'],
  ];
  for (const [path, service] of services) {
    app.on(['GET', 'POST'], path, async (c) => assistService(ctx, service, await readParams(c.req.raw)));
  }
  return app;
}
