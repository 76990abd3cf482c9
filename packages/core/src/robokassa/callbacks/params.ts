import { formUrlDecode } from '../encoding.js';

/**
 * Reading the parameters of a Robokassa callback (ResultURL, SuccessURL, FailURL) before anything is trusted.
 *
 * Rules (protocol notes §1.1, §2.1, §2.3):
 * - names are matched without regard to letter case (`OutSum`, `outsum`, `EMail`, `Email` are the same field);
 * - values are taken after exactly one level of form decoding (`+` is a space, `%XX` a UTF-8 byte), because that is
 *   what Robokassa signed;
 * - user parameters are every name that starts with `shp` in any case (`Shp_`, `shp_`, `SHP_`, and the legacy
 *   `shpName` of old integrations); their received names and values are kept as they are.
 *
 * Nothing here throws: every problem becomes `{ ok: false, detail }`, where `detail` names a field, never a value.
 */

/** What a framework hands over: a raw query string or form body, `URLSearchParams`, or an already-decoded object. */
export type CallbackInput =
  | string
  | URLSearchParams
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | ReadonlyArray<readonly [string, string]>;

/** A callback never carries this many parameters; the cap keeps a hostile request from costing more than it should. */
export const MAX_CALLBACK_PARAMETERS = 256;

export type Decoded<T> = { ok: true; value: T } | { ok: false; detail: string };

/** One level of `application/x-www-form-urlencoded` decoding, strict: a bad `%` escape or bad UTF-8 is an error. */
export function decodeFormComponent(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

/** Splits and strictly decodes a query string (a leading `?` is allowed) or a form body. */
export function decodeFormPairs(text: string): Decoded<Array<[string, string]>> {
  const source = text.startsWith('?') ? text.slice(1) : text;
  const pairs: Array<[string, string]> = [];
  if (source === '') return { ok: true, value: pairs };
  for (const part of source.split('&')) {
    if (part === '') continue;
    if (pairs.length >= MAX_CALLBACK_PARAMETERS) return { ok: false, detail: 'too many parameters' };
    const eq = part.indexOf('=');
    const name = decodeFormComponent(eq < 0 ? part : part.slice(0, eq));
    const value = decodeFormComponent(eq < 0 ? '' : part.slice(eq + 1));
    if (name === undefined || value === undefined) return { ok: false, detail: 'bad percent-encoding' };
    pairs.push([name, value]);
  }
  return { ok: true, value: pairs };
}

function toPairs(input: CallbackInput): Decoded<Array<[string, string]>> {
  if (typeof input === 'string') return decodeFormPairs(input);
  const pairs: Array<[string, string]> = [];
  const push = (name: unknown, value: unknown): string | undefined => {
    if (typeof name !== 'string' || typeof value !== 'string') return 'parameter is not a string';
    if (pairs.length >= MAX_CALLBACK_PARAMETERS) return 'too many parameters';
    pairs.push([name, value]);
    return undefined;
  };
  if (input instanceof URLSearchParams) {
    for (const [name, value] of input) {
      const problem = push(name, value);
      if (problem) return { ok: false, detail: problem };
    }
    return { ok: true, value: pairs };
  }
  if (Array.isArray(input)) {
    for (const entry of input as ReadonlyArray<readonly [unknown, unknown]>) {
      const problem = push(entry?.[0], entry?.[1]);
      if (problem) return { ok: false, detail: problem };
    }
    return { ok: true, value: pairs };
  }
  if (typeof input !== 'object' || input === null) return { ok: false, detail: 'input is not a parameter set' };
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const values: readonly unknown[] = Array.isArray(value) ? value : [value];
    for (const v of values) {
      const problem = push(name, v);
      if (problem) return { ok: false, detail: problem };
    }
  }
  return { ok: true, value: pairs };
}

/** True for a user parameter name: `Shp_x`, `shp_x`, `SHP_x`, legacy `shpx`. */
export function isShpName(name: string): boolean {
  return name.length > 3 && name.slice(0, 3).toLowerCase() === 'shp';
}

