import type { Context, Hono } from 'hono';
import { escapeHtml, htmlResponse, layout } from '../html.js';
import { readParams } from '../params.js';
import { checkvalue, checkvalueEquals, notificationString, requestString } from './checkvalue.js';
import type { AssistMerchantInput } from './config.js';

/**
 * The demo's Assist merchant and the demo shop's Assist checkout: the shop computes the order.cfm checkvalue,
 * fulfils the order only on a notification whose checkvalue and amount it has checked, answers
 * `pushpaymentresult` with the echo, and treats the return redirect as a formality (it is unsigned, §2.4).
 */
export const DEMO_ASSIST_MERCHANT = {
  merchantId: '100500',
  name: 'Демо-магазин Kassa (Assist)',
  secretWord: 'demo-assist-secret',
  login: 'demo_assist',
  password: 'demo-assist-password',
  checkvalueMode: 'semicolon',
} as const satisfies AssistMerchantInput;

interface AssistDemoOrder {
  orderNumber: string;
  status: 'ожидает оплаты' | 'оплачен' | 'не оплачен';
  events: string[];
}

const PRICE = '1500.00';

export interface AssistDemoShop {
  /** The home-page block with the Assist button and the orders paid through Assist. */
  section(): string;
}

/** Adds `/assist/checkout`, `/assist/notify`, `/assist/ok` and `/assist/no` to the demo shop. */
export function mountAssistDemo(
  app: Hono,
  sandboxUrl: string,
  merchant: { merchantId: string; secretWord: string },
  log: (line: string) => void,
): AssistDemoShop {
  const orders = new Map<string, AssistDemoOrder>();
  let next = Math.floor((Date.now() - Date.UTC(2025, 0, 1)) / 1000);
  const page = (title: string, body: string) => htmlResponse(layout({ title, lang: 'ru', body }));

  app.post('/assist/checkout', () => {
    const orderNumber = `A-${next++}`;
    orders.set(orderNumber, { orderNumber, status: 'ожидает оплаты', events: [] });
    const x = requestString('semicolon', {
      merchantId: merchant.merchantId,
      orderNumber,
      orderAmount: PRICE,
      orderCurrency: 'RUB',
      optional: [],
    });
    const query = new URLSearchParams([
      ['Merchant_ID', merchant.merchantId],
      ['OrderNumber', orderNumber],
      ['OrderAmount', PRICE],
      ['OrderCurrency', 'RUB'],
      ['OrderComment', 'Kassa Pro, годовая подписка'],
      ['Language', 'RU'],
      ['Checkvalue', checkvalue(merchant.secretWord, x)],
    ]);
    log(`demo shop: Assist order ${orderNumber} → order.cfm`);
    return new Response(null, { status: 303, headers: { location: `${sandboxUrl}/pay/order.cfm?${query}` } });
  });

  app.post('/assist/notify', async (c: Context) => {
    const p = await readParams(c.req.raw);
    const orderNumber = p.get('ordernumber') ?? '';
    const order = orders.get(orderNumber);
    const x = notificationString(
      p.get('merchant_id') ?? '',
      orderNumber,
      p.get('amount') ?? '',
      p.get('currency') ?? '',
      p.get('orderstate') ?? '',
    );
    // A wrong checkvalue or an unknown order gets no pushpaymentresult: Assist retries, nothing is lost.
    if (!order || !checkvalueEquals(checkvalue(merchant.secretWord, x), p.get('checkvalue') ?? '')) {
      return c.text('rejected', 400);
    }
    if (p.get('amount') !== PRICE || p.get('currency') !== 'RUB') return c.text('amount mismatch', 400);
    const state = p.get('orderstate');
    if (state === 'Approved' && order.status !== 'оплачен') {
      order.status = 'оплачен';
      log(`demo shop: Assist order ${orderNumber} paid (notification verified)`);
    } else if (state !== 'Approved' && order.status === 'ожидает оплаты') order.status = 'не оплачен';
    order.events.push(`уведомление: ${state} (${p.get('meantypename') ?? '?'})`);
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<pushpaymentresult firstcode="0" secondcode="0"><order><billnumber>${escapeHtml(
      p.get('billnumber') ?? '',
    )}</billnumber><packetdate>${escapeHtml(p.get('packetdate') ?? '')}</packetdate></order></pushpaymentresult>`;
    return c.body(body, 200, { 'content-type': 'text/xml; charset=utf-8' });
  });

  const back = (ok: boolean) => async (c: Context) => {
    const p = await readParams(c.req.raw);
    const order = orders.get(p.get('ordernumber') ?? '');
    order?.events.push(ok ? 'покупатель вернулся (URL_RETURN_OK)' : 'покупатель вернулся (URL_RETURN_NO)');
    const text =
      order?.status === 'оплачен'
        ? `Спасибо! Заказ ${order.orderNumber} оплачен — Assist сообщил об этом уведомлением.`
        : `Заказ ${escapeHtml(p.get('ordernumber') ?? '')} не оплачен.`;
    return page(
      ok ? 'Спасибо' : 'Оплата не завершена',
      `<main><div class="card" data-result="${ok ? 'ok' : 'no'}"><h1>${escapeHtml(text)}</h1><p><a href="/">В магазин</a></p></div></main>`,
    );
  };
  app.get('/assist/ok', back(true));
  app.get('/assist/no', back(false));

  return {
    section: () => {
      const rows = [...orders.values()]
        .reverse()
        .map(
          (o) =>
            `<tr><td>${escapeHtml(o.orderNumber)}</td><td data-assist-status="${escapeHtml(o.orderNumber)}">${escapeHtml(
              o.status,
            )}</td><td>${escapeHtml(o.events.join('; '))}</td></tr>`,
        )
        .join('');
      return `<div class="card"><h2>Оплата через Assist</h2>
<form method="post" action="/assist/checkout" class="actions"><button class="pay" type="submit" data-action="assist-checkout">Оплатить ${PRICE} ₽ через Assist</button></form>
<table><tr><th>Заказ</th><th>Статус</th><th>Что пришло от Assist</th></tr>${rows || '<tr><td colspan="3">пока нет</td></tr>'}</table></div>`;
    },
  };
}
