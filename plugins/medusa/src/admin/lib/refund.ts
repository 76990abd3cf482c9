import type { MessageKey } from './i18n';

export type RefundAmount =
  | { ok: true /** Decimal string with two decimals, e.g. `"100.50"`. */; amount: string; minor: bigint }
  | { ok: false; error: MessageKey; vars?: Record<string, string> };

/** `"1534.50"` → `153450n`; undefined when not a plain non-negative decimal with at most two decimals. */
export function toMinor(decimal: string): bigint | undefined {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(decimal);
  if (!match) return undefined;
  return BigInt(match[1] ?? '0') * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
}

export function fromMinor(minor: bigint): string {
  return `${minor / 100n}.${String(minor % 100n).padStart(2, '0')}`;
}

/**
 * What the merchant typed into the refund field, read the way a Russian merchant writes money: `1 534,50`,
 * `1534.5`, `100 ₽`. Refused: empty, zero, more than two decimals, anything else, and more than `remaining` (a
 * decimal string). Money never passes through a float: the result is minor units and a decimal string.
 */
export function parseRefundAmount(input: string, remaining: string): RefundAmount {
  const compact = input
    .replace(/[\s\u00a0\u202f]/g, '')
    .replace(/(₽|руб\.?|rub)$/i, '')
    .replace(',', '.');
  if (compact === '') return { ok: false, error: 'refund.error.empty' };
  const minor = toMinor(compact.startsWith('.') ? `0${compact}` : compact);
  if (minor === undefined) return { ok: false, error: 'refund.error.format' };
  if (minor === 0n) return { ok: false, error: 'refund.error.zero' };
  const left = toMinor(remaining) ?? 0n;
  if (minor > left) return { ok: false, error: 'refund.error.too_much', vars: { remaining } };
  return { ok: true, amount: fromMinor(minor), minor };
}

/** What is left to refund: paid minus refunded, never below zero (decimal strings in, decimal string out). */
export function remainingAmount(amount: string, refunded: string): string {
  const left = (toMinor(trimDecimals(amount)) ?? 0n) - (toMinor(trimDecimals(refunded)) ?? 0n);
  return fromMinor(left > 0n ? left : 0n);
}

/** `"100.500000"` → `"100.50"` (the gateway's six decimals; kopecks are exact in them). */
function trimDecimals(decimal: string): string {
  const [whole = '0', fraction = ''] = decimal.split('.');
  return fraction ? `${whole}.${fraction.slice(0, 2)}` : whole;
}
