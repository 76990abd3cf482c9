/**
 * Payment-page error codes with Robokassa's wording (DOC-pay «Типовые ошибки», protocol notes §1.6). The page
 * shows them to the buyer; the shop never gets them back, which is why a developer needs the sandbox to see them.
 */
export const ERROR_CODES = {
  23: {
    ru: 'Тестовый платёж невозможен: у магазина нет тестовых настроек',
    en: 'A test payment is impossible: the shop has no test settings',
  },
  25: { ru: 'Магазин не активирован', en: 'The shop is not activated' },
  26: { ru: 'Магазин не найден', en: 'Shop not found' },
  29: { ru: 'Неверный параметр SignatureValue', en: 'Invalid SignatureValue parameter' },
  30: { ru: 'Неверный параметр счёта', en: 'Invalid invoice parameter' },
  31: { ru: 'Неверная сумма платежа', en: 'Invalid payment amount' },
  33: { ru: 'Время, отведённое на оплату счёта, истекло', en: 'The time allowed to pay this invoice has expired' },
  34: {
    ru: 'Услуга рекуррентных платежей не разрешена магазину',
    en: 'Recurring payments are not enabled for the shop',
  },
  35: {
    ru: 'Неверные параметры для инициализации рекуррентного платежа',
    en: 'Invalid parameters for a recurring payment',
  },
  40: {
    ru: 'Повторная оплата счёта с тем же номером невозможна',
    en: 'An invoice with the same number cannot be paid again',
  },
  41: { ru: 'Ошибка на старте операции', en: 'The operation failed to start' },
  64: { ru: 'Функционал холдирования средств запрещён для магазина', en: 'Holding funds is not enabled for the shop' },
  65: { ru: 'Некорректные параметры для холдирования', en: 'Invalid hold parameters' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A refused request: the code Robokassa would show, plus what exactly was wrong (for the developer). */
export interface PaymentError {
  code: ErrorCode;
  detail: string;
  /** For error 29: the base string the sandbox hashed, with the password replaced by a placeholder. */
  expectedBase?: string | undefined;
}

export function paymentError(code: ErrorCode, detail: string, expectedBase?: string): PaymentError {
  return { code, detail, expectedBase };
}
