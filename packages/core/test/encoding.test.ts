import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  buildFormBody,
  buildQueryString,
  formUrlDecode,
  formUrlEncode,
  formUrlEncodeAgain,
  parseFormBody,
} from '../src/robokassa/encoding.js';
import { loadVectors } from './support/vectors.js';

/**
 * An independent PHP `urlencode` for comparison: the UTF-8 bytes, `[A-Za-z0-9._-]` kept, space → `+`, the rest
 * `%XX` upper case. Built on Buffer, not on the code under test.
 */
function phpUrlencode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9._-]/.test(ch)) out += ch;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

describe('formUrlEncode (PHP urlencode)', () => {
  test.each([
    ['abc 1', 'abc+1'],
    ['abc+1', 'abc%2B1'],
    ['user@example.com', 'user%40example.com'],
    ['Вася', '%D0%92%D0%B0%D1%81%D1%8F'],
    ['https://test.test/robokassa', 'https%3A%2F%2Ftest.test%2Frobokassa'],
    ["~*!'()", '%7E%2A%21%27%28%29'],
    ['a-b_c.d', 'a-b_c.d'],
    ['50%', '50%25'],
    ['😀', '%F0%9F%98%80'],
    ['€', '%E2%82%AC'],
    ['', ''],
    ['\n\t', '%0A%09'],
  ])('%j → %j', (input, expected) => {
    expect(formUrlEncode(input)).toBe(expected);
  });

  test('writes a lone surrogate as U+FFFD, like TextEncoder', () => {
    expect(formUrlEncode('a\uD800b')).toBe('a%EF%BF%BDb');
    expect(formUrlEncode('\uDC00')).toBe('%EF%BF%BD');
  });

  test('agrees with an independent PHP urlencode on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(formUrlEncode(s)).toBe(phpUrlencode(s));
      }),
      { numRuns: 500 },
    );
  });

  test('reproduces the official SDK receipt encoding byte for byte (vector 1be6746b…)', () => {
    const vector = loadVectors().find((v) => v.expected === '1be6746b70e8f702171f85e427399a9e');
    expect(vector).toBeDefined();
    const inputs = vector?.inputs as Record<string, string>;
    expect(formUrlEncode(inputs.receipt_json as string)).toBe(inputs.receipt_in_signature);
  });
});

describe('formUrlDecode', () => {
  test.each([
    ['abc+1', 'abc 1'],
    ['abc%2B1', 'abc+1'],
    ['%D0%92%D0%B0%D1%81%D1%8F', 'Вася'],
    ['%d0%92', 'В'],
    ['100%', '100%'],
    ['%zz%4', '%zz%4'],
    ['%FF', '\uFFFD'],
    ['plain', 'plain'],
  ])('%j → %j', (input, expected) => {
    expect(formUrlDecode(input)).toBe(expected);
  });

  test('keeps a bare "%" before non-ASCII literal, as the WHATWG spec says', () => {
    expect(formUrlDecode('%\u0080%41')).toBe('%\u0080A');
    expect(formUrlDecode('%é')).toBe('%é');
  });

  test('inverts formUrlEncode on well-formed text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(formUrlDecode(formUrlEncode(s))).toBe(s);
      }),
      { numRuns: 500 },
    );
  });

  test('decodes any input exactly as URLSearchParams does', () => {
    // Node's URLSearchParams (ada) writes U+FFFD for a raw non-ASCII character that follows a "%" or an escape
    // ("%\u0080%41"), which the WHATWG spec does not; so raw non-ASCII is compared only where no "%" occurs, and
    // non-ASCII reaches the escape soup through escapes only.
    const ascii = fc.string({ unit: 'binary-ascii' }).map((s) => s.replaceAll('&', ''));
    const percentish = fc
      .array(fc.oneof(ascii, fc.constantFrom('%', '+', '%2', '%41', '%C3%A9', '%E2%82', '%F0%9F%98%80', '%zz')), {
        maxLength: 8,
      })
      .map((parts) => parts.join(''));
    const textWithoutPercent = fc.string({ unit: 'binary' }).map((s) => s.replaceAll('&', '').replaceAll('%', ''));
    fc.assert(
      fc.property(fc.oneof(percentish, textWithoutPercent), (s) => {
        expect(formUrlDecode(s)).toBe(new URLSearchParams(`a=${s}`).get('a'));
      }),
      { numRuns: 500 },
    );
  });
});

describe('formUrlEncodeAgain', () => {
  test('equals a second formUrlEncode on formUrlEncode output', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const once = formUrlEncode(s);
        expect(formUrlEncodeAgain(once)).toBe(formUrlEncode(once));
      }),
      { numRuns: 500 },
    );
  });

  test('falls back to a full encode for anything else', () => {
    expect(formUrlEncodeAgain('a b')).toBe('a+b');
    expect(formUrlEncodeAgain('{"a":1}')).toBe(formUrlEncode('{"a":1}'));
    expect(formUrlEncodeAgain('%7B+x')).toBe('%257B%2Bx');
  });
});

describe('form bodies and query strings', () => {
  const pairs: Array<[string, string]> = [
    ['OutSum', '5'],
    ['Description', 'Заказ №1 & co'],
    ['PaymentMethods', 'BankCard'],
    ['PaymentMethods', 'SBP'],
    ['Shp_order', 'abc+1'],
  ];

  test('keeps order and repeated names, encodes both sides', () => {
    const body = buildFormBody(pairs);
    expect(body).toBe(
      'OutSum=5&Description=%D0%97%D0%B0%D0%BA%D0%B0%D0%B7+%E2%84%961+%26+co&PaymentMethods=BankCard&PaymentMethods=SBP&Shp_order=abc%2B1',
    );
    expect(buildQueryString(pairs)).toBe(body);
    expect(buildFormBody([])).toBe('');
  });

  test('round-trips through parseFormBody and URLSearchParams', () => {
    const body = buildFormBody(pairs);
    expect(parseFormBody(body)).toEqual(pairs);
    expect(parseFormBody(`?${body}`)).toEqual(pairs);
    expect([...new URLSearchParams(body)]).toEqual(pairs);
  });

  test('parseFormBody reads fields without "=" and skips empty segments like URLSearchParams', () => {
    const text = 'a&&b=1&c=&=d';
    expect(parseFormBody(text)).toEqual([...new URLSearchParams(text)]);
    expect(parseFormBody('')).toEqual([]);
  });

  test('any pairs survive buildFormBody → URLSearchParams', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }))), (list) => {
        expect([...new URLSearchParams(buildFormBody(list))]).toEqual(list);
        expect(parseFormBody(buildFormBody(list))).toEqual(list);
      }),
      { numRuns: 300 },
    );
  });
});
