import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { type AssistDemoShop, mountAssistDemo } from './assist/demo.js';
import type { MerchantInput } from './config.js';
import { type HashAlgorithm, hashHex, hexEquals } from './hash.js';
import { escapeHtml, htmlResponse, layout } from './html.js';
import { displayAmount, parseAmount } from './money.js';
import { readParams } from './params.js';
import { callbackSignature, paymentSignatureBase } from './signature.js';

/**
 * The demo merchant of `kassa-sandbox demo`. Its passwords are public on purpose (README): it exists so that a
 * newcomer sees a whole payment loop in a browser within a minute.
 */
export const DEMO_MERCHANT = {
  login: 'demo',
  shopName: 'Демо-магазин Kassa',
  algorithm: 'md5',
  password1: 'demo-password-1',
  password2: 'demo-password-2',
  password3: 'demo-password-3',
  testPassword1: 'demo-test-password-1',
  testPassword2: 'demo-test-password-2',
  commissionPercent: 3.9,
  resultMethod: 'POST',
  successMethod: 'GET',
  failMethod: 'GET',
} as const satisfies MerchantInput;

export interface DemoShopOptions {
  sandboxUrl: string;
  merchant: {
    login: string;
    algorithm: HashAlgorithm;
    password1: string;
    password2: string;
    testPassword1?: string | undefined;
    testPassword2?: string | undefined;
  };
  /** An Assist merchant: the shop then also offers an Assist checkout (README "Assist"). */
  assist?: { merchantId: string; secretWord: string } | undefined;
  host?: string;
  port?: number;
  log?: (line: string) => void;
}

export interface DemoShop {
  url: string;
  resultUrl: string;
  successUrl: string;
  failUrl: string;
  /** The Assist notification URL and return URLs (set when the shop has an Assist merchant). */
  assistNotifyUrl?: string | undefined;
  assistReturnUrlOk?: string | undefined;
  assistReturnUrlNo?: string | undefined;
  stop(): Promise<void>;
}

interface Order {
  invId: number;
  amount: number;
  isTest: boolean;
  status: 'ожидает оплаты' | 'оплачен';
  events: string[];
}

const PRICE_MINOR = 150000;
const PRICE = '1500.00';

/**
 * A tiny shop that takes payments through the sandbox the way a real integration does: it signs the payment
 * request (Password #1, Receipt URL-encoded once in the signature), fulfils the order on ResultURL only after
 * checking the Password #2 signature and the amount, answers `OK{InvId}`, and treats SuccessURL as a formality.
 */
