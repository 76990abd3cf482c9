import { escapeHtml, htmlResponse, layout } from '../html.js';
import { displayAmount } from '../money.js';
import type { AssistError } from './codes.js';
import { describeCodes } from './codes.js';
import type { AssistMerchantConfig, AssistMethod } from './config.js';
import { formatMinor } from './money.js';
import type { AssistBill } from './store.js';

/** The sandbox's Assist pages: the payment page, the error page of order.cfm, and plain notices. Bilingual. */

export const ASSIST_BRAND = '<b>Assist</b>';
const PRODUCT = 'Assist';

const TEXTS = {
  RU: {
    title: 'Оплата заказа',
    shop: 'Магазин',
    order: 'Номер заказа',
    bill: 'Номер счёта (billnumber)',
    comment: 'Комментарий',
    test: 'тестовый режим',
    hold: 'Двухстадийная оплата: сумма будет заблокирована до подтверждения магазином',
    recurring: 'Первый платёж подписки (рекуррентные списания)',
    choose: 'Способ оплаты',
    card: 'Банковская карта',
    sbp: 'СБП (Система быстрых платежей)',
    ym: 'Кошелёк ЮMoney',
    wm: 'Кошелёк WebMoney',
    qiwi: 'Кошелёк QIWI',
    cardNumber: 'Номер карты',
    cardholder: 'Держатель карты',
    cardHint: '4111 1111 1111 1111 — успешная оплата; 4000 0000 0000 0002 — отказ AS100; 4000 0000 0000 9995 — AS102',
    noMethods: 'Для этого заказа нет доступных способов оплаты.',
    pay: 'Оплатить',
    decline: 'Отказ банка',
    abandon: 'Отказаться от оплаты',
    warnings: 'Замечания песочницы',
    errorTitle: 'Ошибка',
    diagnostics: 'Диагностика песочницы',
    expected: 'Строка X, которую хэшировала песочница',
    invalidCard: 'Неверный номер карты.',
    unknownMethod: 'Выберите доступный способ оплаты.',
    notFound: 'Страница оплаты не найдена',
    notActive: 'Эта страница оплаты больше не активна',
    notActiveText: 'Оплата уже завершена. Начните её заново из магазина.',
    alreadyPaid: 'Заказ уже оплачен',
    alreadyPaidText: 'По этому заказу уже есть успешная оплата.',
    closedTab: 'Покупатель закрыл вкладку',
    closedTabText: 'Результат отправлен магазину уведомлением, но покупатель не вернулся в магазин (имитация).',
    result: 'Результат оплаты',
    noReturn: 'Магазин не указал адрес возврата. Результат отправлен уведомлением.',
  },
  EN: {
    title: 'Order payment',
    shop: 'Shop',
    order: 'Order number',
    bill: 'Bill number',
    comment: 'Comment',
    test: 'test mode',
    hold: 'Two-stage payment: the amount stays blocked until the shop confirms it',
    recurring: 'First payment of a subscription (recurring charges)',
    choose: 'Payment method',
    card: 'Bank card',
    sbp: 'SBP (Faster Payments System)',
    ym: 'YooMoney wallet',
    wm: 'WebMoney wallet',
    qiwi: 'QIWI wallet',
    cardNumber: 'Card number',
    cardholder: 'Cardholder',
    cardHint: '4111 1111 1111 1111 approves; 4000 0000 0000 0002 is declined (AS100); 4000 0000 0000 9995 gives AS102',
    noMethods: 'No payment method is available for this order.',
    pay: 'Pay',
    decline: 'Bank declines',
    abandon: 'Cancel payment',
    warnings: 'Sandbox notes',
    errorTitle: 'Error',
    diagnostics: 'Sandbox diagnostics',
    expected: 'The string X the sandbox hashed',
    invalidCard: 'Invalid card number.',
    unknownMethod: 'Choose an available payment method.',
    notFound: 'Payment page not found',
    notActive: 'This payment page is no longer active',
    notActiveText: 'The payment is already finished. Start it again from the shop.',
    alreadyPaid: 'The order is already paid',
    alreadyPaidText: 'This order already has a successful payment.',
    closedTab: 'The buyer closed the tab',
    closedTabText: 'The shop got the notification, but the buyer never came back to it (simulated).',
    result: 'Payment result',
    noReturn: 'The shop has no return URL. The result went out as a notification.',
  },
} as const;

export type AssistLanguage = keyof typeof TEXTS;
export type AssistTexts = { readonly [K in keyof (typeof TEXTS)['RU']]: string };
export const assistTexts = (language: AssistLanguage): AssistTexts => TEXTS[language];

const lang = (language: AssistLanguage) => (language === 'EN' ? 'en' : 'ru');

