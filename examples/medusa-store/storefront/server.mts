import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Medusa from '@medusajs/js-sdk';
import { esc, FAVICON_SVG, page, rub } from './html.mts';

/**
 * A deliberately small storefront: server-rendered pages over Medusa's Store API through `@medusajs/js-sdk`.
 * Checkout offers Robokassa with the method catalog (card, SBP, wallets…), sends the buyer to Robokassa with the
 * signed form the plugin put in the payment session, and shows the order when the buyer comes back.
 * Nothing it sends decides an amount: the plugin reads the cart on the server.
 */

export interface StorefrontOptions {
  medusaUrl: string;
  publishableKey: string;
  port?: number;
  host?: string;
  providerId?: string;
}

export interface Storefront {
  url: string;
  close(): Promise<void>;
}

interface Method {
  incCurrLabel: string;
  name: string;
  groupDescription: string;
}

const DEMO_BUYER = {
  email: 'buyer@example.com',
  first_name: 'Иван',
  last_name: 'Петров',
  address_1: 'ул. Тверская, 1',
  city: 'Москва',
  postal_code: '125009',
  country_code: 'ru',
  phone: '+79990000000',
};

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

function redirect(res: ServerResponse, location: string, cookie?: string): void {
  res.writeHead(303, { location, ...(cookie ? { 'set-cookie': cookie } : {}) });
  res.end();
}

