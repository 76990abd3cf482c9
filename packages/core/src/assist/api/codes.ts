/**
 * Assist result codes (protocol notes §3.7): `firstcode` is the class of error, `secondcode` the parameter or object
 * it concerns, `responsecode` (AS000…) the outcome of a card operation. English and Russian texts, for error
 * details and the CLI (`explainAssistError`).
 */

export interface AssistCodeText {
  readonly en: string;
  readonly ru: string;
}

export const ASSIST_FIRST_CODES: Readonly<Record<number, AssistCodeText>> = {
  0: { en: 'success', ru: 'успешно' },
  1: { en: 'error', ru: 'ошибка' },
  2: { en: 'internal error', ru: 'внутренняя ошибка' },
  3: { en: 'missing mandatory parameter', ru: 'отсутствует обязательный параметр' },
  4: { en: 'parameter format error', ru: 'ошибка формата параметра' },
  5: { en: 'invalid parameter value', ru: 'недопустимое значение параметра' },
  6: { en: 'inappropriate system version', ru: 'неподходящая версия системы' },
  7: { en: 'authentication error', ru: 'ошибка аутентификации' },
  8: { en: 'authorization error', ru: 'ошибка авторизации' },
  9: { en: 'encryption error', ru: 'ошибка шифрования' },
  10: { en: 'object missing', ru: 'объект отсутствует' },
  11: { en: 'duplicate object', ru: 'дублирование объекта' },
  12: { en: 'object locked', ru: 'объект заблокирован' },
  14: { en: 'forbidden object', ru: 'запрещённый объект' },
  15: { en: 'forbidden operation', ru: 'запрещённая операция' },
  16: { en: 'operation timed out', ru: 'истекло время операции' },
  17: { en: 'limits error', ru: 'ошибка лимитов' },
  18: { en: 'suspected fraud', ru: 'подозрение на мошенничество' },
  19: { en: 'access denied', ru: 'доступ запрещён' },
  20: { en: '3-D Secure authorization error', ru: 'ошибка авторизации 3-D Secure' },
  21: { en: 'operation rejected', ru: 'операция отклонена' },
};

/** Secondcodes 111–148 each name one request parameter (GAM6's table; the protocol notes abbreviate it). */
const PARAMETER_CODES: Readonly<Record<number, string>> = {
  111: 'MEANTYPE',
  112: 'EXPIREMONTH',
  113: 'EXPIREYEAR',
  114: 'CARDHOLDER',
  115: 'CSC2',
  116: 'CLIENTIP',
  117: 'LASTNAME',
  118: 'FIRSTNAME',
  119: 'MIDDLENAME',
  120: 'EMAIL',
  121: 'ADDRESS',
  122: 'PHONE',
  123: 'CITY',
  124: 'STATE',
  125: 'ZIP',
  126: 'LIMITTYPE',
  127: 'LANGUAGE',
  128: 'COUNTRY',
  131: 'SUCCESS',
  132: 'ZIPFLAG',
  133: 'HEADER',
  134: 'HEADER1',
  135: 'DELIMITER',
  136: 'OPENDELIMITER',
  137: 'CLOSEDELIMITER',
  138: 'ROWDELIMITER',
  139: 'FIELDS',
  140: 'SSL',
  144: 'PROTECTCODE',
  147: 'RPSERIES',
  148: 'RPNUMBER',
};

const PARAMETER = (name: string): AssistCodeText => ({ en: `parameter ${name}`, ru: `параметр ${name}` });

export const ASSIST_SECOND_CODES: Readonly<Record<number, AssistCodeText>> = {
  0: { en: 'none', ru: 'нет' },
  1: { en: 'unexpected', ru: 'непредвиденная ошибка' },
  2: { en: 'document too large', ru: 'слишком большой документ' },
  3: { en: 'request rate exceeded', ru: 'превышена частота запросов' },
  4: { en: 'sampling interval too large', ru: 'слишком большой интервал выборки' },
  5: { en: 'key encryption error', ru: 'ошибка шифрования ключом' },
  6: { en: 'key decryption error', ru: 'ошибка расшифровки ключом' },
  100: PARAMETER('MERCHANT_ID'),
  101: PARAMETER('LOGIN'),
  102: PARAMETER('PASSWORD'),
  103: PARAMETER('FORMAT'),
  104: PARAMETER('DATE'),
  105: PARAMETER('CURRENCY'),
  106: PARAMETER('MEANNUMBER'),
  107: PARAMETER('ORDERNUMBER'),
  108: PARAMETER('AMOUNT'),
  109: PARAMETER('DELAY'),
  110: PARAMETER('COMMENT'),
  ...Object.fromEntries(Object.entries(PARAMETER_CODES).map(([code, name]) => [code, PARAMETER(name)])),
  129: { en: 'Start* date parameters', ru: 'параметры начальной даты (Start*)' },
  130: { en: 'End* date parameters', ru: 'параметры конечной даты (End*)' },
  141: { en: 'LOGIN and/or PASSWORD', ru: 'LOGIN и/или PASSWORD' },
  142: { en: 'EXPIREMONTH and/or EXPIREYEAR', ru: 'EXPIREMONTH и/или EXPIREYEAR' },
  143: PARAMETER('BILLNUMBER'),
  145: PARAMETER('OPTYPE'),
  146: PARAMETER('OPSTATE'),
  164: PARAMETER('ORDERSTATE'),
  170: PARAMETER('ResponseCode'),
  179: PARAMETER('CHEQUE'),
  186: PARAMETER('HASHTYPE'),
  200: { en: 'merchant', ru: 'предприятие' },
  201: { en: 'order (or: no payments in the period)', ru: 'заказ (или: за период не было платежей)' },
  202: { en: 'customer', ru: 'покупатель' },
  203: { en: 'card', ru: 'карта' },
  205: { en: 'processing', ru: 'процессинг' },
  208: { en: 'currency', ru: 'валюта' },
  211: { en: 'limit', ru: 'лимит' },
  212: { en: 'TestMode', ru: 'тестовый режим' },
  215: { en: 'SOAP packet', ru: 'SOAP-пакет' },
  216: { en: 'operation', ru: 'операция' },
  220: { en: 'transaction', ru: 'транзакция' },
  221: { en: 'user', ru: 'пользователь' },
  300: { en: 'cancel authorization', ru: 'отмена авторизации' },
  301: { en: 'refund', ru: 'возврат' },
  302: { en: 'financial confirmation', ru: 'финансовое подтверждение' },
  305: { en: 'cancel financial transaction', ru: 'отмена финансовой транзакции' },
  306: { en: 'payment', ru: 'платёж' },
  307: { en: 'confirm operation', ru: 'подтверждение операции' },
  308: { en: 'undo', ru: 'отмена' },
  309: { en: 'bill cancellation', ru: 'аннулирование счёта' },
  320: { en: 'recurring', ru: 'рекуррентный платёж' },
  350: { en: 'web service', ru: 'веб-сервис' },
  400: { en: 'DS error', ru: 'ошибка DS' },
  402: { en: 'waiting for 3-D Secure', ru: 'ожидание 3-D Secure' },
  403: { en: 'authorization forbidden by DS', ru: 'авторизация запрещена DS' },
};

