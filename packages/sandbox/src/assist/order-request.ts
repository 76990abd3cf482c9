import type { ParamBag } from '../params.js';
import { checkvalue, checkvalueEquals, requestString } from './checkvalue.js';
import { type AssistError, assistError, FIRST, SECOND } from './codes.js';
import { ASSIST_METHODS, type AssistMerchantConfig, type AssistMethod, METHOD_FLAGS } from './config.js';
import { parseDayMonthYear } from './dates.js';
import { parseOrderAmount } from './money.js';
import type { AssistPayer, AssistRecurring, AssistStore } from './store.js';

/** A validated `/pay/order.cfm` request: everything the payment page and the bill need. */
export interface AssistOrderRequest {
  merchant: AssistMerchantConfig;
  orderNumber: string;
  orderAmountSent: string;
  amount: number;
  currency: string;
  comment: string;
  delay: boolean;
  language: 'RU' | 'EN';
  payer: AssistPayer;
  methods: AssistMethod[];
  returnUrl?: string | undefined;
  returnUrlOk?: string | undefined;
  returnUrlNo?: string | undefined;
  customerNumber?: string | undefined;
  recurring?: AssistRecurring | undefined;
  warnings: string[];
}

export type OrderValidation =
  | { ok: true; request: AssistOrderRequest }
  | { ok: false; error: AssistError; language: 'RU' | 'EN' };

/** Field limits of §1.1 (characters). */
const LIMITS: Array<[name: string, max: number]> = [
  ['Lastname', 70],
  ['Firstname', 70],
  ['Middlename', 70],
  ['Email', 128],
  ['Address', 256],
  ['HomePhone', 64],
  ['WorkPhone', 20],
  ['MobilePhone', 20],
  ['Fax', 20],
  ['Country', 3],
  ['State', 3],
  ['City', 70],
  ['Zip', 25],
];

/** States in which a bill has taken (or still holds) the buyer's money: the order is paid, no new attempt. */
export const AUTHORISED_STATES = new Set(['Approved', 'Delayed', 'PartialDelayed', 'Canceled', 'PartialCanceled']);

const isHttpUrl = (value: string) => {
  const url = URL.parse(value);
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:');
};

/**
 * Checks an order.cfm request the way §11 lists it: names case-insensitively, Merchant_ID known, OrderNumber
 * 1–128, OrderAmount `\d{1,13}(\.\d{1,2})?`, OrderCurrency three letters (the merchant's when absent), Delay 0/1
 * (1 only when allowed), Language RU/EN, the field lengths of §1.1, the recurring fields together, and the
 * checkvalue in the merchant's own delimiter mode. The first problem found is the answer.
 */
