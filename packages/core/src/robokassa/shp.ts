import { KassaError } from '../errors.js';
import { formUrlDecode, formUrlEncode } from './encoding.js';

/**
 * Shp_ user parameters: values the shop attaches to a payment, which Robokassa echoes in every callback and which
 * are signed after the password, sorted by name (protocol §1.2). A wrong set, order or spelling here is Robokassa's
 * error 29 (bad signature). This module is the one place that rule lives: the payment builder, the callback
 * verifier, the test signer and the CLI all use it.
 *
 * Rules we impose so that every party computes the same base:
 * - One spelling, `Shp_`, and names of lower-case ASCII `[a-z0-9_]` for what we send. Robokassa accepts
 *   `Shp_`/`SHP_`/`shp_` and sources disagree on how the server sorts (PHP `sort()` on `key=value`, case-insensitive
 *   order in the official WordPress plugin, byte order elsewhere); with one prefix and lower-case names these orders
 *   coincide for all usual names, and we *send* the fields in the same order we sign them.
 * - What we receive is read more widely: every field whose name starts with `shp` in any letter case (`Shp_x`,
 *   `SHP_x`, the legacy `shpx` of old integrations) is a user parameter, kept with its name as received. Names are
 *   compared ignoring case (two spellings of one name make a callback ambiguous).
 * - Values are signed as Robokassa receives them after one level of decoding: the official SDK urlencodes each value
 *   once before signing (`abc 1` → signed `Shp_order=abc+1`, form body `Shp_order=abc%2B1`; vector `46e153d0…`),
 *   which is also what the docs ask for Cyrillic values (DOC-params). So `received = formUrlEncode(value)` goes
 *   into the base and into the form field, and a GET URL carries it encoded once more.
 * - The order is by name ignoring case (`compareShpNames`); a callback also verifies under the other orders real
 *   signers use (`shpOrderings`).
 * - The whole user-parameter string is at most 2048 characters (DOC-params «В сумме строка может содержать до 2048
 *   знаков»); we measure `Shp_a=…&Shp_b=…` with the values as Robokassa receives them.
 */

export const SHP_PREFIX = 'Shp_';
export const MAX_SHP_LENGTH = 2048;

/** The names we send after `Shp_`. */
const SHP_NAME = /^[a-z0-9_]+$/;
/** `Shp_` in any case followed by a name, as the shop may write the keys it gives us. */
const SHP_PREFIXED = /^shp_./is;
/** Each parameter takes at least 7 characters (`Shp_x=` and a separator). */
const MAX_SHP_COUNT = Math.floor((MAX_SHP_LENGTH + 1) / 7);

/** One normalised user parameter of a payment we start. */
export interface ShpParam {
  /** Full field name with the prefix: `Shp_order`. */
  readonly name: string;
  /** The value as the shop gave it (`abc 1`); what a callback decodes back to. */
  readonly value: string;
  /** `formUrlEncode(value)` (`abc+1`): what Robokassa receives after one decoding, and what is signed. */
  readonly received: string;
}

/** A user parameter as it arrives (name as sent, value after one level of transport decoding). */
export interface ShpEntry {
  readonly name: string;
  readonly value: string;
}

/** True for a received user parameter: a name that starts with `shp` in any case and has more after it. */
export function isReceivedShpName(name: string): boolean {
  return name.length > 3 && /^shp/i.test(name);
}

/** The key two received names are compared by: `Shp_A` and `shp_a` are the same parameter. */
export function shpKey(name: string): string {
  return name.toLowerCase();
}

/** `order` for `Shp_order`, `SHP_order` or `order` itself. */
function bareShpName(key: string): string {
  return SHP_PREFIXED.test(key) ? key.slice(SHP_PREFIX.length) : key;
}

