/**
 * `application/x-www-form-urlencoded` as Robokassa's documentation and official SDK write it: PHP `urlencode`.
 *
 * - UTF-8 bytes (protocol §1.2 "Charset for hashing"; Robokassa decodes UTF-8 when `Encoding=utf-8`);
 * - `A-Z a-z 0-9 - _ .` stay as they are, a space becomes `+`, every other byte is `%XX` with upper-case hex
 *   (PHP `urlencode`: note that `~`, `*`, `!`, `'`, `(`, `)` are encoded, unlike `encodeURIComponent`).
 *
 * The exact alphabet matters because encoded values are *signed*: a Shp value and the Receipt are urlencoded once
 * before they go into the signature base (protocol §1.2, §4.3), so the base must contain the very bytes Robokassa
 * sees after one level of decoding. A lone UTF-16 surrogate has no UTF-8 form; it is written as U+FFFD, the way
 * `TextEncoder`, `Buffer` and browsers do (callers that sign values reject ill-formed strings before this point).
 *
 * The encoder is a table walk over char codes (no regular expressions, one pass, unchanged runs copied by slice)
 * because it sits on the payment hot path.
 */

const HEX_DIGITS = '0123456789ABCDEF';

/** `%XX` for every byte value. */
const BYTE_ESCAPE: readonly string[] = Array.from(
  { length: 256 },
  (_, b) => `%${HEX_DIGITS[b >> 4]}${HEX_DIGITS[b & 15]}`,
);

/** 1 for the ASCII characters PHP `urlencode` leaves alone. */
const UNRESERVED = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9\-_.]/.test(ch)) UNRESERVED[c] = 1;
}

/** What each ASCII character becomes. */
const ASCII_ESCAPE: readonly string[] = Array.from({ length: 128 }, (_, c) =>
  UNRESERVED[c] === 1 ? String.fromCharCode(c) : c === 0x20 ? '+' : (BYTE_ESCAPE[c] as string),
);

/** `%XX%XX` for every two-byte code point U+0080…U+07FF (Cyrillic among them): one lookup per character. */
const TWO_BYTE_ESCAPE: readonly string[] = Array.from(
  { length: 0x800 },
  (_, cp) => (BYTE_ESCAPE[0xc0 | (cp >> 6)] as string) + BYTE_ESCAPE[0x80 | (cp & 0x3f)],
);

function escapeCodePoint(cp: number): string {
  if (cp < 0x800) return TWO_BYTE_ESCAPE[cp] as string;
  if (cp < 0x10000) {
    return (
      (BYTE_ESCAPE[0xe0 | (cp >> 12)] as string) +
      BYTE_ESCAPE[0x80 | ((cp >> 6) & 0x3f)] +
      BYTE_ESCAPE[0x80 | (cp & 0x3f)]
    );
  }
  return (
    (BYTE_ESCAPE[0xf0 | (cp >> 18)] as string) +
    BYTE_ESCAPE[0x80 | ((cp >> 12) & 0x3f)] +
    BYTE_ESCAPE[0x80 | ((cp >> 6) & 0x3f)] +
    BYTE_ESCAPE[0x80 | (cp & 0x3f)]
  );
}

/** PHP `urlencode(value)` over the UTF-8 bytes of `value` (see the module comment). */
export function formUrlEncode(value: string): string {
  const n = value.length;
  let out = '';
  let runStart = 0;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x80) {
      if (UNRESERVED[c] === 1) continue;
      if (runStart < i) out += value.slice(runStart, i);
      out += ASCII_ESCAPE[c];
      runStart = i + 1;
      continue;
    }
    if (runStart < i) out += value.slice(runStart, i);
    let cp = c;
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < n ? value.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        cp = 0xfffd;
      }
    }
    out += escapeCodePoint(cp);
    runStart = i + 1;
  }
  if (runStart === 0) return value;
  if (runStart < n) out += value.slice(runStart);
  return out;
}

/**
 * `formUrlEncode(encoded)` for a string that is itself `formUrlEncode` output (only `[A-Za-z0-9._-]`, `+` and
 * `%XX`): just `%` → `%25` and `+` → `%2B`. The GET URL carries Shp values and the Receipt encoded twice; for a
 * long Receipt this is much cheaper than a second full pass. Any other input goes through `formUrlEncode`.
 */
export function formUrlEncodeAgain(encoded: string): string {
  const n = encoded.length;
  let out = '';
  let runStart = 0;
  for (let i = 0; i < n; i++) {
    const c = encoded.charCodeAt(i);
    if (c === 0x25 || c === 0x2b) {
      if (runStart < i) out += encoded.slice(runStart, i);
      out += c === 0x25 ? '%25' : '%2B';
      runStart = i + 1;
    } else if (c >= 0x80 || UNRESERVED[c] !== 1) {
      return formUrlEncode(encoded);
    }
  }
  if (runStart === 0) return encoded;
  if (runStart < n) out += encoded.slice(runStart);
  return out;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/**
 * One level of form decoding, as a server does it: `+` is a space, `%XX` a byte, the bytes are UTF-8. Matches the
 * WHATWG `application/x-www-form-urlencoded` parser (what `URLSearchParams` does): a `%` not followed by two hex
 * digits stays literal, and invalid UTF-8 becomes U+FFFD. PHP `urldecode` agrees on every string `formUrlEncode`
 * produces, which is what matters for signatures.
 */
export function formUrlDecode(value: string): string {
  if (value.indexOf('%') === -1) return value.indexOf('+') === -1 ? value : value.replaceAll('+', ' ');
  const bytes = utf8Encoder.encode(value);
  const out = new Uint8Array(bytes.length);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 0x2b) {
      out[o++] = 0x20;
      continue;
    }
    if (b === 0x25 && i + 2 < bytes.length) {
      const hi = hexValue(bytes[i + 1] as number);
      const lo = hexValue(bytes[i + 2] as number);
      if (hi >= 0 && lo >= 0) {
        out[o++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[o++] = b;
  }
  return utf8Decoder.decode(out.subarray(0, o));
}

/** An ordered `[name, value]` pair of a form or a query string. Order is kept: Robokassa wants Shp_ sorted. */
export type FormPair = readonly [name: string, value: string];

/**
 * `name=value&name=value` with both sides `formUrlEncode`d: the body of an `application/x-www-form-urlencoded` POST,
 * exactly what a browser submits for a form with these fields.
 */
export function buildFormBody(pairs: Iterable<FormPair>): string {
  let out = '';
  for (const [name, value] of pairs) {
    if (out.length > 0) out += '&';
    out += `${formUrlEncode(name)}=${formUrlEncode(value)}`;
  }
  return out;
}

/** The query string (without `?`) for the same pairs: a GET request carries exactly the form body. */
export function buildQueryString(pairs: Iterable<FormPair>): string {
  return buildFormBody(pairs);
}

/**
 * Splits a form body or a query string (a leading `?` is ignored) into decoded, ordered pairs. Repeated names
 * (`PaymentMethods`) stay repeated. A field without `=` has an empty value, as in `URLSearchParams`.
 */
export function parseFormBody(body: string): Array<[string, string]> {
  const text = body.startsWith('?') ? body.slice(1) : body;
  const pairs: Array<[string, string]> = [];
  if (text.length === 0) return pairs;
  for (const part of text.split('&')) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? '' : part.slice(eq + 1);
    pairs.push([formUrlDecode(name), formUrlDecode(value)]);
  }
  return pairs;
}
