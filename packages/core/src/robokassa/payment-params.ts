import { z } from 'zod';
import { isKassaError, KassaError, type KassaErrorCode, kassaErrorFromZod } from '../errors.js';
import { type CurrencyCode, formatMoney, type Money, moneyFromMinor, parseMoney } from '../money.js';
import type { Country, RobokassaConfig } from './config.js';
import { checkReceiptTotal, createReceipt, type Receipt, type ReceiptInput, receiptForSignature } from './receipt.js';
import { normalizeShp, type ShpParam } from './shp.js';

/**
 * Validation of `PaymentParams` (protocol §1.1). `paymentParamsSchema` (zod) states every rule and produces every
 * error report.
 */

/** InvId is a signed 32-bit integer in older docs and every library we checked; we stay within it. */
export const MAX_INVOICE_ID = 2_147_483_647;
export const MAX_DESCRIPTION_LENGTH = 100;
export const OUT_SUM_CURRENCIES = ['USD', 'EUR', 'KZT'] as const;
export type OutSumCurrency = (typeof OUT_SUM_CURRENCIES)[number];
export const CULTURES = ['ru', 'en'] as const;
export type Culture = (typeof CULTURES)[number];

/** The currency OutSum is in when `outSumCurrency` is absent: the shop's own. */
export const SHOP_CURRENCY: Record<Country, CurrencyCode> = { RU: 'RUB', KZ: 'KZT' };

export interface RedirectTarget {
  url: string;
  method: 'GET' | 'POST';
}

export interface PaymentParams {
  /**
   * The amount. A decimal string is sent and signed exactly as given (`"5"`, `"100.00"`) after it is validated as
   * money; `Money` is sent with two decimals (`1500.00`).
   */
  outSum: Money | string;
  /** The shop's own invoice number, 1…2147483647, unique per payment. Never 0 or empty (see docs/payment.md). */
  invId: number | string | bigint;
  /** Shown on the payment page; at most 100 characters. */
  description: string;
  /** Preselected method: a `Label` from GetCurrencies (`BankCardPSR`). */
  incCurrLabel?: string | undefined;
  /** Methods offered to the buyer (`BankCard`, `SBP`); sent as repeated `PaymentMethods` fields. */
  paymentMethods?: readonly string[] | undefined;
  /** Payment page language; defaults to `config.culture`, else the buyer's browser decides. */
  culture?: Culture | undefined;
  /** Prefills the buyer's e-mail. */
  email?: string | undefined;
  /** Last moment the invoice can be paid; sent as `YYYY-MM-DDThh:mm:ss.fffffff±hh:mm`. */
  expirationDate?: Date | string | undefined;
  /** OutSum is in this currency (converted to the shop's at the CBR rate). Signed. */
  outSumCurrency?: OutSumCurrency | undefined;
  /** Buyer's IP for anti-fraud. Signed. */
  userIp?: string | undefined;
  /** `IsTest=1` and the test Password #1; defaults to `config.testMode`. */
  isTest?: boolean | undefined;
  /** 54-FZ receipt, validated for the shop's country; its lines must add up to OutSum. */
  receipt?: ReceiptInput | Receipt | undefined;
  /** User parameters, echoed in callbacks: `{ order: '42' }` → `Shp_order=42`. */
  shp?: Readonly<Record<string, string>> | undefined;
  /** Parent payment of a subscription: sends `Recurring=true` (not signed). */
  recurring?: boolean | undefined;
  /** Hold (two-stage payment): sends `StepByStep=true`, signed as the literal `true`. */
  stepByStep?: boolean | undefined;
  /** Extra JWS notification URL. Signed as the plain URL. */
  resultUrl2?: string | undefined;
  /** Per-payment redirect after success. Signed as `url:METHOD`. */
  successUrl2?: RedirectTarget | undefined;
  /** Per-payment redirect after failure. Signed as `url:METHOD`. */
  failUrl2?: RedirectTarget | undefined;
  /** Card-on-file: the OpKey of an earlier operation with the card. Sends the buyer to `/Merchant/Payment/CoFPayment`. */
  token?: string | undefined;
}

export interface OutSumValue {
  /** What is sent and signed. */
  text: string;
  minor: bigint;
  /** Set when the caller gave Money. */
  currency: CurrencyCode | undefined;
}

function isMoneyLike(value: unknown): value is Money {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Money).minor === 'bigint' &&
    typeof (value as Money).currency === 'string'
  );
}

function isWellFormed(value: string): boolean {
  return (value as string & { isWellFormed(): boolean }).isWellFormed();
}

/** Turns a KassaError thrown by a shared parser into a zod issue that remembers its code. */
function kassaIssue(ctx: z.RefinementCtx, error: unknown): typeof z.NEVER {
  if (!isKassaError(error)) throw error;
  ctx.addIssue({ code: 'custom', message: error.message, params: { kassaCode: error.code } });
  return z.NEVER;
}