export interface CallbackFields {
  /** Known fields by lower-case name, each present at most once. */
  readonly known: ReadonlyMap<string, string>;
  /** User parameters with their received names and values, in the order received. */
  readonly shp: ReadonlyArray<readonly [string, string]>;
}

/**
 * Collects the fields this callback kind knows (lower-case names) and every Shp_ parameter. A known field or a Shp_
 * name given twice (in any letter case) is ambiguous, so the callback is malformed; unknown parameters are ignored.
 */
export function readCallbackFields(input: CallbackInput, knownNames: readonly string[]): Decoded<CallbackFields> {
  const decoded = toPairs(input);
  if (!decoded.ok) return decoded;
  const known = new Map<string, string>();
  const shp: Array<readonly [string, string]> = [];
  const seenShp = new Set<string>();
  for (const [name, value] of decoded.value) {
    const lower = name.toLowerCase();
    if (knownNames.includes(lower)) {
      if (known.has(lower)) return { ok: false, detail: `duplicate parameter ${lower}` };
      known.set(lower, value);
    } else if (isShpName(name)) {
      if (seenShp.has(lower)) return { ok: false, detail: 'duplicate Shp_ parameter' };
      seenShp.add(lower);
      shp.push([name, value]);
    }
  }
  return { ok: true, value: { known, shp } };
}

/**
 * The received Shp map as-is and a view decoded once more (`abc+1` → `abc 1`), both keyed by the received names.
 * Objects have a null prototype: a received `Shp___proto__` must not reach Object.prototype.
 */
export function shpViews(shp: ReadonlyArray<readonly [string, string]>): {
  shp: Readonly<Record<string, string>>;
  shpDecoded: Readonly<Record<string, string>>;
} {
  const raw: Record<string, string> = Object.create(null);
  const decoded: Record<string, string> = Object.create(null);
  for (const [name, value] of sortShpCaseInsensitive(shp)) {
    raw[name] = value;
    // The same decoder the payment side's encoder is the inverse of (robokassa/encoding.ts). It is lenient: a value
    // another integration signed without encoding (a raw `%`) comes back as it was.
    decoded[name] = formUrlDecode(value);
  }
  return { shp: Object.freeze(raw), shpDecoded: Object.freeze(decoded) };
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted by name, ordinal comparison ignoring letter case (the order Robokassa documents and the emulator uses). */
export function sortShpCaseInsensitive<T extends readonly [string, string]>(pairs: ReadonlyArray<T>): T[] {
  return [...pairs].sort(
    (a, b) => compareCodeUnits(a[0].toLowerCase(), b[0].toLowerCase()) || compareCodeUnits(a[0], b[0]),
  );
}

/**
 * Every Shp_ order a real signer is known to use, without repeats: ordinal ignoring case by lower-casing (PHP `sort`
 * on lower-case names, the official plugin), by upper-casing (.NET `OrdinalIgnoreCase`, which places `_` after
 * letters), and plain byte order (PHP/Ruby `sort` on mixed-case names, e.g. the OFFSITE vector). They only differ
 * for names that mix letter case or use characters between `Z` and `a`; each still needs the password to match.
 */
export function shpOrderings(
  pairs: ReadonlyArray<readonly [string, string]>,
): Array<ReadonlyArray<readonly [string, string]>> {
  const orders = [
    sortShpCaseInsensitive(pairs),
    [...pairs].sort((a, b) => compareCodeUnits(a[0].toUpperCase(), b[0].toUpperCase()) || compareCodeUnits(a[0], b[0])),
    [...pairs].sort((a, b) => compareCodeUnits(a[0], b[0])),
  ];
  const seen = new Set<string>();
  return orders.filter((order) => {
    const key = order.map(([name]) => name).join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Robokassa's InvId as we allocate it: a canonical positive decimal (no sign, no leading zeros), a safe integer. */
export function parseInvId(raw: string): number | undefined {
  if (!/^[1-9][0-9]{0,15}$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}
