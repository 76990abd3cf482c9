import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Medusa from '@medusajs/js-sdk';
import { esc, FAVICON_SVG, page } from './html.mts';
import { type Lang, money, pickLang, WORDS, type Words } from './i18n.mts';

/**
 * A deliberately small storefront: server-rendered pages over Medusa's Store API through `@medusajs/js-sdk`, in
 * Russian and English. The buyer puts products in a cart (one line per product, the quantity changed on the cart
 * page), picks a gateway and a method at checkout (Robokassa with its method catalog, or Assist: card / SBP), and is
 * sent to the gateway with the signed form the plugin put in the payment session. Every way back — after paying,
 * the browser's Back button, a reloaded page, a form sent twice, «вернуться в магазин» — lands on the order's
 * confirmation or on a page that says what to do next. Nothing it sends decides an amount: the plugin reads the
 * cart on the server.
 */

export interface StorefrontOptions {
  medusaUrl: string;
  publishableKey: string;
  port?: number;
  host?: string;
  /** Provider ids, as Medusa registers them from medusa-config (`pp_{identifier}_{id}`). */
  providers?: { robokassa?: string; assist?: string };
  /** How many times the «waiting for payment» page refreshes itself (every 2 s) before it stops and offers to pay again. */
  waitRefreshes?: number;
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

type Gateway = 'robokassa' | 'assist';

/** A method the buyer picks: `robokassa:SBPPSR`, `assist:card`… (remembered in a cookie for the next attempt). */
interface Choice {
  gateway: Gateway;
  method?: string;
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

const ASSIST_METHODS = ['card', 'sbp'] as const;

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

function cookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

function parseChoice(text: string | null | undefined): Choice | undefined {
  const [gateway, method] = (text ?? '').split(':', 2);
  if (gateway !== 'robokassa' && gateway !== 'assist') return undefined;
  const clean = method && /^[A-Za-z0-9_]{1,40}$/.test(method) ? method : undefined;
  return { gateway, ...(clean ? { method: clean } : {}) };
}

const cookie = (name: string, value: string) =>
  `${name}=${encodeURIComponent(value)}; Path=/; SameSite=Lax; HttpOnly; Max-Age=2592000`;

export async function startStorefront(options: StorefrontOptions): Promise<Storefront> {
  const sdk = new Medusa({ baseUrl: options.medusaUrl, publishableKey: options.publishableKey });
  const providers: Record<Gateway, string | undefined> = {
    robokassa: options.providers?.robokassa ?? 'pp_robokassa_robokassa',
    assist: options.providers?.assist,
  };
  const waitRefreshes = options.waitRefreshes ?? 15;
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

  /** One request's context: the language, its words, the cookies, and how to answer. */
  const context = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const jar = cookies(req);
    const lang = pickLang(url.searchParams.get('lang'), jar.lang, req.headers['accept-language']);
    const t = WORDS[lang];
    const other = new URL(url);
    other.searchParams.set('lang', lang === 'ru' ? 'en' : 'ru');
    const setCookies: string[] = [];
    if (url.searchParams.get('lang') === lang) setCookies.push(cookie('lang', lang));
    const send = (status: number, title: string, body: string) => {
      res.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        // Never from a cache: Back and reload must ask the server where the order stands.
        'cache-control': 'no-store',
        ...(setCookies.length ? { 'set-cookie': setCookies } : {}),
      });
      res.end(page(title, body, { lang, switchTo: `${other.pathname}${other.search}`, cartLabel: t.cart }));
    };
    const redirect = (location: string, extra: string[] = []) => {
      const all = [...setCookies, ...extra];
      res.writeHead(303, { location, 'cache-control': 'no-store', ...(all.length ? { 'set-cookie': all } : {}) });
      res.end();
    };
    return { jar, lang, t, send, redirect };
  };
  type Ctx = ReturnType<typeof context>;

  const cartOf = async (cartId: string | undefined) => {
    if (!cartId) return undefined;
    const { cart } = await sdk.store.cart
      .retrieve(cartId, {
        fields:
          'id,email,total,item_total,shipping_total,completed_at,*items,*shipping_methods,*payment_collection,*payment_collection.payment_sessions',
      })
      .catch(() => ({ cart: undefined }));
    return cart;
  };

  const confirmedUrl = (cartId: string, extra = '') => `/order/confirmed?cart_id=${encodeURIComponent(cartId)}${extra}`;

  const home = async (ctx: Ctx) => {
    const { products } = await sdk.store.product.list({
      region_id: await region(),
      fields: 'id,title,description,*variants,*variants.calculated_price',
    });
    const cards = products
      .map((p) => {
        const v = p.variants?.[0];
        const price = v?.calculated_price?.calculated_amount;
        return `<div class="card"><div class="row"><strong>${esc(p.title)}</strong><span>${price === undefined || price === null ? '' : esc(money(price, ctx.lang))}</span></div>
          <p class="muted">${esc(p.description)}</p>
          <form method="post" action="/cart/add"><input type="hidden" name="variant_id" value="${esc(v?.id)}">
          <button type="submit" data-test="buy">${esc(ctx.t.buy)}</button></form></div>`;
      })
      .join('');
    ctx.send(200, ctx.t.catalog, `<h1>${esc(ctx.t.catalog)}</h1>${cards}`);
  };

  /**
   * «Купить» puts the product in the cart once: pressing it again (or resending the form) does not add a second
   * one. The quantity is changed on the cart page.
   */
  const addToCart = async (req: IncomingMessage, ctx: Ctx) => {
    const form = await readForm(req);
    const variantId = form.get('variant_id') ?? '';
    let cart = await cartOf(ctx.jar.cart_id);
    if (!cart || cart.completed_at) {
      cart = (await sdk.store.cart.create({ region_id: await region() })).cart;
    }
    if (!(cart.items ?? []).some((i) => i.variant_id === variantId)) {
      await sdk.store.cart.createLineItem(cart.id, { variant_id: variantId, quantity: 1 });
    }
    ctx.redirect('/cart', [`cart_id=${cart.id}; Path=/; SameSite=Lax; HttpOnly`]);
  };

  const cartPage = async (ctx: Ctx) => {
    const cart = await cartOf(ctx.jar.cart_id);
    if (cart?.completed_at) return ctx.redirect(confirmedUrl(cart.id));
    const items = cart?.items ?? [];
    if (!cart || items.length === 0) {
      return ctx.send(
        200,
        ctx.t.cart,
        `<h1>${esc(ctx.t.cart)}</h1><p>${esc(ctx.t.cartEmpty)}</p><p><a href="/">${esc(ctx.t.backToCatalog)}</a></p>`,
      );
    }
    const rows = items
      .map(
        (i) => `<tr><td>${esc(i.product_title)}</td><td><form method="post" action="/cart/line">
          <input type="hidden" name="line_id" value="${esc(i.id)}">
          <label>${esc(ctx.t.quantity)} <input type="number" name="quantity" min="0" max="99" value="${esc(i.quantity)}" data-test="quantity"></label>
          <button type="submit" data-test="update-quantity">${esc(ctx.t.update)}</button></form></td>
          <td>${esc(money(Number(i.total ?? 0), ctx.lang))}</td></tr>`,
      )
      .join('');
    ctx.send(
      200,
      ctx.t.cart,
      `<h1>${esc(ctx.t.cart)}</h1><div class="card"><table>${rows}
      <tr><td><strong>${esc(ctx.t.subtotal)}</strong></td><td></td><td data-test="cart-subtotal"><strong>${esc(money(Number(cart.item_total ?? 0), ctx.lang))}</strong></td></tr></table></div>
      <p><a class="button" href="/checkout?cart_id=${esc(encodeURIComponent(cart.id))}" data-test="to-checkout">${esc(ctx.t.toCheckout)}</a>
      <a class="button secondary" href="/">${esc(ctx.t.backToCatalog)}</a></p>`,
    );
  };

  const updateLine = async (req: IncomingMessage, ctx: Ctx) => {
    const form = await readForm(req);
    const cart = await cartOf(ctx.jar.cart_id);
    const line = (cart?.items ?? []).find((i) => i.id === form.get('line_id'));
    const quantity = Number(form.get('quantity'));
    if (cart && !cart.completed_at && line && Number.isInteger(quantity) && quantity >= 0 && quantity <= 99) {
      if (quantity === 0) await sdk.store.cart.deleteLineItem(cart.id, line.id);
      else if (quantity !== line.quantity) await sdk.store.cart.updateLineItem(cart.id, line.id, { quantity });
    }
    ctx.redirect('/cart');
  };

  const robokassaMethods = async (cartId: string): Promise<{ chooser: string; methods: Method[] }> => {
    try {
      return await sdk.client.fetch<{ chooser: string; methods: Method[] }>('/store/robokassa/methods', {
        query: { cart_id: cartId, lang: 'ru' },
      });
    } catch {
      return { chooser: 'robokassa', methods: [] };
    }
  };

  /** Delivery is part of the total the buyer sees before paying: address and the courier are set on entering checkout. */
  const readyForCheckout = async (cartId: string) => {
    let cart = await cartOf(cartId);
    if (!cart || cart.completed_at) return cart;
    if ((cart.shipping_methods ?? []).length === 0) {
      const { email: _e, ...address } = DEMO_BUYER;
      await sdk.store.cart.update(cartId, { shipping_address: address, billing_address: address });
      const { shipping_options } = await sdk.store.fulfillment.listCartOptions({ cart_id: cartId });
      const option = shipping_options[0];
      if (!option) throw new Error('No shipping option for this cart: run the seed');
      await sdk.store.cart.addShippingMethod(cartId, { option_id: option.id });
      cart = await cartOf(cartId);
    }
    return cart;
  };

  const checkout = async (url: URL, ctx: Ctx) => {
    const cartId = url.searchParams.get('cart_id') ?? ctx.jar.cart_id ?? '';
    const cart = await readyForCheckout(cartId);
    if (!cart) return ctx.redirect('/cart');
    if (cart.completed_at) return ctx.redirect(confirmedUrl(cart.id));
    if ((cart.items ?? []).length === 0) return ctx.redirect('/cart');
    const t = ctx.t;
    // The last method this buyer chose comes back preselected (a cookie), else the first one.
    const remembered = parseChoice(ctx.jar.pay_method);
    const options: Array<{ value: string; label: string; group: Gateway }> = [];
    if (providers.robokassa) {
      const catalog = await robokassaMethods(cart.id);
      if (catalog.chooser === 'shop' && catalog.methods.length > 0) {
        for (const m of catalog.methods) {
          options.push({
            value: `robokassa:${m.incCurrLabel}`,
            label: `${m.name} (${m.groupDescription})`,
            group: 'robokassa',
          });
        }
      } else {
        options.push({ value: 'robokassa', label: t.methodOnGatewayPage, group: 'robokassa' });
      }
    }
    if (providers.assist) {
      options.push({ value: 'assist:card', label: t.assistCard, group: 'assist' });
      options.push({ value: 'assist:sbp', label: t.assistSbp, group: 'assist' });
    }
    const rememberedValue = remembered
      ? `${remembered.gateway}${remembered.method ? `:${remembered.method}` : ''}`
      : '';
    const checked = options.some((o) => o.value === rememberedValue) ? rememberedValue : options[0]?.value;
    const groups = (['robokassa', 'assist'] as const)
      .filter((g) => options.some((o) => o.group === g))
      .map(
        (g) =>
          `<fieldset data-gateway="${g}"><strong>${esc(t[g])}</strong>${options
            .filter((o) => o.group === g)
            .map(
              (o) =>
                `<label class="method"><input type="radio" name="method" value="${esc(o.value)}"${o.value === checked ? ' checked' : ''}> ${esc(o.label)}</label>`,
            )
            .join('')}</fieldset>`,
      )
      .join('');
    const lines = (cart.items ?? [])
      .map(
        (i) =>
          `<tr><td>${esc(i.product_title)} × ${esc(i.quantity)}</td><td>${esc(money(Number(i.total ?? 0), ctx.lang))}</td></tr>`,
      )
      .join('');
    const total = money(Number(cart.total ?? 0), ctx.lang);
    const returned = url.searchParams.has('payment');
    ctx.send(
      200,
      t.checkout,
      `<h1>${esc(t.checkout)}</h1>
      ${returned ? `<p class="muted" data-test="payment-unfinished">${esc(t.unfinished)}</p>` : ''}
      <div class="card"><table>${lines}<tr><td>${esc(t.shipping)}</td><td>${esc(money(Number(cart.shipping_total ?? 0), ctx.lang))}</td></tr>
      <tr><td><strong>${esc(t.total)}</strong></td><td data-test="total"><strong>${esc(total)}</strong></td></tr></table></div>
      <form method="post" action="/checkout/pay">
        <input type="hidden" name="cart_id" value="${esc(cart.id)}">
        <div class="card"><label>${esc(t.email)} <input type="email" name="email" value="${esc(cart.email ?? DEMO_BUYER.email)}" required></label>
        <p class="muted">${esc(t.deliverTo)}: ${esc(DEMO_BUYER.city)}, ${esc(DEMO_BUYER.address_1)}</p></div>
        <div class="card"><strong>${esc(t.payWith)}</strong>${groups}</div>
        <button type="submit" data-test="pay">${esc(t.pay)} ${esc(total)}</button>
      </form>`,
    );
  };

  /**
   * Creates the payment session and sends the buyer on with 303 to GET /checkout/go: a reload or a second press
   * never re-posts this form, and a cart that is already paid goes to its confirmation.
   */
  const pay = async (req: IncomingMessage, ctx: Ctx) => {
    const form = await readForm(req);
    const cartId = form.get('cart_id') ?? '';
    const cart = await readyForCheckout(cartId);
    if (!cart) return ctx.redirect('/cart');
    if (cart.completed_at) return ctx.redirect(confirmedUrl(cart.id));
    const choice = parseChoice(form.get('method')) ?? { gateway: 'robokassa' };
    const providerId = providers[choice.gateway];
    if (!providerId) return ctx.redirect(`/checkout?cart_id=${encodeURIComponent(cart.id)}`);
    const email = (form.get('email') || DEMO_BUYER.email).trim();
    if (email !== cart.email) await sdk.store.cart.update(cart.id, { email });
    const { cart: fresh } = await sdk.store.cart.retrieve(cart.id);
    const data: Record<string, unknown> = { culture: ctx.lang };
    if (choice.gateway === 'robokassa' && choice.method) data.inc_curr_label = choice.method;
    if (choice.gateway === 'assist' && ASSIST_METHODS.includes(choice.method as (typeof ASSIST_METHODS)[number])) {
      data.method = choice.method;
    }
    await sdk.store.payment.initiatePaymentSession(fresh, { provider_id: providerId, data });
    const remembered = `${choice.gateway}${choice.method ? `:${choice.method}` : ''}`;
    ctx.redirect(`/checkout/go?cart_id=${encodeURIComponent(cart.id)}`, [cookie('pay_method', remembered)]);
  };

  /**
   * The auto-submitted form to the gateway. Only a fresh navigation submits it: coming back to it with Back (after
   * paying, or from the gateway's page) or reloading it goes to the order's status instead of sending the buyer to
   * an invoice that may be paid already (Robokassa's error 40).
   */
  const go = async (url: URL, ctx: Ctx) => {
    const cart = await cartOf(url.searchParams.get('cart_id') ?? '');
    if (!cart) return ctx.redirect('/cart');
    if (cart.completed_at) return ctx.redirect(confirmedUrl(cart.id));
    const known = new Set(Object.values(providers).filter(Boolean));
    const session = (cart.payment_collection?.payment_sessions ?? []).find(
      (s) => known.has(s.provider_id) && s.status === 'pending',
    );
    const form = (session?.data as { form?: { action: string; fields: Array<{ name: string; value: string }> } })?.form;
    if (!form) return ctx.redirect(`/checkout?cart_id=${encodeURIComponent(cart.id)}`);
    const fields = form.fields
      .map((f) => `<input type="hidden" name="${esc(f.name)}" value="${esc(f.value)}">`)
      .join('');
    const status = confirmedUrl(cart.id);
    // A POST form rather than the GET link: a receipt makes URLs long.
    ctx.send(
      200,
      ctx.t.toPayment,
      `<p>${esc(ctx.t.goingToPay)}</p>
      <form id="gateway" method="post" action="${esc(form.action)}">${fields}
      <button type="submit" data-test="go-to-gateway">${esc(ctx.t.goToPayment)}</button></form>
      <script>
        (function () {
          var nav = performance.getEntriesByType('navigation')[0];
          if (nav && nav.type !== 'navigate') { location.replace(${JSON.stringify(status)}); return; }
          window.addEventListener('pageshow', function (e) { if (e.persisted) location.replace(${JSON.stringify(status)}); });
          document.getElementById('gateway').submit();
        })();
      </script>`,
    );
  };

  const confirmed = async (url: URL, ctx: Ctx) => {
    const t = ctx.t;
    const cartId = url.searchParams.get('cart_id') ?? '';
    const invId = /^\d{1,20}$/.test(url.searchParams.get('inv_id') ?? '') ? url.searchParams.get('inv_id') : null;
    let orderId = url.searchParams.get('order_id') || undefined;
    if (!orderId && cartId) {
      // The notification usually created the order already; completing again returns it (Medusa's completion is
      // idempotent), and for a payment whose notification is late it asks the gateway.
      const result = await sdk.store.cart.complete(cartId).catch(() => undefined);
      if (result?.type === 'order') orderId = result.order.id;
    }
    if (!orderId) {
      const n = Math.max(0, Number.parseInt(url.searchParams.get('n') ?? '0', 10) || 0);
      const next = `${confirmedUrl(cartId)}${invId ? `&inv_id=${invId}` : ''}`;
      const actions = `<p><a class="button" href="${esc(next)}" data-test="check-again">${esc(t.checkAgain)}</a>
        <a class="button secondary" href="/checkout?cart_id=${esc(encodeURIComponent(cartId))}" data-test="pay-again">${esc(t.payAgain)}</a></p>`;
      if (n >= waitRefreshes) {
        return ctx.send(
          200,
          t.stoppedTitle,
          `<h1 data-test="payment-not-confirmed">${esc(t.stoppedTitle)}</h1><p>${esc(t.stoppedText)}</p>${actions}`,
        );
      }
      return ctx.send(
        200,
        t.waitingTitle,
        `<meta http-equiv="refresh" content="2;url=${esc(`${next}&n=${n + 1}`)}"><h1 data-test="payment-waiting">${esc(t.waitingTitle)}</h1>
        <p class="muted">${esc(t.waitingText)}</p>${actions}`,
      );
    }
    const { order } = await sdk.store.order.retrieve(orderId, { fields: 'id,display_id,total,email,*items' });
    const items = (order.items ?? []).map((i) => `<li>${esc(i.product_title)} × ${esc(i.quantity)}</li>`).join('');
    ctx.send(
      200,
      t.orderPaid(String(order.display_id)),
      `<h1 class="ok" data-test="order-confirmed">${esc(t.orderPaid(String(order.display_id)))}</h1>
      <div class="card"><ul>${items}</ul><p>${esc(t.total)}: <strong>${esc(money(Number(order.total), ctx.lang))}</strong></p>
      ${invId ? `<p>${esc(t.paymentNumber)}: <strong data-test="payment-number">${esc(invId)}</strong></p>` : ''}
      <p class="muted">${esc(order.email)}</p></div><p><a href="/">${esc(t.backToCatalog)}</a></p>`,
    );
  };

  /** A failure is a page with the next step (the cart is kept), never a bare «something went wrong». */
  const failure = (ctx: Ctx, url: URL) => {
    const cartId = url.searchParams.get('cart_id') ?? ctx.jar.cart_id ?? '';
    const t: Words = ctx.t;
    ctx.send(
      500,
      t.errorTitle,
      `<h1 class="error" data-test="error">${esc(t.errorTitle)}</h1><p>${esc(t.errorText)}</p><p>${esc(t.errorNext)}</p>
      <p>${cartId ? `<a class="button" href="${esc(confirmedUrl(cartId))}">${esc(t.checkOrder)}</a>` : ''}
      <a class="button secondary" href="/checkout?cart_id=${esc(encodeURIComponent(cartId))}">${esc(t.backToCheckout)}</a></p>`,
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
    const ctx = context(req, res, url);
    const routes: Record<string, () => Promise<void>> = {
      'GET /': () => home(ctx),
      'POST /cart/add': () => addToCart(req, ctx),
      'GET /cart': () => cartPage(ctx),
      'POST /cart/line': () => updateLine(req, ctx),
      'GET /checkout': () => checkout(url, ctx),
      'POST /checkout/pay': () => pay(req, ctx),
      'GET /checkout/go': () => go(url, ctx),
      'GET /order/confirmed': () => confirmed(url, ctx),
    };
    const handler = routes[route];
    if (!handler) {
      ctx.send(
        404,
        ctx.t.notFound,
        `<h1>${esc(ctx.t.notFound)}</h1><p><a href="/">${esc(ctx.t.backToCatalog)}</a></p>`,
      );
      return;
    }
    handler().catch((error: unknown) => {
      console.error('storefront:', error instanceof Error ? error.message : error);
      if (!res.headersSent) failure(ctx, url);
    });
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host === undefined || options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export type { Lang };
