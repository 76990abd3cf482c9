import { KassaError } from './errors.js';

/**
 * Money is a decimal string or an integer count of minor units, never a float. Every currency Robokassa takes
 * (`OutSumCurrency` and the shop's own) has two decimals. BYN (Belarusian rouble, two decimals) is for Assist
 * merchants on paysec.by; Robokassa's own parameter schemas keep their narrower lists.
 */
export const CURRENCY_EXPONENTS = { RUB: 2, KZT: 2, USD: 2, EUR: 2, BYN: 2 } as const;
export type CurrencyCode = keyof typeof CURRENCY_EXPONENTS;

export function isCurrencyCode(value: unknown): value is CurrencyCode {
  return typeof value === 'string' && Object.hasOwn(CURRENCY_EXPONENTS, value);
}

/**
 * The largest amount we let through: Robokassa's fiscal receipt caps a sum at 8 integer and 2 fractional digits
 * (DOC-fisc), and a payment above it cannot carry a valid receipt.
 */
export const MAX_MINOR_UNITS = 9_999_999_999n;

export interface Money {
  readonly currency: CurrencyCode;
  /** Integer count of minor units (kopecks, tiyns, cents). */
  readonly minor: bigint;
}

function exponentOf(currency: string): number {
  if (!isCurrencyCode(currency)) {
    throw new KassaError(
      'MONEY_UNKNOWN_CURRENCY',
      `Unknown currency: expected one of ${Object.keys(CURRENCY_EXPONENTS).join(', ')}`,
      {
        details: { currency },
      },
    );
  }
  return CURRENCY_EXPONENTS[currency];
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

interface ParseOptions {
  /** Robokassa sends `100.000000`: extra fractional digits are allowed when they are all zeros. */
  allowTrailingZeros?: boolean;
  /** Zero is a valid refund remainder or fee, never a valid payment. */
  allowZero?: boolean;
}

const MAX_MINOR_NUMBER = Number(MAX_MINOR_UNITS);
/** Exponents by code without a prototype in the way, and the powers of ten they need. */
const EXPONENTS = new Map<unknown, number>(Object.entries(CURRENCY_EXPONENTS));
const POWERS_OF_TEN = [1, 10, 100, 1000, 10000];

/**
 * Minor units of a well-formed, in-range amount (`1500.000000` in every ResultURL), or undefined for anything else.
 * One pass over the characters, no regular expression, no slicing and no `BigInt(string)`: callback verification
 * parses OutSum on every request (issue #2). It only ever accepts what the general path below accepts, with the
 * same value; on undefined that path runs and accepts or throws exactly as it always has.
 */
function parseWellFormed(value: string, exponent: number, options: ParseOptions): bigint | undefined {
  const length = value.length;
  let i = 0;
  let whole = 0;
  for (; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    whole = whole * 10 + (c - 0x30);
    // Far past the limit (and still exact as a double): the general path reports it.
    if (whole > MAX_MINOR_NUMBER) return undefined;
  }
  if (i === 0) return undefined;
  let fraction = 0;
  let digits = 0;
  if (i < length) {
    if (value.charCodeAt(i) !== 0x2e || i + 1 === length) return undefined;
    for (i += 1; i < length; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return undefined;
      if (digits < exponent) {
        fraction = fraction * 10 + (c - 0x30);
        digits += 1;
      } else if (c !== 0x30 || !options.allowTrailingZeros) {
        return undefined;
      }
    }
  }
  for (; digits < exponent; digits++) fraction *= 10;
  const minor = whole * (POWERS_OF_TEN[exponent] ?? 10 ** exponent) + fraction;
  if (minor > MAX_MINOR_NUMBER || (minor === 0 && !options.allowZero)) return undefined;
  return BigInt(minor);
}

function parse(value: unknown, currency: CurrencyCode, options: ParseOptions): Money {
  // Roubles first: every ResultURL of a Russian shop, without even the map lookup.
  const knownExponent = currency === 'RUB' ? CURRENCY_EXPONENTS.RUB : EXPONENTS.get(currency);
  if (typeof value === 'string' && knownExponent !== undefined) {
    const minor = parseWellFormed(value, knownExponent, options);
    if (minor !== undefined) return { currency, minor };
  }
  if (typeof value !== 'string') {
    throw new KassaError(
      'MONEY_NOT_A_STRING',
      `Amounts must be decimal strings such as "1500.00", got a ${typeof value === 'number' ? 'number (floats lose kopecks)' : typeof value}`,
      { details: { type: typeof value } },
    );
  }
  if (value.startsWith('-')) {
    throw new KassaError('MONEY_NEGATIVE', 'Amounts cannot be negative', { details: { value } });
  }
  const match = DECIMAL.exec(value);
  if (!match) {
    throw new KassaError(
      'MONEY_INVALID_FORMAT',
      'Amounts are digits with an optional "." and decimals, e.g. "1500.00"',
      {
        details: { value },
      },
    );
  }
  const exponent = exponentOf(currency);
  const whole = match[1] ?? '0';
  let fraction = match[2] ?? '';
  if (fraction.length > exponent) {
    const extra = fraction.slice(exponent);
    if (!options.allowTrailingZeros || /[^0]/.test(extra)) {
      throw new KassaError('MONEY_TOO_PRECISE', `${currency} has ${exponent} decimals; "${value}" has more`, {
        details: { value, currency, exponent },
      });
    }
    fraction = fraction.slice(0, exponent);
  }
  const minor = BigInt(whole + fraction.padEnd(exponent, '0'));
  return checked({ currency, minor }, options.allowZero ?? false, value);
}

function checked(money: Money, allowZero: boolean, shown: string): Money {
  if (money.minor < 0n)
    throw new KassaError('MONEY_NEGATIVE', 'Amounts cannot be negative', { details: { value: shown } });
  if (money.minor === 0n && !allowZero) {
    throw new KassaError('MONEY_ZERO', 'A payment amount must be greater than zero (Robokassa error 31)', {
      details: { value: shown },
    });
  }
  if (money.minor > MAX_MINOR_UNITS) {
    throw new KassaError('MONEY_TOO_LARGE', 'Amount exceeds Robokassa’s limit of 99999999.99', {
      details: { value: shown },
    });
  }
  return money;
}

const SHOP_DEFAULTS: ParseOptions = Object.freeze({ allowTrailingZeros: false });
const GATEWAY_DEFAULTS: ParseOptions = Object.freeze({ allowTrailingZeros: true });

/** Parses a shop-side amount: at most the currency's decimals ("1500", "1500.5", "1500.50"). */
export function parseMoney(value: unknown, currency: CurrencyCode = 'RUB', options?: { allowZero?: boolean }): Money {
  // No options (the usual call): constant defaults instead of a spread per call.
  return parse(value, currency, options === undefined ? SHOP_DEFAULTS : { allowTrailingZeros: false, ...options });
}

/** Parses an amount as Robokassa writes it (`100.000000` in callbacks and XML): extra zeros are fine, kopecks are not lost. */
export function parseGatewayMoney(
  value: unknown,
  currency: CurrencyCode = 'RUB',
  options?: { allowZero?: boolean },
): Money {
  return parse(value, currency, options === undefined ? GATEWAY_DEFAULTS : { allowTrailingZeros: true, ...options });
}

/** From an integer count of minor units (a platform's `amount: 150000` for 1500.00 ₽). */
export function moneyFromMinor(
  minor: bigint | number,
  currency: CurrencyCode = 'RUB',
  options: { allowZero?: boolean } = {},
): Money {
  exponentOf(currency);
  if (typeof minor === 'number' && !Number.isSafeInteger(minor)) {
    throw new KassaError('MONEY_INVALID_FORMAT', 'Minor units must be a safe integer', {
      details: { minor: String(minor) },
    });
  }
  const m = typeof minor === 'bigint' ? minor : BigInt(minor);
  return checked({ currency, minor: m }, options.allowZero ?? false, String(minor));
}

/** The canonical decimal string with exactly the currency's decimals: `1500.00`. */
export function formatMoney(money: Money): string {
  const exponent = exponentOf(money.currency);
  const negative = money.minor < 0n;
  const digits = (negative ? -money.minor : money.minor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}`;
}

/** Robokassa's own 6-decimal rendering (`100.000000`), as it appears in ResultURL and XML replies. */
export function formatGatewayMoney(money: Money): string {
  const base = formatMoney(money);
  const [whole, fraction = ''] = base.split('.');
  return `${whole}.${fraction.padEnd(6, '0')}`;
}

export function moneyEquals(a: Money, b: Money): boolean {
  return a.currency === b.currency && a.minor === b.minor;
}

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) {
    throw new KassaError('MONEY_CURRENCY_MISMATCH', `Cannot combine ${a.currency} and ${b.currency}`, {
      details: { a: a.currency, b: b.currency },
    });
  }
}

export function addMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return { currency: a.currency, minor: a.minor + b.minor };
}

export function subtractMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return { currency: a.currency, minor: a.minor - b.minor };
}

export function compareMoney(a: Money, b: Money): -1 | 0 | 1 {
  sameCurrency(a, b);
  return a.minor < b.minor ? -1 : a.minor > b.minor ? 1 : 0;
}

export function zeroMoney(currency: CurrencyCode): Money {
  return { currency, minor: 0n };
}
