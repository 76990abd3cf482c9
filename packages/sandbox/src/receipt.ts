import { z } from 'zod';
import { formatAmount, parseJsonAmount } from './money.js';

/** 54-FZ `Receipt` vocabulary (§4.1). */
export const TAX_RATES = {
  RU: ['none', 'vat0', 'vat10', 'vat110', 'vat20', 'vat120', 'vat5', 'vat7', 'vat105', 'vat107', 'vat22', 'vat122'],
  KZ: ['none', 'vat0', 'vat5', 'vat12', 'vat16'],
} as const;
export type Country = keyof typeof TAX_RATES;

const SNO = ['osn', 'usn_income', 'usn_income_outcome', 'esn', 'patent'] as const;
const PAYMENT_METHODS = [
  'full_prepayment',
  'prepayment',
  'advance',
  'full_payment',
  'partial_payment',
  'credit',
  'credit_payment',
] as const;
const PAYMENT_OBJECTS = [
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

const money = z.union([z.number(), z.string()]);

const itemSchema = z.object({
  name: z.string().min(1).max(128),
  // Up to five integer and three fractional digits (the official SDK's check, §4.1 "quantity").
  quantity: z
    .number()
    .positive()
    .refine((q) => /^\d{1,5}(\.\d{1,3})?$/.test(String(q)), 'at most 5 integer and 3 fractional digits'),
  sum: money.optional(),
  cost: money.optional(),
  tax: z.string(),
  payment_method: z.enum(PAYMENT_METHODS).optional(),
  payment_object: z.enum(PAYMENT_OBJECTS).optional(),
  nomenclature_code: z.string().optional(),
});

const receiptSchema = z.object({
  sno: z.enum(SNO).optional(),
  items: z.array(itemSchema).min(1).max(100),
});

export type Receipt = z.infer<typeof receiptSchema>;
export type ReceiptItem = z.infer<typeof itemSchema>;

export type ReceiptCheck = { ok: true; receipt: Receipt; totalMinor: number } | { ok: false; problem: string };

/**
 * The JSON text inside a received `Receipt` value (§4.3 "Emulator"): a value starting with `%7B` was URL-encoded
 * once more by the shop (the documented form) and is decoded once, `+` being a space; anything else is read as JSON.
 */
export function receiptJson(received: string): string | undefined {
  if (!/^%7b/i.test(received)) return received;
  try {
    return decodeURIComponent(received.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** `sum` wins over `cost × quantity` when both are present (§4.1 "cost"). */
function lineTotal(item: ReceiptItem): number | undefined {
  if (item.sum !== undefined) return parseJsonAmount(item.sum);
  if (item.cost === undefined) return undefined;
  const cost = parseJsonAmount(item.cost);
  if (cost === undefined) return undefined;
  const thousandths = Math.round(item.quantity * 1000);
  return Math.round((cost * thousandths) / 1000);
}

/**
 * Validates a received `Receipt` against the schema, the country's tax rates and the rules «для успешного
 * формирования чека» (§4.1): at least one item, names present, non-negative prices, total > 0, total = OutSum.
 */
export function checkReceipt(received: string, country: Country, outSumMinor: number): ReceiptCheck {
  const text = receiptJson(received);
  if (text === undefined) return { ok: false, problem: 'Receipt is not valid URL-encoding' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'Receipt is not valid JSON (nor URL-encoded JSON)' };
  }
  const parsed = receiptSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: `Receipt.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` };
  }
  const receipt = parsed.data;
  if (country === 'KZ' && receipt.sno !== undefined) {
    return { ok: false, problem: 'Receipt.sno must be omitted for a Kazakhstan shop' };
  }
  const rates: readonly string[] = TAX_RATES[country];
  let total = 0;
  for (const [index, item] of receipt.items.entries()) {
    if (!rates.includes(item.tax)) {
      return { ok: false, problem: `Receipt.items.${index}.tax "${item.tax}" is not a ${country} tax rate` };
    }
    const line = lineTotal(item);
    if (line === undefined) {
      return { ok: false, problem: `Receipt.items.${index} needs a non-negative sum (or cost) with 2 decimals` };
    }
    total += line;
  }
  if (total <= 0) return { ok: false, problem: 'Receipt total must be greater than zero' };
  if (total !== outSumMinor) {
    return {
      ok: false,
      problem: `Receipt items total ${formatAmount(total)} but OutSum is ${formatAmount(outSumMinor)}`,
    };
  }
  return { ok: true, receipt, totalMinor: total };
}
