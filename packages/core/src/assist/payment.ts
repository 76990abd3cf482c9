/**
 * Payment initiation (protocol notes §1.1–§1.2, §4.4, §5): the request that sends a buyer to Assist's payment page
 * `/pay/order.cfm`, as a GET link and as the equivalent POST form.
 *
 * Every parameter is validated against the documented limits before anything is built; amounts come from `Money`
 * and are written with exactly two decimals, which is also what is signed (so Assist's unknown normalisation of
 * `100.0` vs `100.00` cannot matter, §12). The Checkvalue is computed over the values exactly as sent.
 */
import { z } from 'zod';
import { KassaError, type KassaErrorCode } from '../errors.js';
import { formatMoney, type Money } from '../money.js';
import { paymentCheckvalue, paymentCheckvalueBase } from './checkvalue.js';
import { ASSIST_CURRENCIES, ASSIST_LANGUAGES, type AssistConfig, type AssistCurrency } from './config.js';

/** Path of the payment page on the merchant's Assist host. */
export const ASSIST_PAY_PATH = '/pay/order.cfm';

/**
 * Payment methods the page can allow or deny (§1.1), by our name → Assist's flag. SBP is `FastPayPayment`.
 * Leaving a method out means "as set for the merchant".
 */
export const ASSIST_PAYMENT_METHOD_FLAGS = {
  card: 'CardPayment',
  yandexMoney: 'YMPayment',
  webMoney: 'WMPayment',
  qiwi: 'QIWIPayment',
  qiwiMts: 'QIWIMtsPayment',
  qiwiMegafon: 'QIWIMegafonPayment',
  qiwiBeeline: 'QIWIBeelinePayment',
  qiwiTele2: 'QIWITele2Payment',
  assistId: 'AssistIDPayment',
  sbp: 'FastPayPayment',
  applePay: 'ApplePayPayment',
  googlePay: 'GooglePayPayment',
  mirPay: 'MirPayPayment',
  samsungPay: 'SamsungPayPayment',
} as const;
export type AssistPaymentMethod = keyof typeof ASSIST_PAYMENT_METHOD_FLAGS;
const METHOD_NAMES = Object.keys(ASSIST_PAYMENT_METHOD_FLAGS) as [AssistPaymentMethod, ...AssistPaymentMethod[]];

/** Largest OrderAmount: «15 digits, two after the delimiter» (§1.1) → 13 integer digits. */
export const ASSIST_MAX_MINOR_UNITS = 10n ** 15n - 1n;

/** Every parameter name this builder sends (lower-cased): extra fields must not collide with them. */
const RESERVED_NAMES = new Set(
  [
    'Merchant_ID',
    'OrderNumber',
    'OrderAmount',
    'OrderCurrency',
    'OrderComment',
    'Delay',
    'Language',
    'Lastname',
    'Firstname',
    'Middlename',
    'Email',
    'Address',
    'HomePhone',
    'WorkPhone',
    'MobilePhone',
    'Fax',
    'Country',
    'State',
    'City',
    'Zip',
    'URL_RETURN',
    'URL_RETURN_OK',
    'URL_RETURN_NO',
    'MobileDevice',
    'ClientIP',
    'CustomerNumber',
    'Disable3DS',
    'Prepayment',
    'OrderMaxPoints',
    'RecurringIndicator',
    'RecurringMinAmount',
    'RecurringMaxAmount',
    'RecurringPeriod',
    'RecurringCount',
    'RecurringMaxDate',
    'RecurringNextDate',
    'RecurringPeriodScale',
    'Checkvalue',
    'Signature',
    'ChequeItems',
    'TaxationSystem',
    'GenerateReceipt',
    'FPMode',
    'ListParameters',
    'TestMode',
    ...Object.values(ASSIST_PAYMENT_METHOD_FLAGS),
  ].map((n) => n.toLowerCase()),
);

const moneyInput = z.custom<Money>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Money).minor === 'bigint' &&
    (ASSIST_CURRENCIES as readonly string[]).includes((v as Money).currency),
  `a Money value ({ currency: ${ASSIST_CURRENCIES.join('|')}, minor: bigint })`,
);

/** C0 controls other than tab, LF and CR, and DEL. */
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return true;
  }
  return false;
}

/** Printable text without control characters (they have no business in a form field and break some gateways). */
function text(max: number) {
  return z
    .string()
    .max(max, `at most ${max} characters`)
    .refine((v) => !hasControlCharacter(v), 'must not contain control characters');
}