function tagged(ctx: z.RefinementCtx, code: KassaErrorCode, message: string): typeof z.NEVER {
  ctx.addIssue({ code: 'custom', message, params: { kassaCode: code } });
  return z.NEVER;
}

// ---------------------------------------------------------------------------------------------------------------
// Field rules

const outSumSchema = z.unknown().transform((value, ctx): OutSumValue => {
  try {
    if (typeof value === 'string') {
      // Validated as money, then sent and signed exactly as given: "5" stays "5" (vector 46e153d0…).
      const money = parseMoney(value, 'RUB');
      return { text: value, minor: money.minor, currency: undefined };
    }
    if (isMoneyLike(value)) {
      const money = moneyFromMinor(value.minor, value.currency);
      return { text: formatMoney(money), minor: money.minor, currency: money.currency };
    }
    parseMoney(value); // throws MONEY_NOT_A_STRING with the helpful message
    return z.NEVER;
  } catch (error) {
    return kassaIssue(ctx, error);
  }
});

const INVOICE_ID_MESSAGE = `must be an integer from 1 to ${MAX_INVOICE_ID} allocated by the shop`;

const invIdSchema = z.unknown().transform((value, ctx): string => {
  let n: bigint | undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
  else if (typeof value === 'bigint') n = value;
  else if (typeof value === 'string' && /^\d{1,19}$/.test(value)) n = BigInt(value);
  if (n !== undefined && n >= 1n && n <= BigInt(MAX_INVOICE_ID)) return n.toString();
  const shown = typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint';
  return tagged(
    ctx,
    'INVOICE_ID_OUT_OF_RANGE',
    `${INVOICE_ID_MESSAGE} (got ${shown ? JSON.stringify(String(value)) : typeof value})`,
  );
});

const NOT_BLANK = /\S/;

const descriptionSchema = z.unknown().transform((value, ctx): string => {
  if (typeof value !== 'string' || !NOT_BLANK.test(value) || !isWellFormed(value)) {
    return tagged(ctx, 'PAYMENT_INVALID', 'must be a non-empty text');
  }
  if (value.length > MAX_DESCRIPTION_LENGTH) {
    return tagged(
      ctx,
      'DESCRIPTION_TOO_LONG',
      `must be at most ${MAX_DESCRIPTION_LENGTH} characters (got ${value.length})`,
    );
  }
  return value;
});

const EXPIRATION = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|[+-]\d{2}:\d{2})$/;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function expirationError(problem: string): KassaError {
  return new KassaError('PAYMENT_INVALID', `expirationDate is ${problem}`, {
    details: { issues: [{ path: 'expirationDate', problem }] },
  });
}

/**
 * Robokassa's ExpirationDate (DOC-params): `YYYY-MM-DDThh:mm:ss.fffffff±hh:mm`. A `Date` is written in UTC
 * (`+00:00`); an ISO string must carry its offset (`Z` or `±hh:mm`), which is kept (`Z` is written `+00:00`).
 *
 * @throws KassaError PAYMENT_INVALID for an invalid Date, a string without an offset, or an impossible date.
 */
export function formatExpirationDate(value: Date | string): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw expirationError('an invalid Date');
    const y = value.getUTCFullYear();
    if (y < 1 || y > 9999) throw expirationError('a year outside 1…9999');
    return (
      `${pad(y, 4)}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}` +
      `T${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}:${pad(value.getUTCSeconds())}` +
      `.${pad(value.getUTCMilliseconds(), 3)}0000+00:00`
    );
  }
  const m = typeof value === 'string' ? EXPIRATION.exec(value) : null;
  if (!m) throw expirationError('not an ISO 8601 date-time with an offset, e.g. 2030-01-01T10:20:30+03:00');
  const [, y = '', mo = '', d = '', h = '', mi = '', s = '00', fraction = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const probe = new Date(0);
  probe.setUTCFullYear(year, month - 1, day);
  const offsetOk = zone === 'Z' || (Number(zone.slice(1, 3)) <= 14 && Number(zone.slice(4, 6)) < 60);
  if (
    year < 1 ||
    probe.getUTCFullYear() !== year ||
    probe.getUTCMonth() !== month - 1 ||
    probe.getUTCDate() !== day ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59 ||
    !offsetOk
  ) {
    throw expirationError('not a real date and time');
  }
  return `${y}-${mo}-${d}T${h}:${mi}:${s}.${fraction.padEnd(7, '0')}${zone === 'Z' ? '+00:00' : zone}`;
}

const expirationSchema = z.unknown().transform((value, ctx): string => {
  try {
    if (!(value instanceof Date) && typeof value !== 'string') throw expirationError('neither a Date nor a string');
    return formatExpirationDate(value);
  } catch (error) {
    if (!isKassaError(error)) throw error;
    const problem = (error.details.issues as Array<{ problem: string }> | undefined)?.[0]?.problem ?? error.message;
    ctx.addIssue({ code: 'custom', message: `is ${problem}` });
    return z.NEVER;
  }
});

