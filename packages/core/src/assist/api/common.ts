import { z } from 'zod';
import { KassaError } from '../../errors.js';
import { type Money, parseGatewayMoney } from '../../money.js';
import { verifyOrderCheckvalue } from '../checkvalue.js';
import { ASSIST_CURRENCIES, ASSIST_LANGUAGES, type AssistConfig, type AssistCurrency } from '../config.js';
import { assistEventKind, type GatewayEventKind, isAssistOrderState } from '../states.js';

/** Validates caller input at the boundary; the message names fields, never values. */
export function parseAssistInput<T extends z.ZodType>(endpoint: string, schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ key: i.path.join('.') || '(root)', problem: i.message }));
    throw new KassaError(
      'API_INPUT_INVALID',
      `Invalid Assist ${endpoint} input: ${issues.map((i) => `${i.key} (${i.problem})`).join('; ')}`,
      { details: { endpoint, issues } },
    );
  }
  return parsed.data as z.output<T>;
}

/** 15–16 digits, optionally `.k` (an operation of the bill). Always a string. */
export const billNumberSchema = z.string().regex(/^\d{6,20}(\.\d{1,4})?$/, 'digits with an optional .k');
export const orderNumberSchema = z.string().min(1).max(128);
export const languageSchema = z.enum(ASSIST_LANGUAGES);

export const assistMoneySchema = z.custom<Money>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Money).minor === 'bigint' &&
    (v as Money).minor > 0n &&
    (ASSIST_CURRENCIES as readonly string[]).includes((v as Money).currency),
  `a positive Money value in ${ASSIST_CURRENCIES.join('|')}`,
);

/** `Start*`/`End*` fields of a date window, in GMT (§3.1). */
export function windowParams(from: Date | undefined, to: Date | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const add = (prefix: 'Start' | 'End', d: Date): void => {
    out.push([`${prefix}Year`, String(d.getUTCFullYear())]);
    out.push([`${prefix}Month`, String(d.getUTCMonth() + 1)]);
    out.push([`${prefix}Day`, String(d.getUTCDate())]);
    out.push([`${prefix}Hour`, String(d.getUTCHours())]);
    out.push([`${prefix}Min`, String(d.getUTCMinutes())]);
  };
  if (from) add('Start', from);
  if (to) add('End', to);
  return out;
}

export const dateSchema = z.date().refine((d) => !Number.isNaN(d.getTime()), 'an invalid Date');

/** An element value: trimmed text, an empty element being `''`. */
export const text = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .optional();

/** Money from a reply amount, when the currency is one Kassa knows and the amount is whole kopecks. */
export function replyMoney(amount: string | undefined, currency: string | undefined): Money | undefined {
  if (!amount || !currency || !(ASSIST_CURRENCIES as readonly string[]).includes(currency)) return undefined;
  try {
    // Web services may write `,` as the decimal delimiter (§3.0); normalise only that.
    return parseGatewayMoney(amount.replace(',', '.'), currency as AssistCurrency, { allowZero: true });
  } catch {
    return undefined;
  }
}

/** The order-level fields orderstate and orderresult both carry. */
export interface AssistOrderBase {
  readonly orderNumber: string;
  readonly billNumber: string;
  /** As written by Assist (`4.00`): what the checkvalue covers. */
  readonly orderAmount: string;
  readonly orderCurrency: string;
  readonly amount?: Money | undefined;
  readonly orderState: string;
  readonly knownState: boolean;
  readonly event: GatewayEventKind;
  readonly packetDate?: string | undefined;
  /** True when the checkvalue was verified; false only with `verifyResponseCheckvalue: false`. */
  readonly checkvalueVerified: boolean;
}

export const orderCoreSchema = z.object({
  ordernumber: z.union([z.string(), z.number()]).transform((v) => String(v).trim()),
  billnumber: z.union([z.string(), z.number()]).transform((v) => String(v).trim()),
  orderamount: z.string().trim().min(1),
  ordercurrency: z.string().trim().min(1),
  orderstate: z.string().trim().min(1),
  packetdate: text,
  checkvalue: text,
  signature: text,
});

/**
 * Builds the neutral order view and verifies its checkvalue (§3.1) over the reply's own ordernumber, orderamount,
 * ordercurrency and orderstate (the callers also require that ordernumber to be the one they asked about).
 */
export function orderBase(
  config: AssistConfig,
  endpoint: string,
  o: z.output<typeof orderCoreSchema>,
  text: string,
): AssistOrderBase {
  let checkvalueVerified = false;
  if (config.verifyResponseCheckvalue) {
    const ok = verifyOrderCheckvalue(
      config.secretWord,
      {
        merchant_id: config.merchantId,
        ordernumber: o.ordernumber,
        orderamount: o.orderamount,
        ordercurrency: o.ordercurrency,
        orderstate: o.orderstate,
      },
      o.checkvalue ?? '',
    );
    if (!ok) {
      throw new KassaError(
        'ASSIST_CHECKVALUE_MISMATCH',
        `Assist ${endpoint}: the checkvalue of bill ${o.billnumber} does not verify (check secretWord)`,
        { details: { endpoint, billNumber: o.billnumber, orderNumber: o.ordernumber, bodyLength: text.length } },
      );
    }
    checkvalueVerified = true;
  }
  return {
    orderNumber: o.ordernumber,
    billNumber: o.billnumber,
    orderAmount: o.orderamount,
    orderCurrency: o.ordercurrency,
    amount: replyMoney(o.orderamount, o.ordercurrency),
    orderState: o.orderstate,
    knownState: isAssistOrderState(o.orderstate),
    event: assistEventKind(o.orderstate),
    packetDate: o.packetdate || undefined,
    checkvalueVerified,
  };
}