function returnUrl() {
  return z
    .string()
    .max(256, 'at most 256 characters')
    .url()
    .refine((v) => /^https?:\/\//i.test(v), 'must be an http(s) URL');
}

/** `DD.MM.YYYY` (§4.4), or a Date written in UTC. */
const assistDate = z.union([
  z.date().refine((d) => !Number.isNaN(d.getTime()), 'an invalid Date'),
  z.string().regex(/^(0[1-9]|[12]\d|3[01])\.(0[1-9]|1[0-2])\.\d{4}$/, 'DD.MM.YYYY'),
]);

const receiptItem = z
  .object({
    /** Line id (optional). */
    id: z.string().max(64).optional(),
    /** The shop's SKU (`product`). */
    product: z.string().max(64).optional(),
    name: text(250).min(1, 'must not be empty'),
    price: moneyInput,
    /** Decimal string, may be fractional (`1`, `0.5`, `2.125`). */
    quantity: z.string().regex(/^\d{1,9}(\.\d{1,3})?$/, 'a decimal string with up to 3 decimals'),
    /** price × quantity as charged (the receipt line total). */
    amount: moneyInput,
    /** Tax code as Assist names it, e.g. `vat20`, `vat10`, `novat` (the full list is not public, §5). */
    tax: z.string().regex(/^[A-Za-z0-9_]{1,16}$/, 'a tax code such as vat20'),
    fpmode: z.number().int().min(0).max(99).optional(),
  })
  .strict();

const receiptSchema = z
  .object({
    items: z.array(receiptItem).min(1, 'at least one item').max(100, 'at most 100 items'),
    /** `TaxationSystem` code (undocumented list, §5): sent as given. */
    taxationSystem: z.union([z.string().regex(/^\d{1,2}$/), z.number().int().min(0).max(99)]).optional(),
    /** `FPMode` for the whole order (undocumented list, §5). */
    fpMode: z.number().int().min(0).max(99).optional(),
    generateReceipt: z.boolean().optional(),
  })
  .strict();

const recurringSchema = z
  .object({
    minAmount: moneyInput,
    maxAmount: moneyInput,
    /** Days between charges, 1–999 (three digits, §4.4). */
    periodDays: z.number().int().min(1).max(999),
    maxDate: assistDate,
    nextDate: assistDate.optional(),
  })
  .strict();

export const assistPaymentParamsSchema = z
  .object({
    /** The shop's order number, 1–128 characters. Attempts under one order get different billnumbers. */
    orderNumber: text(128).min(1, 'must not be empty'),
    amount: moneyInput,
    comment: text(4000).optional(),
    /** Two-stage payment (`Delay=1`): authorise now, charge or cancel later. Assist support must enable it. */
    hold: z.boolean().optional(),
    language: z.enum(ASSIST_LANGUAGES).optional(),
    lastname: text(70).optional(),
    firstname: text(70).optional(),
    middlename: text(70).optional(),
    email: z.string().max(128, 'at most 128 characters').optional(),
    address: text(256).optional(),
    homePhone: text(64).optional(),
    workPhone: text(20).optional(),
    mobilePhone: text(20).optional(),
    fax: text(20).optional(),
    /** ISO 3166 alpha-3 (`RUS`, `BLR`). */
    country: z
      .string()
      .regex(/^[A-Z]{3}$/, 'ISO 3166 alpha-3, e.g. RUS')
      .optional(),
    state: text(3).optional(),
    city: text(70).optional(),
    zip: text(25).optional(),
    /** Return page for both outcomes (used only with "Go to the shop page" enabled in the personal account). */
    returnUrl: returnUrl().optional(),
    returnUrlOk: returnUrl().optional(),
    returnUrlNo: returnUrl().optional(),
    /** Allow (true) or deny (false) each method; absent = as set for the merchant. */
    methods: z.partialRecord(z.enum(METHOD_NAMES), z.boolean()).optional(),
    /** Preselect one method: it is allowed and every other documented method is denied. */
    onlyMethod: z.enum(METHOD_NAMES).optional(),
    /** Page layout: 0 = as in the account, 1 = standard, 2 = mobile (MAGE-BY); other small values pass through. */
    mobileDevice: z.number().int().min(0).max(9).optional(),
    clientIp: z.ipv4().optional(),
    /** One-Click (saved card) customer id. Enters the Checkvalue. Not together with `recurring`. */
    customerNumber: z
      .string()
      .regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'up to 64 characters of A-Z a-z 0-9 _ . @ -')
      .optional(),
    /** `Disable3DS=1`; enters the Checkvalue. */
    disable3DS: z.boolean().optional(),
    /** `Prepayment=1` (54-FZ prepayment flag); enters the Checkvalue. */
    prepayment: z.boolean().optional(),
    /** «Спасибо» bonus points cap; enters the Checkvalue when non-zero. */
    orderMaxPoints: z.number().int().min(0).max(999_999_999).optional(),
    recurring: recurringSchema.optional(),
    receipt: receiptSchema.optional(),
    /** Extra fields shown on custom payment pages (`ListParameters`), name → value. */
    extraFields: z.record(z.string(), text(256)).optional(),
  })
  .strict();

