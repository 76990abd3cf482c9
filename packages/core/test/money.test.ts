import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isKassaError } from '../src/errors.js';
import {
  addMoney,
  compareMoney,
  formatGatewayMoney,
  formatMoney,
  MAX_MINOR_UNITS,
  moneyFromMinor,
  parseGatewayMoney,
  parseMoney,
  subtractMoney,
} from '../src/money.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isKassaError(e) ? e.code : 'NOT_A_KASSA_ERROR';
  }
  return undefined;
}

describe('parseMoney', () => {
  test.each([
    ['1500', 150000n],
    ['1500.5', 150050n],
    ['1500.50', 150050n],
    ['0.01', 1n],
    ['99999999.99', 9_999_999_999n],
  ])('%s → %s minor units', (input, minor) => {
    expect(parseMoney(input, 'RUB').minor).toBe(minor);
  });

  test.each([
    [1500, 'MONEY_NOT_A_STRING'],
    [15.5, 'MONEY_NOT_A_STRING'],
    [Number.NaN, 'MONEY_NOT_A_STRING'],
    [null, 'MONEY_NOT_A_STRING'],
    ['-1.00', 'MONEY_NEGATIVE'],
    ['1.001', 'MONEY_TOO_PRECISE'],
    ['1.000', 'MONEY_TOO_PRECISE'],
    ['0', 'MONEY_ZERO'],
    ['0.00', 'MONEY_ZERO'],
    ['100000000.00', 'MONEY_TOO_LARGE'],
    ['1e3', 'MONEY_INVALID_FORMAT'],
    ['NaN', 'MONEY_INVALID_FORMAT'],
    ['Infinity', 'MONEY_INVALID_FORMAT'],
    [' 1.00', 'MONEY_INVALID_FORMAT'],
    ['1,00', 'MONEY_INVALID_FORMAT'],
    ['+1', 'MONEY_INVALID_FORMAT'],
    ['.5', 'MONEY_INVALID_FORMAT'],
    ['1.', 'MONEY_INVALID_FORMAT'],
    ['', 'MONEY_INVALID_FORMAT'],
  ])('rejects %j with %s', (input, code) => {
    expect(codeOf(() => parseMoney(input, 'RUB'))).toBe(code);
  });

  test('rejects an unknown currency', () => {
    expect(codeOf(() => parseMoney('1.00', 'XXX' as 'RUB'))).toBe('MONEY_UNKNOWN_CURRENCY');
  });

  test('zero is allowed only when asked for (refund remainders, fees)', () => {
    expect(parseMoney('0.00', 'RUB', { allowZero: true }).minor).toBe(0n);
  });
});

describe('parseGatewayMoney (Robokassa’s 100.000000)', () => {
  test('reads six decimals without losing kopecks', () => {
    expect(parseGatewayMoney('100.000000', 'RUB').minor).toBe(10000n);
    expect(parseGatewayMoney('100.260000', 'RUB').minor).toBe(10026n);
    expect(parseGatewayMoney('100.26', 'RUB').minor).toBe(10026n);
  });

  test('refuses fractions of a kopeck instead of rounding them away', () => {
    expect(codeOf(() => parseGatewayMoney('100.005000', 'RUB'))).toBe('MONEY_TOO_PRECISE');
  });
});

describe('formatting and arithmetic', () => {
  test('formats with exactly two decimals and in Robokassa’s six', () => {
    const m = moneyFromMinor(150005, 'RUB');
    expect(formatMoney(m)).toBe('1500.05');
    expect(formatGatewayMoney(m)).toBe('1500.050000');
    expect(formatMoney(moneyFromMinor(7, 'KZT'))).toBe('0.07');
  });

  test('moneyFromMinor refuses floats and unsafe integers', () => {
    expect(codeOf(() => moneyFromMinor(1.5, 'RUB'))).toBe('MONEY_INVALID_FORMAT');
    expect(codeOf(() => moneyFromMinor(2 ** 53, 'RUB'))).toBe('MONEY_INVALID_FORMAT');
  });

  test('arithmetic refuses to mix currencies', () => {
    expect(codeOf(() => addMoney(parseMoney('1', 'RUB'), parseMoney('1', 'KZT')))).toBe('MONEY_CURRENCY_MISMATCH');
    expect(subtractMoney(parseMoney('10', 'RUB'), parseMoney('2.5', 'RUB')).minor).toBe(750n);
    expect(compareMoney(parseMoney('10', 'RUB'), parseMoney('2.5', 'RUB'))).toBe(1);
  });
});

describe('properties', () => {
  const minor = fc.bigInt({ min: 1n, max: MAX_MINOR_UNITS });

  test('format → parse is the identity for every valid amount', () => {
    fc.assert(
      fc.property(minor, (m) => {
        const money = { currency: 'RUB' as const, minor: m };
        expect(parseMoney(formatMoney(money), 'RUB')).toEqual(money);
        expect(parseGatewayMoney(formatGatewayMoney(money), 'RUB')).toEqual(money);
      }),
    );
  });

  test('no float ever parses: every JS number is refused', () => {
    fc.assert(
      fc.property(fc.double(), (n) => {
        expect(codeOf(() => parseMoney(n as unknown as string, 'RUB'))).toBe('MONEY_NOT_A_STRING');
      }),
    );
  });

  test('any decimal string with three or more significant decimals is refused', () => {
    fc.assert(
      fc.property(fc.nat({ max: 99_999_999 }), fc.integer({ min: 1, max: 9 }), fc.nat({ max: 99 }), (w, d, f) => {
        const value = `${w}.${String(f).padStart(2, '0')}${d}`;
        expect(codeOf(() => parseMoney(value, 'RUB'))).toBe('MONEY_TOO_PRECISE');
      }),
    );
  });
});