export function validateOrderRequest(bag: ParamBag, store: AssistStore): OrderValidation {
  const languageRaw = (bag.get('Language') ?? '').trim().toUpperCase();
  const language: 'RU' | 'EN' = languageRaw === 'EN' ? 'EN' : 'RU';
  const fail = (firstcode: number, secondcode: number, detail: string, expected?: string): OrderValidation => ({
    ok: false,
    error: assistError(firstcode, secondcode, detail, expected),
    language,
  });
  const warnings: string[] = [];

  const merchantId = bag.get('Merchant_ID');
  if (merchantId === undefined || merchantId === '') return fail(FIRST.missing, SECOND.merchantId, 'no Merchant_ID');
  if (!/^\d+$/.test(merchantId)) return fail(FIRST.format, SECOND.merchantId, 'Merchant_ID is not a number');
  const merchant = store.merchants.get(merchantId);
  if (!merchant) return fail(FIRST.invalid, SECOND.merchantId, `no Assist merchant ${merchantId} in the sandbox`);

  const orderNumber = bag.get('OrderNumber');
  if (orderNumber === undefined || orderNumber === '') {
    return fail(FIRST.missing, SECOND.orderNumber, 'no OrderNumber');
  }
  if (orderNumber.length > 128) return fail(FIRST.format, SECOND.orderNumber, 'OrderNumber is over 128 characters');

  const orderAmountSent = bag.get('OrderAmount');
  if (orderAmountSent === undefined || orderAmountSent === '') {
    return fail(FIRST.missing, SECOND.amount, 'no OrderAmount');
  }
  const amount = parseOrderAmount(orderAmountSent);
  if (amount === undefined) {
    return fail(
      FIRST.format,
      SECOND.amount,
      `OrderAmount "${orderAmountSent}" is not digits with at most two decimals after '.'`,
    );
  }
  if (amount === 0) return fail(FIRST.invalid, SECOND.amount, 'OrderAmount is zero');
  if (!/\.\d{2}$/.test(orderAmountSent)) {
    warnings.push(`OrderAmount "${orderAmountSent}" has no two decimals: sign and send 123.45 (§1.2)`);
  }

  const currencySent = bag.get('OrderCurrency');
  let currency = merchant.currencies[0] ?? 'RUB';
  if (currencySent !== undefined && currencySent !== '') {
    if (!/^[A-Za-z]{3}$/.test(currencySent)) {
      return fail(FIRST.format, SECOND.currency, 'OrderCurrency is not three letters');
    }
    currency = currencySent.toUpperCase();
    if (!merchant.currencies.includes(currency)) {
      return fail(FIRST.invalid, SECOND.currency, `the merchant does not take ${currency}`);
    }
  } else {
    warnings.push(`no OrderCurrency: ${currency} (the merchant's) is used and it is left out of the checkvalue`);
  }

  const comment = bag.get('OrderComment') ?? '';
  if (comment.length > 4000) return fail(FIRST.format, SECOND.comment, 'OrderComment is over 4000 characters');

  const delayRaw = bag.get('Delay') ?? '';
  if (delayRaw !== '' && delayRaw !== '0' && delayRaw !== '1') {
    return fail(FIRST.format, SECOND.delay, 'Delay must be 0 or 1');
  }
  const delay = delayRaw === '1';
  if (delay && !merchant.delayAllowed) {
    return fail(
      FIRST.forbiddenOperation,
      SECOND.delay,
      'two-stage payments (Delay=1) are not enabled for the merchant',
    );
  }

  if (languageRaw !== '' && languageRaw !== 'RU' && languageRaw !== 'EN') {
    if (languageRaw === 'BY' || languageRaw === 'UK') warnings.push(`Language=${languageRaw}: shown in Russian`);
    else return fail(FIRST.format, SECOND.none, 'Language must be RU or EN');
  }

  for (const [name, max] of LIMITS) {
    const value = bag.get(name);
    if (value !== undefined && value.length > max) {
      return fail(FIRST.format, SECOND.none, `${name} is over ${max} characters`);
    }
  }

  const returns: Record<string, string | undefined> = {};
  for (const name of ['URL_RETURN', 'URL_RETURN_OK', 'URL_RETURN_NO']) {
    const value = bag.get(name);
    if (value === undefined || value === '') continue;
    if (value.length > 256) return fail(FIRST.format, SECOND.none, `${name} is over 256 characters`);
    if (!isHttpUrl(value)) return fail(FIRST.format, SECOND.none, `${name} is not an http(s) URL`);
    returns[name] = value;
  }

  // Leaving a flag out means "as set for the merchant"; `0` takes a method away; `1` cannot add one (§1.1).
  const methods: AssistMethod[] = [];
  for (const method of ASSIST_METHODS) {
    const flag = bag.get(METHOD_FLAGS[method]);
    if (flag !== undefined && flag !== '' && flag !== '0' && flag !== '1') {
      return fail(FIRST.format, SECOND.none, `${METHOD_FLAGS[method]} must be 0 or 1`);
    }
    const enabled = merchant.methods.includes(method);
    if (flag === '1' && !enabled) warnings.push(`${METHOD_FLAGS[method]}=1, but the merchant does not offer it`);
    if (enabled && flag !== '0') methods.push(method);
  }

  const customerNumber = bag.get('CustomerNumber');
  let recurring: AssistRecurring | undefined;
  const indicator = bag.get('RecurringIndicator') ?? '';
  if (indicator !== '' && indicator !== '0') {
    if (indicator !== '1') return fail(FIRST.format, SECOND.recurring, 'RecurringIndicator must be 0 or 1');
    if (customerNumber !== undefined && customerNumber !== '' && customerNumber !== '0') {
      return fail(FIRST.invalid, SECOND.recurring, 'CustomerNumber (One-Click) cannot be combined with recurring');
    }
    const min = bag.get('RecurringMinAmount');
    const max = bag.get('RecurringMaxAmount');
    // The newer docs call the period RecurringCount (§4.4); either name is taken.
    const period = bag.get('RecurringPeriod') ?? bag.get('RecurringCount');
    const maxDate = bag.get('RecurringMaxDate');
    if (!min || !max || !period || !maxDate) {
      return fail(
        FIRST.missing,
        SECOND.recurring,
        'RecurringMinAmount, RecurringMaxAmount, RecurringPeriod and RecurringMaxDate are all required',
      );
    }
    const minAmount = parseOrderAmount(min);
    const maxAmount = parseOrderAmount(max);
    if (minAmount === undefined || maxAmount === undefined || minAmount > maxAmount) {
      return fail(FIRST.format, SECOND.amount, 'RecurringMinAmount/RecurringMaxAmount are not a valid range');
    }
    if (!/^\d{1,3}$/.test(period)) return fail(FIRST.format, SECOND.recurring, 'RecurringPeriod is 1-3 digits (days)');
    if (!parseDayMonthYear(maxDate)) return fail(FIRST.format, SECOND.date, 'RecurringMaxDate is not DD.MM.YYYY');
    recurring = { minAmount, maxAmount, periodDays: Number(period), maxDate };
  }

  const received = bag.get('Checkvalue');
  if (merchant.requireCheckvalue || (received !== undefined && received !== '')) {
    const x = requestString(merchant.checkvalueMode, {
      merchantId,
      orderNumber,
      orderAmount: orderAmountSent,
      orderCurrency: currencySent,
      optional: [bag.get('OrderMaxPoints'), customerNumber, bag.get('Disable3DS'), bag.get('Prepayment')],
    });
    if (received === undefined || received === '') {
      return fail(FIRST.encryption, SECOND.none, 'no Checkvalue, and the merchant requires one', x);
    }
    if (!checkvalueEquals(checkvalue(merchant.secretWord, x), received)) {
      return fail(
        FIRST.encryption,
        SECOND.none,
        `wrong Checkvalue (mode ${merchant.checkvalueMode === 'semicolon' ? "';'-joined" : 'without delimiters'})`,
        x,
      );
    }
  }

  if (store.billsOf(merchantId, orderNumber).some((b) => AUTHORISED_STATES.has(b.state))) {
    return fail(FIRST.duplicate, SECOND.orderNumber, `order ${orderNumber} is already paid`);
  }

  const testModeSent = bag.get('TestMode');
  if (testModeSent !== undefined && testModeSent !== '' && (testModeSent === '1') !== merchant.testMode) {
    warnings.push(`TestMode=${testModeSent} is only a hint: test mode is the merchant's setting (§6)`);
  }

  return {
    ok: true,
    request: {
      merchant,
      orderNumber,
      orderAmountSent,
      amount,
      currency,
      comment,
      delay,
      language,
      payer: {
        firstname: bag.get('Firstname') ?? '',
        lastname: bag.get('Lastname') ?? '',
        middlename: bag.get('Middlename') ?? '',
        email: bag.get('Email') ?? '',
      },
      methods,
      returnUrl: returns.URL_RETURN,
      returnUrlOk: returns.URL_RETURN_OK,
      returnUrlNo: returns.URL_RETURN_NO,
      customerNumber: customerNumber || undefined,
      recurring,
      warnings,
    },
  };
}