export type AssistPaymentParams = z.input<typeof assistPaymentParamsSchema>;
export type AssistReceipt = z.input<typeof receiptSchema>;
export type AssistRecurringSetup = z.input<typeof recurringSchema>;

export type AssistFormField = readonly [name: string, value: string];

export interface AssistPaymentRequest {
  /** GET link: `https://<host>/pay/order.cfm?…`. */
  readonly url: string;
  /** The same request as an HTML form (preferred: URLs have length limits, and a receipt makes them long). */
  readonly form: { readonly action: string; readonly method: 'POST'; readonly fields: readonly AssistFormField[] };
  /** Upper-case hex, when `signRequests` is on. */
  readonly checkvalue?: string | undefined;
  /** X exactly as hashed; it holds no secret (the secret word is a separate input), so it is safe to print. */
  readonly checkvalueBase: string;
}

export interface AssistPaymentIssue {
  readonly path: string;
  readonly code: KassaErrorCode;
  readonly problem: string;
}

/** Currency exponents are all 2 for Assist's currencies: minor units → `1234.50`. */
function amountText(money: Money): string {
  return formatMoney(money);
}

function dateText(value: Date | string): string {
  if (typeof value === 'string') return value;
  const dd = String(value.getUTCDate()).padStart(2, '0');
  const mm = String(value.getUTCMonth() + 1).padStart(2, '0');
  return `${dd}.${mm}.${value.getUTCFullYear()}`;
}

/** A simple, strict e-mail shape; Assist documents only the length (128). */
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]{2,}$/;

function fail(issues: AssistPaymentIssue[]): never {
  const first = issues[0] as AssistPaymentIssue;
  const code = issues.length === 1 ? first.code : 'PAYMENT_INVALID';
  throw new KassaError(code, `Invalid Assist payment: ${issues.map((i) => `${i.path} (${i.problem})`).join('; ')}`, {
    details: { issues },
  });
}

type ParsedParams = z.output<typeof assistPaymentParamsSchema>;

function checkAmounts(config: AssistConfig, p: ParsedParams, issues: AssistPaymentIssue[]): void {
  const amountIssue = (path: string, money: Money): void => {
    if (money.minor <= 0n) issues.push({ path, code: 'MONEY_ZERO', problem: 'must be greater than zero' });
    else if (money.minor > ASSIST_MAX_MINOR_UNITS) {
      issues.push({
        path,
        code: 'MONEY_TOO_LARGE',
        problem: 'at most 13 integer digits (Assist: 15 digits, 2 decimals)',
      });
    }
  };
  amountIssue('amount', p.amount);
  const currency = p.amount.currency;
  const same = (path: string, money: Money): void => {
    if (money.currency !== currency) {
      issues.push({ path, code: 'MONEY_CURRENCY_MISMATCH', problem: `must be in ${currency} like the amount` });
    }
  };
  if (p.recurring) {
    amountIssue('recurring.minAmount', p.recurring.minAmount);
    amountIssue('recurring.maxAmount', p.recurring.maxAmount);
    same('recurring.minAmount', p.recurring.minAmount);
    same('recurring.maxAmount', p.recurring.maxAmount);
    if (p.recurring.minAmount.minor > p.recurring.maxAmount.minor) {
      issues.push({ path: 'recurring.minAmount', code: 'PAYMENT_INVALID', problem: 'must not exceed maxAmount' });
    }
  }
  if (p.receipt) {
    let total = 0n;
    p.receipt.items.forEach((item, i) => {
      same(`receipt.items.${i}.price`, item.price);
      same(`receipt.items.${i}.amount`, item.amount);
      total += item.amount.minor;
    });
    // Inferred, not documented (§5): a receipt whose lines do not add up to the order cannot be fiscalised.
    if (total !== p.amount.minor) {
      issues.push({
        path: 'receipt.items',
        code: 'RECEIPT_TOTAL_MISMATCH',
        problem: 'the item amounts must add up to the payment amount',
      });
    }
  }
  if (p.comment !== undefined && p.comment.length > config.orderCommentMaxLength) {
    issues.push({
      path: 'comment',
      code: 'PAYMENT_INVALID',
      problem: `at most ${config.orderCommentMaxLength} characters (orderCommentMaxLength)`,
    });
  }
}

