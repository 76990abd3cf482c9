/**
 * Assist amounts as integer minor units, never binary floats. order.cfm takes «15 digits, two digits after the
 * delimiter (delimiter '.')» (assist.md §1.1); the web services also allow ',' (§3.0).
 */

const ORDER_AMOUNT = /^(\d{1,13})(?:\.(\d{1,2}))?$/;
const SERVICE_AMOUNT = /^(\d{1,13})(?:[.,](\d{1,2}))?$/;

function toMinor(match: RegExpExecArray | null): number | undefined {
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** `OrderAmount`: `100`, `100.0` (RUBY's float, vector assist-payment-checkvalue-semicolon-1) and `100.00`. */
export const parseOrderAmount = (raw: string) => toMinor(ORDER_AMOUNT.exec(raw));
export const parseServiceAmount = (raw: string) => toMinor(SERVICE_AMOUNT.exec(raw));

/** `12345` → `123.45`: what Assist writes in notifications and web-service answers. */
export function formatMinor(minor: number): string {
  return `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
}