const WHITESPACE = /\s/;

/** No whitespace and no control characters: they would not survive a redirect the way they are signed. */
function isPlainUrlText(value: string): boolean {
  if (WHITESPACE.test(value)) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}
const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
  .refine(isPlainUrlText, 'must not contain spaces or control characters');
const redirectSchema = z.object({ url: httpUrl, method: z.enum(['GET', 'POST']) }).strict();
const LABEL = /^[A-Za-z0-9_]{1,100}$/;
const label = z.string().regex(LABEL, 'must be a method label such as BankCardPSR');
const TOKEN = /^[A-Za-z0-9-]{1,128}$/;
const MAX_EMAIL_LENGTH = 254;
const MAX_PAYMENT_METHODS = 50;

// normalizeShp checks the shape itself (plain object of well-formed strings): a z.record() in front of it would
// cost more than all the other rules together.
const shpSchema = z
  .unknown()
  .optional()
  .transform((value, ctx): readonly ShpParam[] => {
    try {
      return normalizeShp(value as Readonly<Record<string, string>> | undefined);
    } catch (error) {
      return kassaIssue(ctx, error);
    }
  });

/** The rules for `PaymentParams`. Its output is what the builder signs and sends. */
export const paymentParamsSchema = z
  .object({
    outSum: outSumSchema,
    invId: invIdSchema,
    description: descriptionSchema,
    incCurrLabel: label.optional(),
    paymentMethods: z
      .array(label)
      .min(1, 'leave it out instead of passing []')
      .max(MAX_PAYMENT_METHODS, `at most ${MAX_PAYMENT_METHODS} methods`)
      .optional(),
    culture: z.enum(CULTURES).optional(),
    email: z.email({ pattern: z.regexes.email, error: 'must be an e-mail address' }).max(MAX_EMAIL_LENGTH).optional(),
    expirationDate: expirationSchema.optional(),
    outSumCurrency: z.enum(OUT_SUM_CURRENCIES).optional(),
    userIp: z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' }).optional(),
    isTest: z.boolean().optional(),
    receipt: z.unknown().optional(),
    shp: shpSchema,
    recurring: z.boolean().optional(),
    stepByStep: z.boolean().optional(),
    resultUrl2: httpUrl.optional(),
    successUrl2: redirectSchema.optional(),
    failUrl2: redirectSchema.optional(),
    token: z.string().regex(TOKEN, 'must be the OpKey of an earlier operation').optional(),
  })
  .strict();

export type ValidatedPaymentParams = z.output<typeof paymentParamsSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Parsing with typed errors

/**
 * Validates `PaymentParams`. One problem → its own code (DESCRIPTION_TOO_LONG, MONEY_ZERO…); problems of different
 * kinds → PAYMENT_INVALID, with each issue's code in `details.issues`. Throws the typed errors listed on
 * `buildPaymentRequest`.
 */
export function parsePaymentParams(params: unknown): ValidatedPaymentParams {
  const parsed = paymentParamsSchema.safeParse(params);
  if (parsed.success) return parsed.data;
  throw kassaErrorFromZod('PAYMENT_INVALID', 'Invalid payment parameters', parsed.error, {
    root: '(params)',
    issueCode: (path) => (path[0] === 'email' ? 'EMAIL_INVALID' : undefined),
  });
}

/**
 * The cross-field rules on validated params: OutSum's currency against `outSumCurrency` and the shop's currency, then
 * the receipt (validated for the shop's country, its lines adding up to OutSum). Returns the Receipt as Robokassa
 * receives it (urlencoded JSON), or undefined without one.
 *
 * @throws KassaError MONEY_CURRENCY_MISMATCH, RECEIPT_INVALID, RECEIPT_TAX_NOT_ALLOWED, RECEIPT_TOTAL_MISMATCH.
 */
export function checkPaymentParams(config: RobokassaConfig, p: ValidatedPaymentParams): string | undefined {
  const currency: CurrencyCode = p.outSumCurrency ?? SHOP_CURRENCY[config.country];
  if (p.outSum.currency !== undefined && p.outSum.currency !== currency) {
    throw new KassaError(
      'MONEY_CURRENCY_MISMATCH',
      p.outSumCurrency
        ? `outSum is in ${p.outSum.currency} but outSumCurrency is ${p.outSumCurrency}`
        : `outSum is in ${p.outSum.currency}; a ${config.country} shop is paid in ${currency} unless outSumCurrency is set`,
      { details: { outSumCurrency: p.outSum.currency, expected: currency } },
    );
  }
  if (p.receipt === undefined) return undefined;
  const receipt = createReceipt(p.receipt as ReceiptInput, { country: config.country, currency });
  checkReceiptTotal(receipt, { currency, minor: p.outSum.minor });
  return receiptForSignature(receipt);
}