function checkCombinations(p: ParsedParams, issues: AssistPaymentIssue[]): void {
  if (p.email !== undefined && !EMAIL.test(p.email)) {
    issues.push({ path: 'email', code: 'EMAIL_INVALID', problem: 'not an e-mail address' });
  }
  if (p.recurring && p.customerNumber !== undefined) {
    issues.push({
      path: 'customerNumber',
      code: 'PAYMENT_INVALID',
      problem: 'One-Click (customerNumber) cannot be combined with recurring (§4.4)',
    });
  }
  if (p.onlyMethod && p.methods) {
    issues.push({ path: 'onlyMethod', code: 'PAYMENT_INVALID', problem: 'use either onlyMethod or methods' });
  }
  for (const name of Object.keys(p.extraFields ?? {})) {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name)) {
      issues.push({ path: `extraFields.${name}`, code: 'PAYMENT_INVALID', problem: 'names are [A-Za-z][A-Za-z0-9_]*' });
    } else if (RESERVED_NAMES.has(name.toLowerCase())) {
      // Assist matches names case-insensitively (§1.1): `orderamount` would silently override OrderAmount.
      issues.push({
        path: `extraFields.${name}`,
        code: 'PAYMENT_INVALID',
        problem: 'collides with an Assist parameter',
      });
    }
  }
}

/** ChequeItems as a JSON array; amounts are written as JSON numbers from their decimal text, never via floats. */
function chequeItemsJson(items: NonNullable<ParsedParams['receipt']>['items']): string {
  const parts = items.map((item) => {
    const fields: string[] = [];
    if (item.id !== undefined) fields.push(`"id":${JSON.stringify(item.id)}`);
    if (item.product !== undefined) fields.push(`"product":${JSON.stringify(item.product)}`);
    fields.push(`"name":${JSON.stringify(item.name)}`);
    fields.push(`"price":${amountText(item.price)}`);
    fields.push(`"quantity":${item.quantity}`);
    fields.push(`"amount":${amountText(item.amount)}`);
    fields.push(`"tax":${JSON.stringify(item.tax)}`);
    if (item.fpmode !== undefined) fields.push(`"fpmode":${item.fpmode}`);
    return `{${fields.join(',')}}`;
  });
  return `[${parts.join(',')}]`;
}

/**
 * Builds the `/pay/order.cfm` request. Parameters go out in the documented order with the Checkvalue last.
 *
 * @throws KassaError PAYMENT_INVALID (several problems, or one without its own code; `details.issues` lists each
 *   with its code), EMAIL_INVALID, MONEY_ZERO, MONEY_TOO_LARGE, MONEY_CURRENCY_MISMATCH, RECEIPT_TOTAL_MISMATCH.
 */
