import { z } from 'zod';
import {
  isKassaError,
  KassaError,
  type KassaErrorCode,
  type KassaErrorFromIssuesOptions,
  kassaErrorFromIssues,
  kassaErrorFromZod,
} from '../errors.js';
import { type CurrencyCode, formatMoney, isCurrencyCode, type Money, moneyFromMinor, parseMoney } from '../money.js';
import type { Country } from './config.js';
import { formUrlEncode } from './encoding.js';

/**
 * The 54-FZ fiscal receipt (`Receipt`) sent with a payment (protocol §4; DOC-fisc).
 *
 * - Amounts are decimal strings or `Money`, never floats; the JSON text is built here by hand so `100.10` is written
 *   as the exact decimal `100.1` (trailing zeros dropped, at most two decimals), never via float formatting.
 * - The JSON is compact, Cyrillic is written as is (not `\u`-escaped: robokassa/sdk-php#5), keys come in one fixed
 *   order: `sno`, `items`; per item `name, quantity, sum, cost, payment_method, payment_object, tax,
 *   nomenclature_code`. With these rules the official SDK's receipt (vector `1be6746b…`) comes out byte for byte.
 * - Robokassa signs the Receipt *urlencoded once* (§4.3): `receiptForSignature()` is that value; it is also the
 *   value of the POST form field, and a GET URL carries it encoded once more (`Receipt=%257B…`).
 */

export const RECEIPT_SNO_VALUES = ['osn', 'usn_income', 'usn_income_outcome', 'esn', 'patent'] as const;
export type ReceiptSno = (typeof RECEIPT_SNO_VALUES)[number];

/** VAT codes per country (WP `TaxManager`): RU includes the 2026 rates vat22/vat122; KZ has its own set. */
export const RECEIPT_TAXES = {
  RU: ['none', 'vat0', 'vat5', 'vat7', 'vat10', 'vat20', 'vat22', 'vat105', 'vat107', 'vat110', 'vat120', 'vat122'],
  KZ: ['none', 'vat0', 'vat5', 'vat12', 'vat16'],
} as const satisfies Record<Country, readonly string[]>;
export type ReceiptTaxRU = (typeof RECEIPT_TAXES.RU)[number];
export type ReceiptTaxKZ = (typeof RECEIPT_TAXES.KZ)[number];
export type ReceiptTax = ReceiptTaxRU | ReceiptTaxKZ;

/** The 18 % rates, replaced by 20 % in 2019: old code still sends them and a cash register refuses them. */
export const LEGACY_RECEIPT_TAXES = ['vat18', 'vat118'] as const;

export const RECEIPT_PAYMENT_METHODS = [
  'full_prepayment',
  'prepayment',
  'advance',
  'full_payment',
  'partial_payment',
  'credit',
  'credit_payment',
] as const;
export type ReceiptPaymentMethod = (typeof RECEIPT_PAYMENT_METHODS)[number];

export const RECEIPT_PAYMENT_OBJECTS = [
  'commodity',
  'excise',
  'job',
  'service',
  'gambling_bet',
  'gambling_prize',
  'lottery',
  'lottery_prize',
  'intellectual_activity',
  'payment',
  'agent_commission',
  'composite',
  'resort_fee',
  'another',
  'property_right',
  'non-operating_gain',
  'insurance_premium',
  'sales_tax',
] as const;
export type ReceiptPaymentObject = (typeof RECEIPT_PAYMENT_OBJECTS)[number];

/** Robochecks / cloud cash registers take at most 100 lines (DOC-fisc). */
export const MAX_RECEIPT_ITEMS = 100;
/** Longer names are truncated by Robokassa (DOC-fisc); we refuse them so the printed receipt says what you sent. */
export const MAX_RECEIPT_ITEM_NAME_LENGTH = 128;

/** The currency a country's receipts are written in unless told otherwise. */
export const RECEIPT_DEFAULT_CURRENCY: Record<Country, CurrencyCode> = { RU: 'RUB', KZ: 'KZT' };

/** A decimal amount as the shop gives it: `"100.10"` or `Money`. Numbers are refused (floats lose kopecks). */
export type AmountInput = string | Money;