/** The payment page: order facts, the methods the order allows, a test card field, and three ways out. */
export function renderAssistPage(bill: AssistBill, merchant: AssistMerchantConfig, notice?: string): string {
  const t = assistTexts(bill.language);
  const amount = displayAmount(bill.amount, bill.currency);
  const facts = [
    [t.shop, merchant.name ?? merchant.merchantId],
    [t.order, bill.orderNumber],
    [t.bill, bill.billNumber],
    [t.comment, bill.comment],
  ]
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `<dt>${escapeHtml(k ?? '')}</dt><dd>${escapeHtml(v ?? '')}</dd>`)
    .join('');
  const methods = bill.methods
    .map(
      (m: AssistMethod, i) =>
        `<label class="method"><input type="radio" name="method" value="${m}"${i === 0 ? ' checked' : ''} required> ${escapeHtml(t[m])}</label>`,
    )
    .join('');
  const cardFields = bill.methods.includes('card')
    ? `<fieldset data-card><legend>${escapeHtml(t.card)}</legend>
<label>${escapeHtml(t.cardNumber)}<br><input type="text" inputmode="numeric" name="card" value="4111 1111 1111 1111" autocomplete="cc-number" pattern="[0-9 ]{12,23}"></label>
<label>${escapeHtml(t.cardholder)}<br><input type="text" name="cardholder" value="TEST" autocomplete="cc-name"></label>
<p class="limit">${escapeHtml(t.cardHint)}</p></fieldset>`
    : '';
  const flags = [bill.delay ? t.hold : '', bill.recurring ? t.recurring : ''].filter(Boolean);
  const warnings = [...(notice ? [notice] : []), ...bill.warnings];
  const base = `/pay/sandbox/${encodeURIComponent(bill.billNumber)}`;
  const body = `<main data-bill-number="${escapeHtml(bill.billNumber)}">
<div class="card">
<h1>${escapeHtml(t.title)}</h1>
<div class="amount" data-amount="${escapeHtml(formatMinor(bill.amount))}">${escapeHtml(amount)}</div>
<dl class="facts">${facts}</dl>
${flags.map((f) => `<p class="warn">${escapeHtml(f)}</p>`).join('')}
</div>
<form class="card" method="post" action="${base}/pay">
<h2>${escapeHtml(t.choose)}</h2>
${methods ? `<fieldset>${methods}</fieldset>` : `<p>${escapeHtml(t.noMethods)}</p>`}
${cardFields}
<div class="actions">
<button class="pay" type="submit" data-action="pay"${methods ? '' : ' disabled'}>${escapeHtml(t.pay)} ${escapeHtml(amount)}</button>
<button class="decline" type="submit" formaction="${base}/decline" formnovalidate data-action="decline">${escapeHtml(t.decline)}</button>
<button class="leave" type="submit" formaction="${base}/abandon" formnovalidate data-action="abandon">${escapeHtml(t.abandon)}</button>
</div>
${warnings.length ? `<div class="warn" data-warnings><b>${escapeHtml(t.warnings)}</b><ul>${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></div>` : ''}
</form>
</main>`;
  return layout({
    title: `${t.title} — ${merchant.name ?? merchant.merchantId}`,
    lang: lang(bill.language),
    body,
    brand: ASSIST_BRAND,
    product: PRODUCT,
    tags: bill.testMode ? `<span class="tag test">${escapeHtml(t.test)}</span>` : '',
  });
}

/**
 * order.cfm's refusal. Assist documents no error page; the sandbox shows the §3.7 code pair, machine-readable in
 * `<meta name="assist-error" content="first/second">`, and below it what exactly was wrong (for a checkvalue, the
 * X it hashed: the secret word is never part of X).
 */
export function assistErrorResponse(error: AssistError, language: AssistLanguage): Response {
  const t = assistTexts(language);
  const code = `${error.firstcode}/${error.secondcode}`;
  const expected =
    error.expectedString === undefined
      ? ''
      : `<h2>${escapeHtml(t.expected)}</h2><pre data-expected-string>${escapeHtml(error.expectedString)}</pre>`;
  const body = `<main data-firstcode="${error.firstcode}" data-secondcode="${error.secondcode}">
<div class="card">
<div class="error-code">${escapeHtml(code)}</div>
<h1>${escapeHtml(t.errorTitle)} ${escapeHtml(code)}: ${escapeHtml(describeCodes(error.firstcode, error.secondcode))}</h1>
</div>
<div class="card"><h2>${escapeHtml(t.diagnostics)}</h2><p id="error-detail">${escapeHtml(error.detail)}</p>${expected}</div>
</main>`;
  return htmlResponse(
    layout({
      title: `${t.errorTitle} ${code}`,
      lang: lang(language),
      head: `<meta name="assist-error" content="${escapeHtml(code)}">\n`,
      body,
      brand: ASSIST_BRAND,
      product: PRODUCT,
    }),
  );
}

export function assistNotice(language: AssistLanguage, title: string, text: string, status = 200, data = ''): Response {
  const body = `<main><div class="card" data-notice${data ? ` data-state="${escapeHtml(data)}"` : ''}><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></div></main>`;
  return htmlResponse(
    layout({ title, lang: lang(language), body, brand: ASSIST_BRAND, product: PRODUCT }),
    undefined,
    status,
  );
}

export function renderAssistPageResponse(bill: AssistBill, merchant: AssistMerchantConfig, notice?: string): Response {
  return htmlResponse(renderAssistPage(bill, merchant, notice));
}