export async function startDemoShop(options: DemoShopOptions): Promise<DemoShop> {
  const { merchant, sandboxUrl, log = () => {} } = options;
  const orders = new Map<number, Order>();
  // Invoice numbers from the clock, so a restarted demo never reuses one the persisted sandbox saw paid (error 40).
  let nextInvId = Math.floor((Date.now() - Date.UTC(2025, 0, 1)) / 1000);
  let baseUrl = '';

  const page = (title: string, body: string) => htmlResponse(layout({ title, lang: 'ru', body }));

  const shopHome = () => {
    const rows = [...orders.values()]
      .reverse()
      .map(
        (o) =>
          `<tr><td>№${o.invId}</td><td class="num">${escapeHtml(displayAmount(o.amount, 'RUB'))}</td><td data-status="${o.invId}">${escapeHtml(
            o.status,
          )}${o.isTest ? ' (тест)' : ''}</td><td>${escapeHtml(o.events.join('; '))}</td></tr>`,
      )
      .join('');
    return page(
      'Демо-магазин',
      `<main><div class="card"><h1>Kassa Pro — годовая подписка</h1>
<p>Демо-магазин, который платит через локальную Robokassa (песочницу).</p>
<div class="amount">${escapeHtml(displayAmount(PRICE_MINOR, 'RUB'))}</div>
<form method="post" action="/checkout" class="actions">
<button class="pay" type="submit" data-action="checkout">Оплатить ${escapeHtml(displayAmount(PRICE_MINOR, 'RUB'))}</button>
${merchant.testPassword1 ? '<button class="leave" type="submit" name="test" value="1">Тестовый платёж (IsTest=1)</button>' : ''}
</form></div>
${assist?.section() ?? ''}
<div class="card"><h2>Заказы</h2><table><tr><th>Заказ</th><th>Сумма</th><th>Статус</th><th>Что пришло от Robokassa</th></tr>${
        rows || '<tr><td colspan="4">пока нет</td></tr>'
      }</table><p><a href="${escapeHtml(sandboxUrl)}/sandbox">Песочница: операции и уведомления</a></p></div></main>`,
    );
  };

  const app = new Hono();
  app.get('/', () => shopHome());
  const assist: AssistDemoShop | undefined = options.assist && mountAssistDemo(app, sandboxUrl, options.assist, log);

  app.post('/checkout', async (c) => {
    const form = await readParams(c.req.raw);
    const isTest = form.get('test') === '1' && merchant.testPassword1 !== undefined;
    const invId = nextInvId++;
    orders.set(invId, { invId, amount: PRICE_MINOR, isTest, status: 'ожидает оплаты', events: [] });
    const receiptJson = JSON.stringify({
      sno: 'usn_income',
      items: [
        {
          name: 'Kassa Pro, годовая подписка',
          quantity: 1,
          sum: 1500,
          payment_method: 'full_payment',
          payment_object: 'service',
          tax: 'none',
        },
      ],
    });
    // Signed URL-encoded once (the documented way, §4.3); URLSearchParams below encodes it a second time for GET.
    const receipt = new URLSearchParams([['', receiptJson]]).toString().slice(1);
    const shp: Array<[string, string]> = [['Shp_order', String(invId)]];
    const password = isTest ? (merchant.testPassword1 ?? '') : merchant.password1;
    const signature = hashHex(
      merchant.algorithm,
      paymentSignatureBase({ login: merchant.login, outSum: PRICE, invId: String(invId), receipt, shp }, password),
    );
    const query = new URLSearchParams([
      ['MerchantLogin', merchant.login],
      ['OutSum', PRICE],
      ['InvId', String(invId)],
      ['Description', `Заказ №${invId}: Kassa Pro, годовая подписка`],
      ['Receipt', receipt],
      ['Culture', 'ru'],
      ['Encoding', 'utf-8'],
      ...(isTest ? [['IsTest', '1'] as [string, string]] : []),
      ...shp,
      ['SignatureValue', signature],
    ]);
    log(`demo shop: order №${invId} → Robokassa`);
    return c.redirect(`${sandboxUrl}/Merchant/Index.aspx?${query}`, 303);
  });

  const result = async (c: Context) => {
    const p = await readParams(c.req.raw);
    const outSum = p.get('OutSum') ?? '';
    const invIdText = p.get('InvId') ?? '';
    const order = orders.get(Number(invIdText));
    if (!order) return c.text('unknown order', 404);
    const password = order.isTest ? (merchant.testPassword2 ?? '') : merchant.password2;
    const expected = callbackSignature(merchant.algorithm, outSum, invIdText, password, p.shp());
    if (!hexEquals(expected, p.get('SignatureValue') ?? '')) return c.text('bad signature', 400);
    // Amounts compared as decimals: ResultURL says 1500.000000 for our 1500.00.
    if (parseAmount(outSum) !== order.amount) return c.text('amount mismatch', 400);
    if (order.status !== 'оплачен') {
      order.status = 'оплачен';
      order.events.push(`ResultURL: оплачено через ${p.get('IncCurrLabel') ?? '?'}, комиссия ${p.get('Fee') ?? '?'}`);
      log(`demo shop: order №${order.invId} paid (ResultURL verified)`);
    } else {
      order.events.push('ResultURL повторно (уже оплачен)');
    }
    return c.text(`OK${invIdText}\n`);
  };
  app.post('/robokassa/result', result);
  app.get('/robokassa/result', result);

  const success = async (c: Context) => {
    const p = await readParams(c.req.raw);
    const invIdText = p.get('InvId') ?? '';
    const order = orders.get(Number(invIdText));
    const password = order?.isTest ? (merchant.testPassword1 ?? '') : merchant.password1;
    const expected = callbackSignature(merchant.algorithm, p.get('OutSum') ?? '', invIdText, password, p.shp());
    if (!order || !hexEquals(expected, p.get('SignatureValue') ?? '')) {
      return page('Ошибка', '<main><div class="card"><h1>Подпись SuccessURL не сошлась</h1></div></main>');
    }
    order.events.push('SuccessURL: покупатель вернулся');
    const text =
      order.status === 'оплачен'
        ? `Спасибо! Заказ №${order.invId} оплачен — Robokassa сообщила об этом на ResultURL.`
        : `Заказ №${order.invId}: оплата подтверждается, ResultURL ещё не пришёл.`;
    return page(
      'Спасибо',
      `<main><div class="card" data-result="success"><h1>${escapeHtml(text)}</h1><p><a href="/">В магазин</a></p></div></main>`,
    );
  };
  app.get('/robokassa/success', success);
  app.post('/robokassa/success', success);

  const fail = async (c: Context) => {
    const p = await readParams(c.req.raw);
    const order = orders.get(Number(p.get('InvId') ?? ''));
    // FailURL is unsigned: it only says the buyer came back, never that the order failed for sure.
    if (order && order.status === 'ожидает оплаты') order.events.push('FailURL: покупатель не оплатил');
    return page(
      'Оплата не завершена',
      `<main><div class="card" data-result="fail"><h1>Оплата не завершена</h1><p>Заказ №${escapeHtml(
        p.get('InvId') ?? '',
      )} не оплачен. <a href="/">Попробовать ещё раз</a></p></div></main>`,
    );
  };
  app.get('/robokassa/fail', fail);
  app.post('/robokassa/fail', fail);

  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve(
      {
        fetch: app.fetch,
        hostname: options.host ?? '127.0.0.1',
        port: options.port ?? 0,
        overrideGlobalObjects: false,
      },
      () => resolve(s),
    );
    s.once('error', reject);
  });
  const host = options.host ?? '127.0.0.1';
  baseUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    resultUrl: `${baseUrl}/robokassa/result`,
    successUrl: `${baseUrl}/robokassa/success`,
    failUrl: `${baseUrl}/robokassa/fail`,
    assistNotifyUrl: assist && `${baseUrl}/assist/notify`,
    assistReturnUrlOk: assist && `${baseUrl}/assist/ok`,
    assistReturnUrlNo: assist && `${baseUrl}/assist/no`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
