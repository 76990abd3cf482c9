import { describe, expect, test } from 'vitest';
import { isKassaError, type KassaError } from '../src/errors.js';
import {
  decodeShpValue,
  decodeShpValues,
  MAX_SHP_LENGTH,
  normalizeShp,
  receivedShp,
  SHP_PREFIX,
  shpSignatureSuffix,
} from '../src/robokassa/shp.js';

function caught(fn: () => unknown): KassaError {
  try {
    fn();
  } catch (error) {
    if (isKassaError(error)) return error;
    throw error;
  }
  throw new Error('expected a KassaError');
}

describe('normalizeShp', () => {
  test('one spelling, sorted by name, values urlencoded once for signing (official SDK: abc 1 → abc+1)', () => {
    const params = normalizeShp({ user: 'u@example.com', order: 'abc 1', a_1: 'Вася' });
    expect(params).toEqual([
      { name: 'Shp_a_1', value: 'Вася', received: '%D0%92%D0%B0%D1%81%D1%8F' },
      { name: 'Shp_order', value: 'abc 1', received: 'abc+1' },
      { name: 'Shp_user', value: 'u@example.com', received: 'u%40example.com' },
    ]);
    expect(SHP_PREFIX).toBe('Shp_');
  });

  test('accepts the prefix in any case and always writes Shp_', () => {
    expect(normalizeShp({ Shp_b: '1', shp_a: '2', SHP_c: '3' }).map((p) => p.name)).toEqual([
      'Shp_a',
      'Shp_b',
      'Shp_c',
    ]);
  });

  test('nothing in, nothing out', () => {
    expect(normalizeShp(undefined)).toEqual([]);
    expect(normalizeShp({})).toEqual([]);
  });

  test('empty values are allowed and signed as empty', () => {
    expect(normalizeShp({ note: '' })).toEqual([{ name: 'Shp_note', value: '', received: '' }]);
  });

  test.each(['Order', 'order-id', 'заказ', '', 'a b', 'Shp_', 'Shp_Order'])('SHP_NAME_INVALID for %j', (name) => {
    const error = caught(() => normalizeShp({ [name]: '1' }));
    expect(error.code).toBe('SHP_NAME_INVALID');
    expect(error.details.name).toBe(name);
    expect(error.message).toContain('lower-case');
  });

  test('the message suggests the lower-case spelling', () => {
    expect(caught(() => normalizeShp({ OrderId: '1' })).message).toContain('"orderid"');
  });

  test.each([
    [{ order: '1', Shp_order: '2' }],
    [{ Shp_order: '1', shp_order: '2' }],
    [{ order: '1', Order: '2' }],
    [{ Order: '1', order: '2' }],
  ])('SHP_DUPLICATE for %j, whatever the key order', (input) => {
    const error = caught(() => normalizeShp(input));
    expect(error.code).toBe('SHP_DUPLICATE');
    expect(error.details.names).toEqual(Object.keys(input));
  });

  test('SHP_TOO_LONG past 2048 characters as Robokassa receives them', () => {
    // `Shp_a=` + value: 6 + 2042 = 2048 exactly.
    expect(normalizeShp({ a: 'x'.repeat(MAX_SHP_LENGTH - 6) })).toHaveLength(1);
    expect(caught(() => normalizeShp({ a: 'x'.repeat(MAX_SHP_LENGTH - 5) })).code).toBe('SHP_TOO_LONG');
    // Encoding counts: one Cyrillic letter is 6 characters once urlencoded.
    const error = caught(() => normalizeShp({ a: 'я'.repeat(400) }));
    expect(error.code).toBe('SHP_TOO_LONG');
    expect(error.details.length).toBe(6 + 400 * 6);
    // Separators count too: `Shp_a=` + 1018 and `Shp_b=` + 1017 are 1024 + 1023, and 2048 with the "&".
    expect(normalizeShp({ a: 'x'.repeat(1018), b: 'y'.repeat(1017) })).toHaveLength(2);
    expect(caught(() => normalizeShp({ a: 'x'.repeat(1018), b: 'y'.repeat(1018) })).code).toBe('SHP_TOO_LONG');
  });

  test('SHP_TOO_LONG for more parameters than can ever fit', () => {
    const many = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`p${i}`, '']));
    expect(caught(() => normalizeShp(many)).code).toBe('SHP_TOO_LONG');
  });

  test('PAYMENT_INVALID for values that are not well-formed strings, and for non-objects', () => {
    expect(caught(() => normalizeShp({ a: 1 as unknown as string })).code).toBe('PAYMENT_INVALID');
    expect(caught(() => normalizeShp({ a: 'bad \uD800' })).code).toBe('PAYMENT_INVALID');
    expect(caught(() => normalizeShp([] as unknown as Record<string, string>)).code).toBe('PAYMENT_INVALID');
    expect(caught(() => normalizeShp('a=1' as unknown as Record<string, string>)).code).toBe('PAYMENT_INVALID');
  });

  test('sorts many names like a plain ordinal sort', () => {
    const names = ['z', 'a_b', 'ab', 'a', 'a0', 'b_', '_x', '9'];
    const got = normalizeShp(Object.fromEntries(names.map((n) => [n, n]))).map((p) => p.name);
    expect(got).toEqual(names.map((n) => `Shp_${n}`).sort());
  });
});