export function buildAssistPayment(config: AssistConfig, params: AssistPaymentParams): AssistPaymentRequest {
  const parsed = assistPaymentParamsSchema.safeParse(params);
  if (!parsed.success) {
    fail(
      parsed.error.issues.map((i) => ({
        path: i.path.join('.') || '(root)',
        code: i.path[0] === 'email' ? 'EMAIL_INVALID' : 'PAYMENT_INVALID',
        problem: i.message,
      })),
    );
  }
  const p = parsed.data;
  const issues: AssistPaymentIssue[] = [];
  checkAmounts(config, p, issues);
  checkCombinations(p, issues);
  if (issues.length > 0) fail(issues);

  const currency: AssistCurrency = p.amount.currency as AssistCurrency;
  const orderAmount = amountText(p.amount);
  const fields: Array<[string, string]> = [
    ['Merchant_ID', config.merchantId],
    ['OrderNumber', p.orderNumber],
    ['OrderAmount', orderAmount],
    // Always sent, so the signed X never depends on the merchant's default currency (§1.2).
    ['OrderCurrency', currency],
  ];
  const add = (name: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') fields.push([name, value]);
  };
  add('OrderComment', p.comment);
  if (p.hold) fields.push(['Delay', '1']);
  add('Language', p.language ?? config.language);
  add('Lastname', p.lastname);
  add('Firstname', p.firstname);
  add('Middlename', p.middlename);
  add('Email', p.email);
  add('Address', p.address);
  add('HomePhone', p.homePhone);
  add('WorkPhone', p.workPhone);
  add('MobilePhone', p.mobilePhone);
  add('Fax', p.fax);
  add('Country', p.country);
  add('State', p.state);
  add('City', p.city);
  add('Zip', p.zip);
  add('URL_RETURN', p.returnUrl);
  add('URL_RETURN_OK', p.returnUrlOk);
  add('URL_RETURN_NO', p.returnUrlNo);
  if (p.onlyMethod) {
    for (const method of METHOD_NAMES) {
      fields.push([ASSIST_PAYMENT_METHOD_FLAGS[method], method === p.onlyMethod ? '1' : '0']);
    }
  } else if (p.methods) {
    for (const method of METHOD_NAMES) {
      const allowed = p.methods[method];
      if (allowed !== undefined) fields.push([ASSIST_PAYMENT_METHOD_FLAGS[method], allowed ? '1' : '0']);
    }
  }
  if (p.mobileDevice !== undefined) fields.push(['MobileDevice', String(p.mobileDevice)]);
  add('ClientIP', p.clientIp);

  // The Checkvalue's optional parts: sent only when non-zero, so the signed X and the form always agree.
  const orderMaxPoints = p.orderMaxPoints ? String(p.orderMaxPoints) : undefined;
  const disable3DS = p.disable3DS ? '1' : undefined;
  const prepayment = p.prepayment ? '1' : undefined;
  add('OrderMaxPoints', orderMaxPoints);
  add('CustomerNumber', p.customerNumber);
  add('Disable3DS', disable3DS);
  add('Prepayment', prepayment);

  if (p.recurring) {
    fields.push(['RecurringIndicator', '1']);
    fields.push(['RecurringMinAmount', amountText(p.recurring.minAmount)]);
    fields.push(['RecurringMaxAmount', amountText(p.recurring.maxAmount)]);
    fields.push([config.recurringPeriodField, String(p.recurring.periodDays)]);
    fields.push(['RecurringMaxDate', dateText(p.recurring.maxDate)]);
    if (p.recurring.nextDate !== undefined) fields.push(['RecurringNextDate', dateText(p.recurring.nextDate)]);
  }
  if (p.receipt) {
    if (p.receipt.generateReceipt !== undefined)
      fields.push(['GenerateReceipt', p.receipt.generateReceipt ? '1' : '0']);
    if (p.receipt.taxationSystem !== undefined) fields.push(['TaxationSystem', String(p.receipt.taxationSystem)]);
    if (p.receipt.fpMode !== undefined) fields.push(['FPMode', String(p.receipt.fpMode)]);
    fields.push(['ChequeItems', chequeItemsJson(p.receipt.items)]);
  }
  const extra = Object.entries(p.extraFields ?? {});
  if (extra.length > 0) {
    fields.push(['ListParameters', extra.map(([name]) => name).join(',')]);
    for (const [name, value] of extra) fields.push([name, value]);
  }
  if (config.sendTestModeParam) fields.push(['TestMode', config.testMode ? '1' : '0']);

  const parts = {
    merchantId: config.merchantId,
    orderNumber: p.orderNumber,
    orderAmount,
    orderCurrency: currency,
    orderMaxPoints,
    customerNumber: p.customerNumber,
    disable3DS,
    prepayment,
  };
  const checkvalueBase = paymentCheckvalueBase(parts, config.checkvalueMode);
  let checkvalue: string | undefined;
  if (config.signRequests) {
    checkvalue = paymentCheckvalue(config.secretWord, parts, config.checkvalueMode);
    fields.push(['Checkvalue', checkvalue]);
  }

  const action = `${config.baseUrl}${ASSIST_PAY_PATH}`;
  const query = new URLSearchParams(fields).toString();
  return {
    url: `${action}?${query}`,
    form: { action, method: 'POST', fields: fields.map(([n, v]) => [n, v] as const) },
    checkvalue,
    checkvalueBase,
  };
}
