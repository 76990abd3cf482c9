/**
 * The bridge: WooCommerce orders ↔ core's Gateway port and ledger. Routes are short; the logic is core's use cases
 * (issuePayment, handleNotification, refundPayment, capturePayment, cancelPayment, reconcilePayments) with one
 * platform step, `settleOrder`: mark the WooCommerce order paid (or on hold) exactly once.
 */
import {
  type CurrencyCode,
  cancelPayment,
  capturePayment,
  formatMoney,
  type Gateway,
  type GatewayId,
  gatewayLogger,
  handleHoldNotification,
  handleNotification,
  isCurrencyCode,
  isKassaError,
  issuePayment,
  KassaError,
  type Logger,
  type PaymentRecord,
  parseMoney,
  reconcilePayments,
  refreshPayment,
  refundPayment,
  reissuePayment,
  type SettleStep,
} from '@kassa/core';
import { AssistGateway, createAssistConfig } from '@kassa/core/assist';
import { createRobokassaConfig, RobokassaGateway } from '@kassa/core/robokassa';
import { z } from 'zod';
import { orderMeta, type Shop, type WooOrder } from './shop.js';
import { verifyApiRequest, verifyPayLink } from './signing.js';
import type { BridgeStore } from './store.js';

/** Gateway settings as the PHP plugin pushes them (secrets only when changed: absent keeps the stored value). */
export const gatewaySettingsSchema = z.object({
  gateway: z.enum(['robokassa', 'assist']),
  hold: z.boolean().default(false),
  robokassa: z.record(z.string(), z.unknown()).optional(),
  /**
   * Robokassa's ResultUrl2 certificate (PEM, jwtsign.cer from the cabinet's docs). With it a hold names the bridge's
   * `/notify/robokassa/hold` and the RS256-signed `HOLD` puts the order on hold; without it holds settle through the
   * buyer's return and reconciliation (OpStateExt).
   */
  robokassaCertificate: z.string().max(16_384).optional(),
  assist: z.record(z.string(), z.unknown()).optional(),
  /** Receipt defaults (54-FZ): tax code for every line, taxation system. */
  receipt: z.object({ tax: z.string().default('none'), sno: z.string().optional() }).optional(),
});
export type GatewaySettings = z.infer<typeof gatewaySettingsSchema>;

export interface BridgeOptions {
  shop: Shop;
  store: BridgeStore;
  /** Shared with the PHP plugin. */
  secret: string;
  /** The bridge's own URL as the gateway and the buyer reach it. */
  publicUrl: string;
  /** Initial gateway settings (the PHP plugin's push overrides them). */
  settings?: GatewaySettings | undefined;
  logger?: Logger | undefined;
  /** Payment method id of the PHP gateway. */
  paymentMethod?: string | undefined;
}

const NOTE_TAG = (gateway: GatewayId, invoiceId: string) => `[kassa:${gateway}:${invoiceId}]`;
const PAYABLE = new Set(['pending', 'failed', 'on-hold', 'checkout-draft']);

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
}

function page(status: number, title: string, text: string): Response {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return new Response(
    `<!doctype html><html lang="ru"><meta charset="utf-8"><title>${esc(title)}</title><body><h1>${esc(title)}</h1><p>${esc(text)}</p></body></html>`,
    { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } },
  );
}

function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });
}

function autoPostForm(action: string, fields: readonly { name: string; value: string }[]): Response {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const inputs = fields.map((f) => `<input type="hidden" name="${esc(f.name)}" value="${esc(f.value)}">`).join('');
  return new Response(
    `<!doctype html><html lang="ru"><meta charset="utf-8"><title>Оплата</title><body onload="document.forms[0].submit()"><form method="POST" action="${esc(action)}" accept-charset="utf-8">${inputs}<noscript><button>Перейти к оплате</button></noscript></form></body></html>`,
    { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } },
  );
}

export interface Bridge {
  fetch(request: Request): Promise<Response>;
  /** Lost notifications, unsettled orders and interrupted refunds, for every configured gateway. */
  reconcile(options?: { olderThanMs?: number }): Promise<Record<string, unknown>>;
  settleOrder: SettleStep;
  gateways(): Promise<{ active: Gateway | undefined; all: Gateway[] }>;
}