describe('signature suffix and received parameters', () => {
  test('shpSignatureSuffix joins received values after the password', () => {
    expect(shpSignatureSuffix([])).toBe('');
    expect(
      shpSignatureSuffix([
        { name: 'Shp_order', value: 'abc+1' },
        { name: 'Shp_user', value: '7' },
      ]),
    ).toBe(':Shp_order=abc+1:Shp_user=7');
  });

  test('shpSignatureSuffix sorts by name ignoring case when needed (WordPress-plugin order)', () => {
    expect(
      shpSignatureSuffix([
        { name: 'shp_label', value: '1' },
        { name: 'Shp_order_id', value: '2' },
        { name: 'Shp_merchant_id', value: '3' },
      ]),
    ).toBe(':shp_label=1:Shp_merchant_id=3:Shp_order_id=2');
  });

  test('receivedShp picks Shp_ fields from pairs or a record, sorted, values as received', () => {
    // The callback verifier's rule: any name that starts with `shp` and has more after it (legacy `shpx` too).
    const fromPairs = receivedShp([
      ['OutSum', '100.000000'],
      ['Shp_user', 'u%40example.com'],
      ['SHP_a', '1'],
      ['Shp', 'not a parameter'],
      ['Shpx', 'legacy'],
    ]);
    expect(fromPairs).toEqual([
      { name: 'SHP_a', value: '1' },
      { name: 'Shp_user', value: 'u%40example.com' },
      { name: 'Shpx', value: 'legacy' },
    ]);
    expect(receivedShp({ InvId: '5', Shp_order: 'abc+1' })).toEqual([{ name: 'Shp_order', value: 'abc+1' }]);
    expect(receivedShp(new Map([['shp_x', 'y']]))).toEqual([{ name: 'shp_x', value: 'y' }]);
  });

  test('decodeShpValues gives back what the shop put in', () => {
    const sent = { order: 'abc 1', email: 'user@example.com', name: 'Вася: 50% & co' };
    const received = normalizeShp(sent).map((p) => ({ name: p.name, value: p.received }));
    expect(decodeShpValues(received)).toEqual(sent);
    expect(decodeShpValue('abc+1')).toBe('abc 1');
  });

  test('decodeShpValues cannot be used to reach Object.prototype', () => {
    const out = decodeShpValues([{ name: 'Shp___proto__', value: 'x' }]);
    expect(Object.getPrototypeOf(out)).toBeNull();
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('x');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