function isWellFormed(value: string): boolean {
  return (value as string & { isWellFormed(): boolean }).isWellFormed();
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The order Shp_ parameters are signed in: by name ignoring case, then by code units (a total order). */
export function compareShpNames(a: string, b: string): number {
  return compareCodeUnits(shpKey(a), shpKey(b)) || compareCodeUnits(a, b);
}

/** A sorted copy, in `compareShpNames` order. */
export function sortShp<T extends ShpEntry>(entries: Iterable<T>): T[] {
  return [...entries].sort((a, b) => compareShpNames(a.name, b.name));
}

/**
 * Every Shp_ order a real signer is known to use, without repeats, ours (`sortShp`) first: then ordinal ignoring
 * case by upper-casing (.NET `OrdinalIgnoreCase`, which places `_` after letters) and plain byte order (PHP/Ruby
 * `sort` on mixed-case names, e.g. the OFFSITE vector). They only differ for names that mix letter case or use
 * characters between `Z` and `a`, so for nearly every callback there is one order.
 */
export function shpOrderings(entries: readonly ShpEntry[]): ShpEntry[][] {
  const orders = [
    sortShp(entries),
    [...entries].sort(
      (a, b) => compareCodeUnits(a.name.toUpperCase(), b.name.toUpperCase()) || compareCodeUnits(a.name, b.name),
    ),
    [...entries].sort((a, b) => compareCodeUnits(a.name, b.name)),
  ];
  const seen = new Set<string>();
  return orders.filter((order) => {
    const key = order.map(({ name }) => name).join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `:Shp_a=v:Shp_b=w` for entries already in the order wanted. */
export function joinShp(ordered: readonly ShpEntry[]): string {
  return ordered.map(({ name, value }) => `:${name}=${value}`).join('');
}

/**
 * `:Shp_a=v:Shp_b=w`, the tail of every signature base that carries user parameters (payment: after Password #1;
 * ResultURL: after Password #2; SuccessURL: after Password #1), sorted with `sortShp`. Values must already be as
 * Robokassa receives them (for a payment: `ShpParam.received`; for a callback: the decoded field value). Empty
 * input gives ''.
 */
export function shpSignatureSuffix(entries: readonly ShpEntry[]): string {
  return joinShp(sortShp(entries));
}

/**
 * Picks the user parameters out of received fields (a callback's decoded form or query): every name
 * `isReceivedShpName` accepts, values as received, sorted with `sortShp` — ready for `shpSignatureSuffix`.
 */
export function receivedShp(
  fields: Iterable<readonly [string, string]> | Readonly<Record<string, string>>,
): ShpEntry[] {
  const pairs = Symbol.iterator in fields ? fields : Object.entries(fields);
  const entries: ShpEntry[] = [];
  for (const [name, value] of pairs as Iterable<readonly [string, string]>) {
    if (isReceivedShpName(name)) entries.push({ name, value });
  }
  return sortShp(entries);
}

/**
 * What the shop originally put in: Robokassa echoes `abc+1` (the once-encoded value) and this returns `abc 1`.
 * It is one more level of form decoding of the received value, lenient: a value another integration signed
 * without encoding (a raw `%`) comes back as it was.
 */
export function decodeShpValue(received: string): string {
  return formUrlDecode(received);
}

/**
 * The shop's own parameters back from received entries, keyed by bare lower-case name (`{ order: 'abc 1' }`), the
 * same shape `buildPaymentRequest` takes as `shp`.
 */
export function decodeShpValues(entries: Iterable<ShpEntry>): Record<string, string> {
  // A null prototype: a received `Shp___proto__` must not reach Object.prototype.
  const out: Record<string, string> = Object.create(null);
  for (const e of entries) out[bareShpName(e.name).toLowerCase()] = decodeShpValue(e.value);
  return out;
}

/**
 * A callback's user parameters keyed by their received names: the values as received (as signed) and decoded once
 * more (`abc+1` → `abc 1`). Every key starts with `shp`, so none can be `__proto__`.
 */
export function shpRecords(entries: readonly ShpEntry[]): {
  shp: Readonly<Record<string, string>>;
  shpDecoded: Readonly<Record<string, string>>;
} {
  return {
    shp: Object.fromEntries(entries.map(({ name, value }) => [name, value])),
    shpDecoded: Object.fromEntries(entries.map(({ name, value }) => [name, decodeShpValue(value)])),
  };
}

function invalidShpInput(path: string, problem: string): KassaError {
  return new KassaError('PAYMENT_INVALID', `Invalid Shp parameters: ${path} (${problem})`, {
    details: { issues: [{ path, problem }] },
  });
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Validates and normalises the shop's user parameters. Keys are bare names (`order`) or carry the prefix in any
 * case (`Shp_order`, `shp_order`); the output always uses `Shp_` and is sorted by name.
 *
 * @throws KassaError SHP_DUPLICATE when two keys name the same parameter ignoring case and prefix;
 *   SHP_NAME_INVALID when a name is not `[a-z0-9_]+`; SHP_TOO_LONG past 2048 characters; PAYMENT_INVALID when the
 *   input is not a plain object of well-formed strings.
 */
export function normalizeShp(input: Readonly<Record<string, string>> | undefined): readonly ShpParam[] {
  if (input === undefined) return [];
  if (!isPlainRecord(input)) throw invalidShpInput('shp', 'must be an object of name → string value');
  const keys = Object.keys(input);
  // More keys than can fit cannot be valid, whatever they hold (and are not worth checking one by one).
  if (keys.length > MAX_SHP_COUNT) {
    throw new KassaError(
      'SHP_TOO_LONG',
      `${keys.length} Shp parameters cannot fit in ${MAX_SHP_LENGTH} characters (at most ${MAX_SHP_COUNT})`,
      { details: { count: keys.length, limit: MAX_SHP_LENGTH } },
    );
  }
  // Duplicates are looked for across all keys first, so the error does not depend on which key is invalid.
  const firstByName = new Map<string, string>();
  for (const key of keys) {
    const folded = bareShpName(key).toLowerCase();
    const first = firstByName.get(folded);
    if (first !== undefined) {
      throw new KassaError(
        'SHP_DUPLICATE',
        `Shp parameters "${first}" and "${key}" are the same parameter (names are compared ignoring case and the Shp_ prefix)`,
        { details: { names: [first, key] } },
      );
    }
    firstByName.set(folded, key);
  }
  const badName = keys.find((key) => !SHP_NAME.test(bareShpName(key)));
  if (badName !== undefined) {
    const folded = bareShpName(badName).toLowerCase();
    throw new KassaError(
      'SHP_NAME_INVALID',
      `Shp parameter name "${badName}" must be lower-case ASCII letters, digits and "_" (e.g. "${SHP_NAME.test(folded) ? folded : 'order_id'}")`,
      { details: { name: badName, pattern: '[a-z0-9_]+' } },
    );
  }
  const badValue = keys.find((key) => {
    const value: unknown = input[key];
    return typeof value !== 'string' || !isWellFormed(value);
  });
  if (badValue !== undefined) throw invalidShpInput(`shp.${badValue}`, 'must be a string of valid Unicode text');
  const params = sortShp(
    keys.map((key): ShpParam => {
      const value = input[key] as string;
      return { name: SHP_PREFIX + bareShpName(key), value, received: formUrlEncode(value) };
    }),
  );
  const length = params.map((p) => `${p.name}=${p.received}`).join('&').length;
  if (length > MAX_SHP_LENGTH) {
    throw new KassaError(
      'SHP_TOO_LONG',
      `Shp parameters add up to ${length} characters as Robokassa receives them; the limit is ${MAX_SHP_LENGTH}`,
      { details: { length, limit: MAX_SHP_LENGTH, names: params.map((p) => p.name) } },
    );
  }
  return params;
}