/** Combinations with a more useful reading than their parts (GAM6). */
const COMBINATIONS: Readonly<Record<string, AssistCodeText>> = {
  '10/201': { en: 'no payments in this period', ru: 'за данный период не было платежей' },
  '14/200': {
    en: 'wrong Merchant_ID, or this user has no access to it',
    ru: 'неверный Merchant_ID или у пользователя нет к нему доступа',
  },
  '7/141': {
    en: 'wrong web-service login or password',
    ru: 'неверный логин или пароль веб-сервиса',
  },
};

/** `responsecode` of an operation. */
export const ASSIST_RESPONSE_CODES: Readonly<Record<string, AssistCodeText>> = {
  AS000: { en: 'success', ru: 'авторизация успешно завершена' },
  AS100: { en: 'declined', ru: 'отказ в авторизации' },
  AS101: { en: 'wrong card number', ru: 'неверный номер карты' },
  AS102: { en: 'insufficient funds', ru: 'недостаточно средств' },
  AS104: { en: 'wrong expiry date', ru: 'неверный срок действия карты' },
  AS105: { en: 'card limit exceeded', ru: 'превышен лимит карты' },
  AS106: { en: 'wrong PIN', ru: 'неверный PIN' },
  AS107: { en: 'data error', ru: 'ошибка приёма данных' },
  AS108: { en: 'suspected fraud', ru: 'подозрение на мошенничество' },
  AS109: { en: 'Assist limit exceeded', ru: 'превышен лимит Ассист' },
  AS110: { en: '3-D Secure authorization required', ru: 'требуется авторизация 3-D Secure' },
  AS200: { en: 'repeat the authorization', ru: 'повторите авторизацию' },
  AS300: { en: 'in process, wait', ru: 'операция в обработке, ожидайте' },
  AS400: { en: 'no such payment', ru: 'платёж не найден' },
  AS998: { en: 'system error', ru: 'системная ошибка' },
};

export interface AssistErrorExplanation {
  readonly firstCode: number;
  readonly secondCode: number;
  /** English, one line: `4/108: parameter format error — parameter AMOUNT`. */
  readonly en: string;
  /** Russian, one line. */
  readonly ru: string;
  /** Whether the same request may succeed later without changes (internal error, timeout, rate, lock). */
  readonly transient: boolean;
  /** Whether both codes are in the documented tables. */
  readonly known: boolean;
}

const TRANSIENT_FIRST_CODES = new Set([2, 12, 16]);

/** A readable explanation of a firstcode/secondcode pair, in English and Russian. */
export function explainAssistError(firstCode: number, secondCode: number): AssistErrorExplanation {
  const first = ASSIST_FIRST_CODES[firstCode];
  const second = ASSIST_SECOND_CODES[secondCode];
  const combined = COMBINATIONS[`${firstCode}/${secondCode}`];
  const unknown: AssistCodeText = { en: 'undocumented code', ru: 'недокументированный код' };
  const f = first ?? unknown;
  const s = second ?? unknown;
  const tail = (lang: 'en' | 'ru'): string => {
    if (combined) return `${f[lang]} — ${combined[lang]}`;
    return secondCode === 0 ? f[lang] : `${f[lang]} — ${s[lang]}`;
  };
  return {
    firstCode,
    secondCode,
    en: `${firstCode}/${secondCode}: ${tail('en')}`,
    ru: `${firstCode}/${secondCode}: ${tail('ru')}`,
    transient: TRANSIENT_FIRST_CODES.has(firstCode) || secondCode === 3,
    known: first !== undefined && second !== undefined,
  };
}

/** A readable explanation of a responsecode (`AS102` → insufficient funds). */
export function explainAssistResponseCode(responseCode: string): AssistCodeText | undefined {
  return ASSIST_RESPONSE_CODES[responseCode.trim().toUpperCase()];
}