export interface ReceiptItemInput {
  name: string;
  /** Up to 5 integer and 3 fractional digits, greater than zero: `1`, `0.5`, `"2.125"`. */
  quantity: number | string;
  /** The line total after discounts: at most 8 integer and 2 fractional digits, not negative. */
  sum: AmountInput;
  /** Optional unit price (Robokassa ignores it when `sum` is present, which it always is here). */
  cost?: AmountInput | undefined;
  tax: string;
  payment_method?: string | undefined;
  payment_object?: string | undefined;
  /** Marking code as printed on the goods; required for marked goods. */
  nomenclature_code?: string | undefined;
}

export interface ReceiptInput {
  /** Tax system; omit when the shop has one (set in the cabinet). Never for KZ shops. */
  sno?: string | undefined;
  items: ReadonlyArray<ReceiptItemInput>;
}

/** A validated receipt line. `quantity` is the decimal text that goes into the JSON (`"1"`, `"0.5"`). */
export interface ReceiptItem {
  readonly name: string;
  readonly quantity: string;
  readonly sum: Money;
  readonly cost?: Money | undefined;
  readonly tax: ReceiptTax;
  readonly payment_method?: ReceiptPaymentMethod | undefined;
  readonly payment_object?: ReceiptPaymentObject | undefined;
  readonly nomenclature_code?: string | undefined;
}

/** A receipt that passed `createReceipt` (frozen). It is also a valid `ReceiptInput`. */
export interface Receipt {
  readonly sno?: ReceiptSno | undefined;
  readonly items: readonly ReceiptItem[];
}

export interface CreateReceiptOptions {
  country: Country;
  /** Currency of the amounts; defaults to RUB for RU and KZT for KZ. `Money` sums must be in it. */
  currency?: CurrencyCode | undefined;
}

const TAX_CODE: KassaErrorCode = 'RECEIPT_TAX_NOT_ALLOWED';

function isWellFormed(value: string): boolean {
  return (value as string & { isWellFormed(): boolean }).isWellFormed();
}

function isMoneyLike(value: unknown): value is Money {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Money).minor === 'bigint' &&
    typeof (value as Money).currency === 'string'
  );
}

