/** The storefront's words in Russian (the default) and English; `?lang=en` switches and a cookie remembers it. */

export type Lang = 'ru' | 'en';

const ru = {
  catalog: 'Каталог',
  buy: 'Купить',
  cart: 'Корзина',
  cartEmpty: 'Корзина пуста.',
  backToCatalog: 'Вернуться в каталог',
  quantity: 'Количество',
  update: 'Обновить',
  remove: 'Удалить',
  subtotal: 'Товары',
  toCheckout: 'Оформить заказ',
  checkout: 'Оформление заказа',
  shipping: 'Доставка (курьер)',
  total: 'Итого',
  deliverTo: 'Доставка',
  email: 'E-mail (сюда придёт чек)',
  payWith: 'Способ оплаты',
  robokassa: 'Robokassa',
  assist: 'Assist',
  assistCard: 'Банковская карта',
  assistSbp: 'СБП',
  methodOnGatewayPage: 'Способ оплаты выбирается на странице Robokassa',
  pay: 'Оплатить',
  unfinished: 'Оплата не завершена, деньги не списаны. Можно выбрать способ оплаты и оплатить снова — заказ ждёт вас.',
  toPayment: 'Переход к оплате',
  goingToPay: 'Переходим на страницу оплаты…',
  goToPayment: 'Перейти к оплате',
  waitingTitle: 'Ждём подтверждения оплаты',
  waitingText: 'Платёжная система ещё не сообщила об оплате. Страница обновится сама.',
  stoppedTitle: 'Оплата пока не подтверждена',
  stoppedText:
    'Если вы оплатили, заказ появится, как только платёжная система сообщит об этом (обычно в течение нескольких минут; мы проверяем сами). Если нет — оплатите снова.',
  checkAgain: 'Проверить ещё раз',
  payAgain: 'Оплатить снова',
  orderPaid: (n: string) => `Спасибо! Заказ №${n} оплачен`,
  paymentNumber: 'Номер платежа',
  errorTitle: 'Не получилось',
  errorText: 'Что-то пошло не так на нашей стороне. Корзина сохранена, деньги не списаны дважды.',
  errorNext: 'Проверьте заказ или вернитесь к оформлению.',
  checkOrder: 'Проверить заказ',
  backToCheckout: 'Вернуться к оформлению',
  notFound: 'Страница не найдена',
};

export type Words = typeof ru;

const en: Words = {
  catalog: 'Catalogue',
  buy: 'Buy',
  cart: 'Cart',
  cartEmpty: 'Your cart is empty.',
  backToCatalog: 'Back to the catalogue',
  quantity: 'Quantity',
  update: 'Update',
  remove: 'Remove',
  subtotal: 'Items',
  toCheckout: 'Check out',
  checkout: 'Checkout',
  shipping: 'Delivery (courier)',
  total: 'Total',
  deliverTo: 'Delivery',
  email: 'E-mail (the receipt goes here)',
  payWith: 'Payment method',
  robokassa: 'Robokassa',
  assist: 'Assist',
  assistCard: 'Bank card',
  assistSbp: 'SBP (Faster Payments)',
  methodOnGatewayPage: 'Choose the method on Robokassa’s page',
  pay: 'Pay',
  unfinished:
    'The payment was not completed and no money was taken. Choose a method and pay again: your order is waiting.',
  toPayment: 'To the payment page',
  goingToPay: 'Taking you to the payment page…',
  goToPayment: 'Go to the payment page',
  waitingTitle: 'Waiting for the payment to be confirmed',
  waitingText: 'The payment system has not reported the payment yet. This page refreshes by itself.',
  stoppedTitle: 'The payment is not confirmed yet',
  stoppedText:
    'If you paid, the order appears as soon as the payment system reports it (usually within minutes; we check on our own). If not, pay again.',
  checkAgain: 'Check again',
  payAgain: 'Pay again',
  orderPaid: (n: string) => `Thank you! Order #${n} is paid`,
  paymentNumber: 'Payment number',
  errorTitle: 'That did not work',
  errorText: 'Something went wrong on our side. Your cart is kept and nothing was charged twice.',
  errorNext: 'Check your order or go back to checkout.',
  checkOrder: 'Check my order',
  backToCheckout: 'Back to checkout',
  notFound: 'Page not found',
};

export const WORDS: Record<Lang, Words> = { ru, en };

/** `?lang=` first, then the cookie, then the browser's first language; Russian otherwise. */
export function pickLang(query: string | null, cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  for (const candidate of [query, cookie]) if (candidate === 'ru' || candidate === 'en') return candidate;
  return /^\s*en\b/i.test(acceptLanguage ?? '') ? 'en' : 'ru';
}

/** Money as the buyer reads it: «1 534,50 ₽» / "1,534.50 ₽", from Medusa's decimal amount. */
export function money(amount: number | string, lang: Lang): string {
  const [whole = '0', cents = '00'] = (typeof amount === 'number' ? amount.toFixed(2) : amount).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, lang === 'ru' ? '\u00a0' : ',');
  return `${grouped}${lang === 'ru' ? ',' : '.'}${cents.padEnd(2, '0').slice(0, 2)}\u00a0₽`;
}