export function createBridge(options: BridgeOptions): Bridge {
  const { shop, store, secret } = options;
  const ledger = store.ledger;
  const publicUrl = options.publicUrl.replace(/\/+$/, '');
  let cached: { settings: GatewaySettings; robokassa?: RobokassaGateway; assist?: AssistGateway } | undefined;

  const build = (settings: GatewaySettings) => {
    const robokassa = settings.robokassa
      ? new RobokassaGateway(
          createRobokassaConfig(settings.robokassa),
          settings.robokassaCertificate ? { resultUrl2Certificate: settings.robokassaCertificate } : {},
        )
      : undefined;
    const assist = settings.assist ? new AssistGateway(createAssistConfig(settings.assist)) : undefined;
    cached = { settings, ...(robokassa ? { robokassa } : {}), ...(assist ? { assist } : {}) };
    return cached;
  };
  const current = async () => {
    if (cached) return cached;
    const stored = await store.loadSettings();
    const settings = stored ? gatewaySettingsSchema.parse(stored) : options.settings;
    if (!settings) return undefined;
    return build(settings);
  };
  const gatewayById = async (id: GatewayId): Promise<Gateway | undefined> => (await current())?.[id];
  const log = (gateway: Gateway) => gatewayLogger(gateway, options.logger);

  // One settle step at a time per order in this process; across processes WooCommerce's own state is re-read.
  const locks = new Map<string, Promise<void>>();
  const withLock = async (key: string, fn: () => Promise<void>) => {
    const previous = locks.get(key) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const tail = next.catch(() => {});
    locks.set(key, tail);
    try {
      await next;
    } finally {
      if (locks.get(key) === tail) locks.delete(key);
    }
  };

  const transactionId = (record: PaymentRecord) =>
    record.details.billnumber ?? record.details.opKey ?? `${record.gateway}-${record.invoiceId}`;

  const settleOrder: SettleStep = async (given) => {
    await withLock(`${given.gateway}:${given.invoiceId}`, async () => {
      const record = await ledger.find({ gateway: given.gateway, invoiceId: given.invoiceId });
      if (!record || (record.state !== 'paid' && record.state !== 'held')) return;
      if (record.settledState === record.state) return;
      const orderId = Number(record.reference);
      const order = await shop.getOrder(orderId);
      if (!order) throw new KassaError('UNKNOWN_INVOICE', 'The order of this invoice is gone from WooCommerce');
      const tag = NOTE_TAG(record.gateway, record.invoiceId);
      const paidBy = orderMeta(order, '_kassa_invoice');
      const txn = transactionId(record);
      let note: string | undefined;
      if (record.state === 'paid') {
        if (order.date_paid === null && paidBy !== record.invoiceId) {
          // set_paid overwrites transaction_id every time: only while WooCommerce still waits for the payment.
          await shop.updateOrder(orderId, {
            set_paid: true,
            transaction_id: txn,
            meta_data: [
              { key: '_kassa_invoice', value: record.invoiceId },
              { key: '_kassa_gateway', value: record.gateway },
            ],
          });
          note = `Оплачено через ${record.gateway === 'robokassa' ? 'Robokassa' : 'Assist'}: ${formatMoney(record.amount)} ${record.amount.currency}, счёт ${record.invoiceId}, транзакция ${txn}`;
        } else if (paidBy === record.invoiceId) {
          note = `Оплата подтверждена: счёт ${record.invoiceId}, транзакция ${txn}`;
          if (orderMeta(order, '_kassa_held') === 'yes') {
            // A captured hold: the order already moved on; record the transaction without set_paid.
            await shop.updateOrder(orderId, {
              transaction_id: txn,
              meta_data: [{ key: '_kassa_held', value: 'captured' }],
            });
            note = `Списание удержанных средств: счёт ${record.invoiceId}, ${record.details.captured ?? formatMoney(record.amount)} ${record.amount.currency}`;
          }
        } else {
          note = `ВНИМАНИЕ: заказ уже оплачен иначе, а счёт ${record.invoiceId} (${record.gateway}) тоже оплачен: верните деньги или свяжитесь с покупателем.`;
        }
      } else if (record.state === 'held') {
        if (order.date_paid === null && PAYABLE.has(order.status) && order.status !== 'on-hold') {
          await shop.updateOrder(orderId, {
            status: 'on-hold',
            transaction_id: txn,
            meta_data: [
              { key: '_kassa_invoice', value: record.invoiceId },
              { key: '_kassa_gateway', value: record.gateway },
              { key: '_kassa_held', value: 'yes' },
            ],
          });
        }
        note = `Средства удержаны (${record.gateway}): ${formatMoney(record.amount)} ${record.amount.currency}, счёт ${record.invoiceId}. Переведите заказ в «Обработка», чтобы списать, или отмените.`;
      }
      if (note !== undefined) {
        const notes = await shop.listNotes(orderId);
        const stateTag = `${tag}[${record.state}]`;
        if (!notes.some((n) => n.note.includes(stateTag))) await shop.addNote(orderId, `${note} ${stateTag}`);
      }
      await ledger.markSettled({ gateway: record.gateway, invoiceId: record.invoiceId }, record.state);
    });
  };

  const receiptOf = (order: WooOrder, settings: GatewaySettings, currency: CurrencyCode) => {
    const tax = settings.receipt?.tax ?? 'none';
    const items = [
      ...order.line_items.map((l) => ({ name: l.name.slice(0, 128), quantity: l.quantity, sum: l.total, tax })),
      ...order.shipping_lines
        .filter((s) => Number(s.total) > 0)
        .map((s) => ({
          name: s.method_title.slice(0, 128),
          quantity: 1,
          sum: s.total,
          tax,
          payment_object: 'service',
        })),
      ...(order.fee_lines ?? [])
        .filter((f) => Number(f.total) > 0)
        .map((f) => ({ name: f.name.slice(0, 128), quantity: 1, sum: f.total, tax, payment_object: 'service' })),
    ];
    // Only a receipt whose lines add up to the total (taxes included in the lines) is sent; else the cabinet's default.
    let sum = 0n;
    for (const item of items) sum += parseMoney(Number(item.sum).toFixed(2), currency).minor;
    if (sum !== parseMoney(order.total, currency).minor || items.length === 0 || items.length > 100) return undefined;
    return {
      ...(settings.receipt?.sno ? { sno: settings.receipt.sno } : {}),
      items: items.map((i) => ({ ...i, sum: Number(i.sum).toFixed(2) })),
    };
  };

  const pay = async (request: Request, url: URL, orderId: number): Promise<Response> => {
    if (!verifyPayLink(secret, url.pathname + url.search))
      return page(403, 'Ссылка недействительна', 'Вернитесь в магазин и оформите оплату заново.');
    const config = await current();
    const gateway = config?.[config.settings.gateway];
    if (!config || !gateway) return page(503, 'Оплата недоступна', 'Платёжный шлюз ещё не настроен.');
    const order = await shop.getOrder(orderId);
    const key = url.searchParams.get('key') ?? '';
    if (!order || order.order_key !== key) return page(404, 'Заказ не найден', 'Проверьте ссылку.');
    const returnUrl = url.searchParams.get('return') ?? '';
    const cancelUrl = url.searchParams.get('cancel') ?? '';
    const existing = await ledger.findByReference(String(orderId));
    if (
      order.date_paid !== null ||
      !PAYABLE.has(order.status) ||
      (existing && existing.state !== 'pending' && existing.state !== 'cancelled' && existing.state !== 'failed')
    ) {
      return redirect(returnUrl);
    }
    if (!isCurrencyCode(order.currency)) return page(400, 'Валюта не поддерживается', order.currency);
    const currency = order.currency;
    const amount = parseMoney(order.total, currency);
    await store.saveUrls(orderId, { returnUrl, cancelUrl });
    const method = url.searchParams.get('method') || undefined;
    const hold = config.settings.hold && gateway.capabilities.hold;
    // Robokassa announces a hold on ResultUrl2 only (ResultURL comes after the capture): named when it can be verified.
    const holdNotification =
      hold && gateway.id === 'robokassa' && config.settings.robokassaCertificate
        ? `${publicUrl}/notify/${gateway.id}/hold`
        : undefined;
    const input = {
      reference: String(orderId),
      amount,
      isTest:
        gateway.id === 'robokassa'
          ? (gateway as RobokassaGateway).config.testMode
          : (gateway as AssistGateway).config.testMode,
      description: `Заказ ${orderId}`,
      hold,
      receipt: receiptOf(order, config.settings, currency),
      method,
      email: order.billing?.email || undefined,
      urls: {
        notification: `${publicUrl}/notify/${gateway.id}`,
        success: `${publicUrl}/return/${gateway.id}/success`,
        fail: `${publicUrl}/return/${gateway.id}/fail`,
        ...(holdNotification ? { holdNotification } : {}),
      },
    };
    const deps = { gateway, ledger };
    const issued =
      existing && existing.state === 'pending' && existing.gateway === gateway.id
        ? await reissuePayment(deps, existing, input)
        : await issuePayment(deps, input);
    void request;
    return autoPostForm(issued.redirect.form.action, issued.redirect.form.fields);
  };

  const returned = async (request: Request, gatewayId: GatewayId, pageName: 'success' | 'fail'): Promise<Response> => {
    const gateway = await gatewayById(gatewayId);
    if (!gateway) return page(404, 'Не найдено', '');
    const text = request.method === 'POST' ? await request.text() : new URL(request.url).search.slice(1);
    const read = await gateway.readReturn(text, pageName, (invoiceId) =>
      ledger.find({ gateway: gatewayId, invoiceId }),
    );
    if (!read.ok) return page(400, 'Неверный запрос', 'Вернитесь в магазин.');
    let record = await ledger.find({ gateway: gatewayId, invoiceId: read.invoiceId });
    if (!record) return page(404, 'Счёт не найден', 'Вернитесь в магазин.');
    const urls = await store.loadUrls(Number(record.reference));
    if (!urls) return page(404, 'Заказ не найден', 'Вернитесь в магазин.');
    // The return only hints; the gateway's status API decides (nothing a buyer sends changes an order by itself).
    if (read.success && record.state === 'pending') {
      try {
        record = (
          await refreshPayment({ gateway, ledger, onSettled: settleOrder, logger: log(gateway) }, record, 'return')
        ).record;
      } catch {
        // The notification or reconciliation will settle it.
      }
    }
    if (record.state === 'paid' || record.state === 'held' || (read.success && read.trusted))
      return redirect(urls.returnUrl);
    return redirect(read.success ? urls.returnUrl : urls.cancelUrl);
  };

  const api = async (request: Request, url: URL): Promise<Response> => {
    const body = request.method === 'POST' ? await request.text() : '';
    const ok = verifyApiRequest(secret, {
      method: request.method,
      path: url.pathname + url.search,
      body,
      timestamp: request.headers.get('x-kassa-timestamp'),
      signature: request.headers.get('x-kassa-signature'),
    });
    if (!ok) return json(401, { error: 'unauthorized', message: 'bad signature' });
    let input: Record<string, unknown> = {};
    try {
      input = body === '' ? {} : (JSON.parse(body) as Record<string, unknown>);
    } catch {
      return json(400, { error: 'bad_request', message: 'body is not JSON' });
    }
    try {
      switch (url.pathname) {
        case '/api/settings': {
          const previous = (await store.loadSettings()) as GatewaySettings | undefined;
          const merged = {
            ...(previous ?? options.settings ?? {}),
            ...input,
            robokassa: input.robokassa
              ? { ...(previous?.robokassa ?? {}), ...(input.robokassa as object) }
              : previous?.robokassa,
            assist: input.assist ? { ...(previous?.assist ?? {}), ...(input.assist as object) } : previous?.assist,
          };
          const settings = gatewaySettingsSchema.parse(merged);
          build(settings); // validates the gateway configs (CONFIG_INVALID names every bad key, never a value)
          await store.saveSettings(settings);
          return json(200, {
            ok: true,
            gateway: settings.gateway,
            configured: { robokassa: !!cached?.robokassa, assist: !!cached?.assist },
          });
        }
        case '/api/methods': {
          const config = await current();
          const gateway = config?.[config.settings.gateway];
          const currency = url.searchParams.get('currency') ?? 'RUB';
          if (!gateway || !isCurrencyCode(currency)) return json(200, { chooser: 'gateway', methods: [] });
          const choice = await gateway.methods({
            amount: parseMoney(url.searchParams.get('amount') ?? '0', currency, { allowZero: true }),
          });
          return json(200, choice);
        }
        case '/api/refund':
        case '/api/capture':
        case '/api/cancel': {
          const orderId = Number(input.orderId);
          const record = Number.isSafeInteger(orderId) ? await ledger.findByReference(String(orderId)) : undefined;
          if (!record)
            return json(404, { error: 'UNKNOWN_INVOICE', message: 'No payment of this order is known to the bridge' });
          const gateway = await gatewayById(record.gateway);
          if (!gateway) return json(409, { error: 'CONFIG_INVALID', message: `${record.gateway} is not configured` });
          const deps = { gateway, ledger };
          if (url.pathname === '/api/refund') {
            const amount = parseMoney(String(input.amount), record.amount.currency);
            const done = await refundPayment(deps, record, { amount });
            if (input.record === true)
              await shop.createRefund(orderId, { amount: formatMoney(amount), reason: String(input.reason ?? '') });
            return json(200, { ok: true, state: done.state, refunded: formatMoney(done.refunded) });
          }
          if (url.pathname === '/api/capture') {
            const done = await capturePayment(deps, record);
            await settleOrder(done, {
              firstTime: false,
              source: 'capture',
              event: { kind: 'paid', amount: done.amount, isTest: done.isTest, details: {} },
            });
            return json(200, { ok: true, state: done.state });
          }
          const done = await cancelPayment(deps, record);
          return json(200, { ok: true, state: done.state });
        }
        case '/api/reconcile': {
          // `olderThanMs` (≥ 0) lets an operator settle records left unsettled by a crash right away, instead of
          // leaving the notification's own settle step its minute.
          const olderThanMs = Number(input.olderThanMs);
          return json(200, await reconcile(Number.isFinite(olderThanMs) && olderThanMs >= 0 ? { olderThanMs } : {}));
        }
      }
      return json(404, { error: 'not_found', message: 'no such route' });
    } catch (error) {
      if (error instanceof z.ZodError)
        return json(400, { error: 'CONFIG_INVALID', message: 'settings do not match the schema' });
      if (isKassaError(error))
        return json(error.code === 'LEDGER_CONFLICT' ? 409 : 422, { error: error.code, message: error.message });
      options.logger?.error('WC_BRIDGE_ERROR', { error });
      return json(500, { error: 'internal', message: 'internal error' });
    }
  };

  const reconcile = async (opts: { olderThanMs?: number } = {}) => {
    const config = await current();
    const out: Record<string, unknown> = {};
    for (const gateway of [config?.robokassa, config?.assist]) {
      if (!gateway) continue;
      out[gateway.id] = await reconcilePayments({
        gateway,
        ledger,
        olderThanMs: opts.olderThanMs ?? 60_000,
        limit: 100,
        onSettled: settleOrder,
        logger: options.logger,
      });
    }
    return out;
  };

  return {
    settleOrder,
    reconcile,
    async gateways() {
      const config = await current();
      const all = [config?.robokassa, config?.assist].filter((g): g is NonNullable<typeof g> => g !== undefined);
      return { active: config?.[config.settings.gateway], all };
    },
    async fetch(request) {
      const url = new URL(request.url);
      const path = url.pathname;
      try {
        if (path === '/health') return json(200, { ok: true });
        if (path.startsWith('/api/')) return await api(request, url);
        const notify = /^\/notify\/(robokassa|assist)$/.exec(path);
        if (notify) {
          const gateway = await gatewayById(notify[1] as GatewayId);
          if (!gateway) return new Response('not configured', { status: 503 });
          return await handleNotification(request, { gateway, ledger, onSettled: settleOrder, logger: options.logger });
        }
        const hold = /^\/notify\/(robokassa|assist)\/hold$/.exec(path);
        if (hold) {
          const gateway = await gatewayById(hold[1] as GatewayId);
          if (!gateway) return new Response('not configured', { status: 503 });
          return await handleHoldNotification(request, {
            gateway,
            ledger,
            onSettled: settleOrder,
            logger: options.logger,
          });
        }
        const payMatch = /^\/pay\/(\d{1,12})$/.exec(path);
        if (payMatch && request.method === 'GET') return await pay(request, url, Number(payMatch[1]));
        const ret = /^\/return\/(robokassa|assist)\/(success|fail)$/.exec(path);
        if (ret) return await returned(request, ret[1] as GatewayId, ret[2] as 'success' | 'fail');
        return page(404, 'Не найдено', '');
      } catch (error) {
        options.logger?.error('WC_BRIDGE_ERROR', { path: path.slice(0, 64), error });
        return page(503, 'Временная ошибка', 'Попробуйте ещё раз через минуту.');
      }
    },
  };
}