function cartCookie(req: IncomingMessage): string | undefined {
  const match = /(?:^|;\s*)cart_id=([^;]+)/.exec(req.headers.cookie ?? '');
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

export async function startStorefront(options: StorefrontOptions): Promise<Storefront> {
  const sdk = new Medusa({ baseUrl: options.medusaUrl, publishableKey: options.publishableKey });
  const providerId = options.providerId ?? 'pp_robokassa_robokassa';
  let regionId: string | undefined;

  const region = async (): Promise<string> => {
    if (!regionId) {
      const { regions } = await sdk.store.region.list();
      const rub = regions.find((r) => r.currency_code === 'rub') ?? regions[0];
      if (!rub) throw new Error('No region: run the seed first');
      regionId = rub.id;
    }
    return regionId;
  };

  const home = async (res: ServerResponse) => {
    const { products } = await sdk.store.product.list({
      region_id: await region(),
      fields: 'id,title,description,*variants,*variants.calculated_price',
    });
    const cards = products
      .map((p) => {
        const v = p.variants?.[0];
        const price = v?.calculated_price?.calculated_amount;
        return `<div class="card"><div class="row"><strong>${esc(p.title)}</strong><span>${price === undefined || price === null ? '' : rub(price)}</span></div>
          <p class="muted">${esc(p.description)}</p>
          <form method="post" action="/cart/add"><input type="hidden" name="variant_id" value="${esc(v?.id)}">
          <button type="submit" data-test="buy">Купить</button></form></div>`;
      })
      .join('');
    send(res, 200, page('Каталог', `<h1>Каталог</h1>${cards}`));
  };

  const addToCart = async (req: IncomingMessage, res: ServerResponse) => {
    const form = await readForm(req);
    const variantId = form.get('variant_id') ?? '';
    let cartId = cartCookie(req);
    if (cartId) {
      const { cart } = await sdk.store.cart
        .retrieve(cartId, { fields: 'id,completed_at' })
        .catch(() => ({ cart: null }));
      if (!cart || cart.completed_at) cartId = undefined;
    }
    if (!cartId) {
      const { cart } = await sdk.store.cart.create({ region_id: await region() });
      cartId = cart.id;
    }
    await sdk.store.cart.createLineItem(cartId, { variant_id: variantId, quantity: 1 });
    redirect(
      res,
      `/checkout?cart_id=${encodeURIComponent(cartId)}`,
      `cart_id=${cartId}; Path=/; SameSite=Lax; HttpOnly`,
    );
  };

  const methodsFor = async (cartId: string): Promise<{ chooser: string; methods: Method[] }> => {
    try {
      return await sdk.client.fetch<{ chooser: string; methods: Method[] }>('/store/robokassa/methods', {
        query: { cart_id: cartId, lang: 'ru' },
      });
    } catch {
      return { chooser: 'robokassa', methods: [] };
    }
  };

  const checkout = async (url: URL, res: ServerResponse) => {
    const cartId = url.searchParams.get('cart_id') ?? '';
    const { cart } = await sdk.store.cart.retrieve(cartId, {
      fields: 'id,total,completed_at,*items,shipping_total,email',
    });
    if (cart.completed_at) {
      redirect(res, `/order/confirmed?cart_id=${encodeURIComponent(cart.id)}`);
      return;
    }
    const catalog = await methodsFor(cart.id);
    const failed = url.searchParams.get('payment') === 'failed';
    const lines = (cart.items ?? [])
      .map((i) => `<tr><td>${esc(i.product_title)} × ${esc(i.quantity)}</td><td>${rub(Number(i.total ?? 0))}</td></tr>`)
      .join('');
    const methods =
      catalog.chooser === 'shop' && catalog.methods.length > 0
        ? catalog.methods
            .map(
              (m, i) =>
                `<label class="method"><input type="radio" name="inc_curr_label" value="${esc(m.incCurrLabel)}" ${i === 0 ? 'checked' : ''}> ${esc(m.name)} <span class="muted">(${esc(m.groupDescription)})</span></label>`,
            )
            .join('')
        : '<p class="muted">Способ оплаты выбирается на странице Robokassa.</p>';
    send(
      res,
      200,
      page(
        'Оформление заказа',
        `<h1>Оформление заказа</h1>
        ${failed ? '<p class="error" data-test="payment-failed">Оплата не прошла. Можно попробовать ещё раз.</p>' : ''}
        <div class="card"><table>${lines}<tr><td>Доставка (курьер)</td><td>${rub(300)}</td></tr></table></div>
        <form method="post" action="/checkout/pay">
          <input type="hidden" name="cart_id" value="${esc(cart.id)}">
          <div class="card"><label>E-mail <input type="email" name="email" value="${esc(cart.email ?? DEMO_BUYER.email)}" required></label>
          <p class="muted">Доставка: ${esc(DEMO_BUYER.city)}, ${esc(DEMO_BUYER.address_1)}</p></div>
          <div class="card"><strong>Оплата через Robokassa</strong>${methods}</div>
          <button type="submit" data-test="pay">Оплатить</button>
        </form>`,
      ),
    );
  };

  const pay = async (req: IncomingMessage, res: ServerResponse) => {
    const form = await readForm(req);
    const cartId = form.get('cart_id') ?? '';
    const email = form.get('email') || DEMO_BUYER.email;
    const { email: _e, ...address } = DEMO_BUYER;
    await sdk.store.cart.update(cartId, { email, shipping_address: address, billing_address: address });
    const { shipping_options } = await sdk.store.fulfillment.listCartOptions({ cart_id: cartId });
    const option = shipping_options[0];
    if (!option) throw new Error('No shipping option for this cart: run the seed');
    await sdk.store.cart.addShippingMethod(cartId, { option_id: option.id });
    const { cart } = await sdk.store.cart.retrieve(cartId);
    const label = form.get('inc_curr_label');
    const { payment_collection } = await sdk.store.payment.initiatePaymentSession(cart, {
      provider_id: providerId,
      data: label ? { inc_curr_label: label } : {},
    });
    const session = payment_collection.payment_sessions?.find((s) => s.provider_id === providerId);
    const data = session?.data as { form?: { action: string; fields: Array<{ name: string; value: string }> } };
    if (!data?.form) throw new Error('The payment session has no Robokassa form');
    const fields = data.form.fields
      .map((f) => `<input type="hidden" name="${esc(f.name)}" value="${esc(f.value)}">`)
      .join('');
    // A POST form rather than the GET link: the receipt makes URLs long.
    send(
      res,
      200,
      page(
        'Переход к оплате',
        `<p>Переходим на страницу Robokassa…</p>
        <form id="robokassa" method="post" action="${esc(data.form.action)}">${fields}
        <button type="submit" data-test="go-to-robokassa">Перейти к оплате</button></form>
        <script>document.getElementById('robokassa').submit()</script>`,
      ),
    );
  };

  const confirmed = async (url: URL, res: ServerResponse) => {
    const cartId = url.searchParams.get('cart_id') ?? '';
    let orderId = url.searchParams.get('order_id') || undefined;
    if (!orderId) {
      // ResultURL usually created the order already; completing again returns it (Medusa's completion is idempotent).
      const result = await sdk.store.cart.complete(cartId).catch(() => undefined);
      if (result?.type === 'order') orderId = result.order.id;
    }
    if (!orderId) {
      send(
        res,
        200,
        page(
          'Платёж обрабатывается',
          `<meta http-equiv="refresh" content="2"><h1>Платёж обрабатывается</h1><p class="muted">Ждём подтверждения от Robokassa…</p>`,
        ),
      );
      return;
    }
    const { order } = await sdk.store.order.retrieve(orderId, { fields: 'id,display_id,total,email,*items' });
    const items = (order.items ?? []).map((i) => `<li>${esc(i.product_title)} × ${esc(i.quantity)}</li>`).join('');
    send(
      res,
      200,
      page(
        'Заказ оформлен',
        `<h1 class="ok" data-test="order-confirmed">Спасибо! Заказ №${esc(order.display_id)} оплачен</h1>
        <div class="card"><ul>${items}</ul><p>Итого: <strong>${rub(Number(order.total))}</strong></p>
        <p class="muted">Заказ ${esc(order.id)} · ${esc(order.email)}</p></div><p><a href="/">Вернуться в каталог</a></p>`,
      ),
    );
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://storefront.local');
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /favicon.svg' || route === 'GET /favicon.ico') {
      res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' });
      res.end(FAVICON_SVG);
      return;
    }
    const handler =
      route === 'GET /'
        ? () => home(res)
        : route === 'POST /cart/add'
          ? () => addToCart(req, res)
          : route === 'GET /checkout'
            ? () => checkout(url, res)
            : route === 'POST /checkout/pay'
              ? () => pay(req, res)
              : route === 'GET /order/confirmed'
                ? () => confirmed(url, res)
                : undefined;
    if (!handler) {
      send(res, 404, page('Не найдено', '<h1>Страница не найдена</h1>'));
      return;
    }
    handler().catch((error: unknown) => {
      console.error('storefront:', error instanceof Error ? error.message : error);
      if (!res.headersSent) send(res, 500, page('Ошибка', '<h1 class="error">Что-то пошло не так</h1>'));
    });
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host === undefined || options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