function amountSchema(currency: CurrencyCode) {
  return z.unknown().transform((value, ctx): Money => {
    try {
      if (typeof value === 'string') return Object.freeze(parseMoney(value, currency, { allowZero: true }));
      if (isMoneyLike(value)) {
        if (value.currency !== currency) {
          ctx.addIssue({ code: 'custom', message: `is in ${value.currency}; this receipt is in ${currency}` });
          return z.NEVER;
        }
        return Object.freeze(moneyFromMinor(value.minor, currency, { allowZero: true }));
      }
      ctx.addIssue({
        code: 'custom',
        message:
          typeof value === 'number'
            ? 'must be a decimal string such as "100.10" or Money, not a number (floats lose kopecks)'
            : 'must be a decimal string such as "100.10" or Money',
      });
    } catch (error) {
      if (!isKassaError(error)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
    }
    return z.NEVER;
  });
}

const QUANTITY = /^(\d{1,5})(?:\.(\d{1,3}))?$/;

/** `"001.500"` → `"1.5"`; undefined when the text is not a positive quantity with ≤5+3 digits. */
function canonicalQuantity(text: string): string | undefined {
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const whole = (m[1] as string).replace(/^0+(?=\d)/, '');
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  if (whole === '0' && fraction === '') return undefined;
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

const quantitySchema = z.unknown().transform((value, ctx): string => {
  // String(number) is the shortest round-trip text, so 0.1 + 0.2 shows up as 0.30000000000000004 and is refused.
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  if (typeof text === 'string') {
    const q = canonicalQuantity(text);
    if (q !== undefined) return q;
  }
  ctx.addIssue({
    code: 'custom',
    message: 'must be a number greater than 0 with at most 5 integer and 3 fractional digits (e.g. 1, 0.5, 2.125)',
  });
  return z.NEVER;
});

function taxSchema(country: Country) {
  const allowed: readonly string[] = RECEIPT_TAXES[country];
  return z.unknown().transform((value, ctx): ReceiptTax => {
    if (typeof value === 'string' && allowed.includes(value)) return value as ReceiptTax;
    if (typeof value !== 'string') {
      ctx.addIssue({ code: 'custom', message: `must be one of ${allowed.join(', ')}` });
      return z.NEVER;
    }
    const legacy = (LEGACY_RECEIPT_TAXES as readonly string[]).includes(value);
    const otherCountry = (Object.keys(RECEIPT_TAXES) as Country[]).find(
      (c) => c !== country && (RECEIPT_TAXES[c] as readonly string[]).includes(value),
    );
    const message = legacy
      ? `"${value}" is the 18 % rate abolished in 2019; use ${value === 'vat18' ? 'vat20 (or vat22 from 2026)' : 'vat120 (or vat122 from 2026)'}`
      : otherCountry
        ? `"${value}" is a ${otherCountry} rate; ${country} receipts take ${allowed.join(', ')}`
        : `"${value}" is not a VAT code; ${country} receipts take ${allowed.join(', ')}`;
    ctx.addIssue({ code: 'custom', message, params: { kassaCode: TAX_CODE } });
    return z.NEVER;
  });
}

function snoSchema(country: Country) {
  return z.unknown().transform((value, ctx): ReceiptSno | undefined => {
    if (value === undefined) return undefined;
    if (country === 'KZ') {
      ctx.addIssue({
        code: 'custom',
        message: 'Kazakhstan receipts carry no sno (tax system); leave it out',
        params: { kassaCode: TAX_CODE },
      });
      return z.NEVER;
    }
    if (typeof value === 'string' && (RECEIPT_SNO_VALUES as readonly string[]).includes(value)) {
      return value as ReceiptSno;
    }
    ctx.addIssue({ code: 'custom', message: `must be one of ${RECEIPT_SNO_VALUES.join(', ')}` });
    return z.NEVER;
  });
}

const wellFormed = (s: string) => isWellFormed(s);

/**
 * The zod schema of a receipt for one country and currency. It checks structure, formats, per-country VAT codes
 * and `sno`, and produces `ReceiptItem`s with `Money` amounts. The totals check needs the payment's OutSum and is
 * done by `checkReceiptTotal`.
 */
export function receiptSchemaFor(country: Country, currency: CurrencyCode = RECEIPT_DEFAULT_CURRENCY[country]) {
  const amount = amountSchema(currency);
  const item = z
    .object({
      name: z
        .string()
        .refine((s) => s.trim().length > 0, 'must not be blank')
        .refine(wellFormed, 'must be valid Unicode text')
        .refine(
          (s) => s.length <= MAX_RECEIPT_ITEM_NAME_LENGTH,
          `must be at most ${MAX_RECEIPT_ITEM_NAME_LENGTH} characters (Robokassa cuts longer names)`,
        ),
      quantity: quantitySchema,
      sum: amount,
      cost: amount.optional(),
      tax: taxSchema(country),
      payment_method: z.enum(RECEIPT_PAYMENT_METHODS).optional(),
      payment_object: z.enum(RECEIPT_PAYMENT_OBJECTS).optional(),
      nomenclature_code: z.string().min(1, 'must not be empty').refine(wellFormed, 'must be valid text').optional(),
    })
    .strict();
  return z
    .object({
      sno: snoSchema(country).optional(),
      items: z
        .array(item)
        .min(1, 'a receipt needs at least one item')
        .max(MAX_RECEIPT_ITEMS, `at most ${MAX_RECEIPT_ITEMS} items`),
    })
    .strict();
}

const schemaCache = new Map<string, ReturnType<typeof receiptSchemaFor>>();
/** Receipts made by `createReceipt`, with the country:currency they were validated for. */
const validated = new WeakMap<object, string>();

/** The schema for RU receipts in roubles, the common case. */
export const receiptSchema = receiptSchemaFor('RU', 'RUB');
schemaCache.set('RU:RUB', receiptSchema);

function schemaFor(country: Country, currency: CurrencyCode) {
  const key = `${country}:${currency}`;
  let schema = schemaCache.get(key);
  if (!schema) {
    schema = receiptSchemaFor(country, currency);
    schemaCache.set(key, schema);
  }
  return schema;
}

/** Receipt errors: only VAT codes or `sno` wrong for the country is RECEIPT_TAX_NOT_ALLOWED, the rest RECEIPT_INVALID. */
const RECEIPT_ERROR: KassaErrorFromIssuesOptions = {
  issueCodes: false,
  messageFor: (code) => (code === TAX_CODE ? 'Receipt tax not allowed' : 'Invalid receipt'),
};

/**
 * Validates a receipt for a country (VAT codes, `sno` rules) and freezes it. Every bad field is named in one error.
 *
 * @throws KassaError RECEIPT_INVALID (structure, formats, amounts; `details.issues` lists every path) or
 *   RECEIPT_TAX_NOT_ALLOWED (only VAT codes / `sno` are wrong for the country).
 */
export function createReceipt(input: ReceiptInput, options: CreateReceiptOptions): Receipt {
  const country = options.country;
  const currency = options.currency ?? RECEIPT_DEFAULT_CURRENCY[country];
  if (!isCurrencyCode(currency) || !Object.hasOwn(RECEIPT_TAXES, country)) {
    throw new KassaError('RECEIPT_INVALID', 'createReceipt needs a known country (RU, KZ) and currency', {
      details: { country, currency },
    });
  }
  const key = `${country}:${currency}`;
  if (typeof input === 'object' && input !== null && validated.get(input) === key) return input as Receipt;

  const parsed = schemaFor(country, currency).safeParse(input);
  if (!parsed.success) {
    throw kassaErrorFromZod('RECEIPT_INVALID', 'Invalid receipt', parsed.error, {
      ...RECEIPT_ERROR,
      root: '(receipt)',
    });
  }
  const items = parsed.data.items.map((it) => {
    const item: ReceiptItem = {
      name: it.name,
      quantity: it.quantity,
      sum: it.sum,
      ...(it.cost !== undefined && { cost: it.cost }),
      tax: it.tax,
      ...(it.payment_method !== undefined && { payment_method: it.payment_method }),
      ...(it.payment_object !== undefined && { payment_object: it.payment_object }),
      ...(it.nomenclature_code !== undefined && { nomenclature_code: it.nomenclature_code }),
    };
    return Object.freeze(item);
  });
  const receipt: Receipt = Object.freeze({
    ...(parsed.data.sno !== undefined && { sno: parsed.data.sno }),
    items: Object.freeze(items),
  });
  const total = sumItems(receipt, currency);
  if (total.minor <= 0n) {
    const problem = 'the receipt total must be greater than zero';
    throw kassaErrorFromIssues(
      'RECEIPT_INVALID',
      'Invalid receipt',
      [{ path: 'items', problem, code: 'RECEIPT_INVALID' }],
      RECEIPT_ERROR,
    );
  }
  validated.set(receipt, key);
  return receipt;
}

function sumItems(receipt: Receipt, currency: CurrencyCode): Money {
  let minor = 0n;
  for (const item of receipt.items) minor += item.sum.minor;
  return { currency, minor };
}

/** The sum of the lines, in the receipt's currency. */
export function receiptTotal(receipt: Receipt): Money {
  const currency = receipt.items[0]?.sum.currency ?? 'RUB';
  return sumItems(receipt, currency);
}

/**
 * DOC-fisc: «сумма всех позиций = сумма операции». A mismatch makes Robokassa drop the receipt silently (or the cash
 * register refuse it), so we refuse before anything is sent.
 *
 * @throws KassaError RECEIPT_TOTAL_MISMATCH with both totals in `details`.
 */
export function checkReceiptTotal(receipt: Receipt, outSum: Money): void {
  const total = receiptTotal(receipt);
  if (total.currency !== outSum.currency) {
    throw new KassaError(
      'RECEIPT_TOTAL_MISMATCH',
      `The receipt is in ${total.currency} but OutSum is in ${outSum.currency}`,
      {
        details: {
          receiptTotal: formatMoney(total),
          outSum: formatMoney(outSum),
          receiptCurrency: total.currency,
          outSumCurrency: outSum.currency,
        },
      },
    );
  }
  if (total.minor !== outSum.minor) {
    throw new KassaError(
      'RECEIPT_TOTAL_MISMATCH',
      `The receipt items add up to ${formatMoney(total)} but OutSum is ${formatMoney(outSum)} ${outSum.currency}`,
      { details: { receiptTotal: formatMoney(total), outSum: formatMoney(outSum), currency: outSum.currency } },
    );
  }
}

/**
 * The compact JSON of a receipt with a fixed key order (the order below) and exact decimal numbers; non-ASCII is
 * written as is. Amounts (at most 10 digits, two decimals) and quantities (5 + 3 digits) are exact as doubles and
 * `JSON.stringify` writes them in their shortest form: `100.10` → `100.1`, `100.00` → `100`, `0.001` → `0.001`.
 */
export function serializeReceipt(receipt: Receipt): string {
  const amount = (money: Money) => Number(formatMoney(money));
  return JSON.stringify({
    sno: receipt.sno,
    items: receipt.items.map((item) => ({
      name: item.name,
      quantity: Number(item.quantity),
      sum: amount(item.sum),
      cost: item.cost === undefined ? undefined : amount(item.cost),
      payment_method: item.payment_method,
      payment_object: item.payment_object,
      tax: item.tax,
      nomenclature_code: item.nomenclature_code,
    })),
  });
}

/**
 * `urlencode(JSON)`: the value that goes into the signature base and into the POST form field (§4.3). A GET URL
 * carries this value encoded once more (`Receipt=%257B…`), which the payment builder does.
 */
export function receiptForSignature(receipt: Receipt): string {
  return formUrlEncode(serializeReceipt(receipt));
}

/**
 * A receipt line in the PascalCase shape of the Refund API / Invoice API `InvoiceItems` (protocol §3.5, §1.4).
 * Amounts stay exact: `Quantity` is the decimal text, `Cost` is `Money`; the API client writes them as JSON numbers
 * from their decimal text (never through a float). Assignable to the refund client's `RefundInvoiceItem`.
 */
export interface ReceiptRefundItem {
  Name: string;
  /** Decimal text: `"1"`, `"0.5"`. */
  Quantity: string;
  /** Unit price. */
  Cost: Money;
  Tax: ReceiptTax;
  PaymentMethod?: ReceiptPaymentMethod;
  PaymentObject?: ReceiptPaymentObject;
  NomenclatureCode?: string;
}

/**
 * Receipt lines → Refund API `InvoiceItems`. `Cost` is the unit price: the item's `cost` when given, else
 * `sum / quantity` when that is a whole number of minor units (always so for quantity 1). The docs only show
 * quantity 1, where unit price and line total agree; reading Cost as the unit price follows the ATOL vocabulary
 * the receipt fields come from (protocol §4.4).
 *
 * @throws KassaError RECEIPT_INVALID when an item has no `cost` and `sum / quantity` is not exact.
 */
export function toRefundInvoiceItems(items: readonly ReceiptItem[]): ReceiptRefundItem[] {
  return items.map((item, index) => {
    const out: ReceiptRefundItem = {
      Name: item.name,
      Quantity: item.quantity,
      Cost: item.cost ?? unitPrice(item, index),
      Tax: item.tax,
    };
    if (item.payment_method !== undefined) out.PaymentMethod = item.payment_method;
    if (item.payment_object !== undefined) out.PaymentObject = item.payment_object;
    if (item.nomenclature_code !== undefined) out.NomenclatureCode = item.nomenclature_code;
    return out;
  });
}

function unitPrice(item: ReceiptItem, index: number): Money {
  const [whole, fraction = ''] = item.quantity.split('.');
  const scale = 10n ** BigInt(fraction.length);
  const quantityScaled = BigInt(`${whole}${fraction}`);
  const numerator = item.sum.minor * scale;
  if (quantityScaled === 0n || numerator % quantityScaled !== 0n) {
    throw new KassaError(
      'RECEIPT_INVALID',
      `Invalid receipt: items.${index}.cost (needed for a refund: ${formatMoney(item.sum)} / ${item.quantity} is not a whole number of kopecks/tiyns)`,
      { details: { issues: [{ path: `items.${index}.cost`, problem: 'sum / quantity is not exact; give cost' }] } },
    );
  }
  return { currency: item.sum.currency, minor: numerator / quantityScaled };
}
