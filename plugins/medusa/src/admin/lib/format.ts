import type { Language, MessageKey, Translate } from './i18n';

const LOCALES: Record<Language, string> = { ru: 'ru-RU', en: 'en-US' };

/**
 * Money as Medusa's admin shows it (`Intl.NumberFormat`, style currency, narrow symbol), in the admin's language:
 * `1 534,50 ₽` / `₽1,534.50`. The amount stays a decimal string all the way: `Intl.NumberFormat` formats a numeric
 * string exactly, so no kopeck is lost to a float. Minimum two decimals so a fee of `0.000000` reads `0,00 ₽`.
 */
export function formatMoney(amount: string, currency: string, language: Language): string {
  const code = currency.toUpperCase() === 'RUR' ? 'RUB' : currency.toUpperCase();
  const value = normaliseDecimal(amount);
  if (value === undefined) return `${amount} ${currency}`;
  try {
    const formatter = new Intl.NumberFormat(LOCALES[language], {
      style: 'currency',
      currency: code,
      currencyDisplay: 'narrowSymbol',
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
    // A numeric string is formatted exactly (Intl.NumberFormat v3); the lib types only know numbers.
    return formatter.format(value as unknown as number);
  } catch {
    return `${amount} ${code}`;
  }
}

/** `"0.000000"` → `"0.00"`: the gateway's six decimals cut to kopecks (rounding half up on the third digit). */
function normaliseDecimal(amount: string): string | undefined {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!match) return undefined;
  const [, sign = '', whole = '0', fraction = ''] = match;
  let minor = BigInt(whole) * 100n + BigInt((fraction + '00').slice(0, 2));
  if ((fraction[2] ?? '0') >= '5') minor += 1n;
  return `${sign}${minor / 100n}.${String(minor % 100n).padStart(2, '0')}`;
}

/** A date and time in the admin's language (`4 дек. 2026 г., 03:10`). */
export function formatDateTime(iso: string, language: Language): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

const STATE_KEYS: Record<string, MessageKey> = {
  pending: 'state.pending',
  held: 'state.held',
  paid: 'state.paid',
  cancelled: 'state.cancelled',
  failed: 'state.failed',
  refund_requested: 'state.refund_requested',
  partially_refunded: 'state.partially_refunded',
  refunded: 'state.refunded',
};

/** A ledger state in the merchant's words. */
export function stateLabel(state: string, t: Translate): string {
  const key = STATE_KEYS[state];
  return key ? t(key) : t('state.unknown', { state });
}

export type BadgeColor = 'green' | 'orange' | 'red' | 'grey' | 'blue' | 'purple';

export const STATE_COLORS: Record<string, BadgeColor> = {
  paid: 'green',
  held: 'blue',
  pending: 'orange',
  refund_requested: 'purple',
  partially_refunded: 'orange',
  refunded: 'grey',
  cancelled: 'grey',
  failed: 'red',
};

/**
 * Robokassa's `IncCurrLabel` (`SBPPSR`, `BankCardPSR`…) and `PaymentMethod` (`BankCard`, `SBP`, `EMoney`…), and
 * Assist's mean types, as the buyer knows them. Matched on a normalised code so `BankCardPSR`, `BankCard` and
 * `bank_card` all read «Банковская карта».
 */
const METHOD_KEYS: Array<[RegExp, MessageKey]> = [
  [/^(sbp|fps|qr)/, 'method.sbp'],
  [/^sberpay/, 'method.sberpay'],
  [/^(tinkoffpay|tpay)/, 'method.tpay'],
  [/^yandexpay/, 'method.yandexpay'],
  [/^mirpay/, 'method.mirpay'],
  [/^applepay/, 'method.applepay'],
  [/^googlepay/, 'method.googlepay'],
  [/^samsungpay/, 'method.samsungpay'],
  [/^(bankcard|card|visa|mastercard|mir$|mircard|maestro|jcb|unionpay|amex|dinersclub)/, 'method.card'],
  [/^(emoney|wm|webmoney|yoomoney|qiwi|wallet)/, 'method.emoney'],
  [/^(mobile|mts|beeline|megafon|tele2|rurubeeline|ruru)/, 'method.mobile'],
  [/^(installment|podeli|credit|otp|pokupay)/, 'method.installments'],
];

export function methodName(codes: ReadonlyArray<string | null | undefined>, t: Translate): string {
  for (const code of codes) {
    if (!code) continue;
    const normalised = code.toLowerCase().replace(/[^a-z0-9]/g, '');
    const hit = METHOD_KEYS.find(([pattern]) => pattern.test(normalised));
    if (hit) return t(hit[1]);
  }
  const raw = codes.find((c) => c);
  return raw ?? t('method.none');
}
