/**
 * Money as integer minor units (kopecks, tiyn, cents: every currency Robokassa takes has two decimals).
 * Amounts arrive as decimal strings and are never turned into binary floats (DESIGN §3 "money").
 */

const AMOUNT = /^(\d{1,12})(?:\.(\d{1,6}))?$/;

/**
 * Parses an amount the way the payment page reads `OutSum`: `.` as the decimal separator, no sign, no exponent,
 * no thousands separator (§1.1). Up to six decimals are read because Robokassa itself writes `100.000000`, but
 * anything below a kopeck must be zero: nobody can pay a fraction of a kopeck.
 */
export function parseAmount(raw: string): number | undefined {
  const match = AMOUNT.exec(raw);
  if (!match) return undefined;
  const fraction = (match[2] ?? '').padEnd(6, '0');
  if (fraction.slice(2) !== '0000') return undefined;
  return Number(match[1]) * 100 + Number(fraction.slice(0, 2));
}

/** Reads a JSON number or a decimal string (Receipt sums, RefundSum: both spellings are in use, §3.5). */
export function parseJsonAmount(value: number | string): number | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return undefined;
    // String() of a JSON number gives its shortest round-trip spelling, i.e. what the sender wrote for any
    // amount with two decimals.
    return parseAmount(String(value));
  }
  return parseAmount(value.trim());
}

/** `12345` → `123.45`, or `123.450000` with six decimals (Robokassa's own format in callbacks and XML, §2.1, §3). */
export function formatAmount(minor: number, decimals: 2 | 6 = 2): string {
  const major = Math.floor(minor / 100);
  const cents = String(minor % 100).padStart(2, '0');
  return `${major}.${cents}${decimals === 6 ? '0000' : ''}`;
}

const CURRENCY_SIGNS: Record<string, string> = { RUB: '₽', USD: '$', EUR: '€', KZT: '₸' };

/** `150000, 'RUB'` → `1 500.00 ₽` (thin groups, for people; never for signatures). */
export function displayAmount(minor: number, currency: string): string {
  const [major = '0', cents = '00'] = formatAmount(minor).split('.');
  const grouped = major.replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  return `${grouped}.${cents}\u00a0${CURRENCY_SIGNS[currency] ?? currency}`;
}

/** A percentage of an amount, rounded half up to the minor unit (commission → `Fee`). */
export function percentOf(minor: number, percent: number): number {
  const basisPoints = Math.round(percent * 100);
  return Math.floor((minor * basisPoints + 5000) / 10000);
}
