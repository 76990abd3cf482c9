import type { Culture } from './store.js';

/**
 * `Culture=ru|en`; any other value means English; without it the browser's language decides (§2.3 "Culture").
 */
export function resolveCulture(param: string | undefined, acceptLanguage: string | undefined): Culture {
  if (param !== undefined && param !== '') return param.trim().toLowerCase() === 'ru' ? 'ru' : 'en';
  // The first language the browser names decides; no preference (absent, empty, `*`) means Robokassa's Russian.
  const first = (acceptLanguage ?? '').split(',')[0]?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (first === '' || first === '*') return 'ru';
  return first.startsWith('ru') ? 'ru' : 'en';
}

const TEXTS = {
  ru: {
    title: 'Оплата заказа',
    errorTitle: 'Ошибка',
    errorCode: 'Код ошибки',
    amount: 'Сумма',
    description: 'Описание',
    invoice: 'Номер счёта',
    invoiceAssigned: 'присвоен Robokassa',
    shop: 'Магазин',
    test: 'тестовый платёж',
    hold: 'Предавторизация (холдирование): деньги будут заблокированы до подтверждения магазином',
    recurring: 'Родительский платёж подписки (рекуррентные списания)',
    expires: 'Оплатить до',
    receipt: 'Чек',
    item: 'Позиция',
    qty: 'Кол-во',
    sum: 'Сумма',
    email: 'E-mail для квитанции',
    choose: 'Способ оплаты',
    noMethods: 'Для этой суммы у магазина нет доступных способов оплаты.',
    upTo: 'до',
    from: 'от',
    pay: 'Оплатить',
    decline: 'Карта отклонена',
    leave: 'Вернуться в магазин',
    warnings: 'Замечания песочницы',
    diagnostics: 'Диагностика песочницы',
    expectedBase: 'Строка, которую хэшировала песочница',
    closedTab: 'Покупатель закрыл вкладку',
    closedTabText:
      'Оплата прошла, но покупатель не вернулся в магазин (имитация). Магазин узнает об оплате из ResultURL.',
    paid: 'Оплата прошла',
    held: 'Деньги заблокированы',
    declined: 'Оплата не прошла',
    left: 'Покупатель отказался от оплаты',
    noReturnUrl: 'Магазин не указал адрес возврата. Результат отправлен на ResultURL.',
    notActive: 'Эта страница оплаты больше не активна',
    notActiveText: 'Операция уже завершена. Откройте оплату заново из магазина.',
    notFound: 'Страница оплаты не найдена',
    unknownMethod: 'Выберите доступный способ оплаты.',
    continue: 'Продолжить',
  },
  en: {
    title: 'Order payment',
    errorTitle: 'Error',
    errorCode: 'Error code',
    amount: 'Amount',
    description: 'Description',
    invoice: 'Invoice number',
    invoiceAssigned: 'assigned by Robokassa',
    shop: 'Shop',
    test: 'test payment',
    hold: 'Pre-authorisation (hold): the money stays blocked until the shop confirms',
    recurring: 'Parent payment of a subscription (recurring charges)',
    expires: 'Pay before',
    receipt: 'Receipt',
    item: 'Item',
    qty: 'Qty',
    sum: 'Sum',
    email: 'E-mail for the receipt',
    choose: 'Payment method',
    noMethods: 'The shop has no payment method for this amount.',
    upTo: 'up to',
    from: 'from',
    pay: 'Pay',
    decline: 'Card declined',
    leave: 'Back to the shop',
    warnings: 'Sandbox notes',
    diagnostics: 'Sandbox diagnostics',
    expectedBase: 'The string the sandbox hashed',
    closedTab: 'The buyer closed the tab',
    closedTabText:
      'The payment went through but the buyer never returned to the shop (simulated). The shop learns about it from ResultURL.',
    paid: 'Payment succeeded',
    held: 'Funds are on hold',
    declined: 'Payment failed',
    left: 'The buyer cancelled the payment',
    noReturnUrl: 'The shop has no return URL. The result went to ResultURL.',
    notActive: 'This payment page is no longer active',
    notActiveText: 'The operation is already finished. Start the payment again from the shop.',
    notFound: 'Payment page not found',
    unknownMethod: 'Choose an available payment method.',
    continue: 'Continue',
  },
} as const;

export type Texts = { readonly [K in keyof (typeof TEXTS)['ru']]: string };

export function texts(culture: Culture): Texts {
  return TEXTS[culture];
}
