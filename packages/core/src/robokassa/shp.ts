import { KassaError } from '../errors.js';
import { formUrlDecode, formUrlEncode } from './encoding.js';

/**
 * Shp_ user parameters: values the shop attaches to a payment, which Robokassa echoes in every callback and which
 * are signed after the password, sorted by name (protocol §1.2).
 *
 * Rules we impose so that every party computes the same base:
 * - One spelling, `Shp_`, and names of lower-case ASCII `[a-z0-9_]`. Robokassa accepts `Shp_`/`SHP_`/`shp_` and
 *   sources disagree on how the server sorts (PHP `sort()` on `key=value`, case-insensitive order in the official
 *   WordPress plugin, byte order elsewhere); with one prefix and lower-case names these orders coincide for all
 *   usual names, and we *send* the fields in the same order we sign them.
 * - Values are signed as Robokassa receives them after one level of decoding: the official SDK urlencodes each value
 *   once before signing (`abc 1` → signed `Shp_order=abc+1`, form body `Shp_order=abc%2B1`; vector `46e153d0…`),
 *   which is also what the docs ask for Cyrillic values (DOC-params). So `received = formUrlEncode(value)` goes
 *   into the base and into the form field, and a GET URL carries it encoded once more.
 * - The whole user-parameter string is at most 2048 characters (DOC-params «В сумме строка может содержать до 2048
 *   знаков»); we measure `Shp_a=…&Shp_b=…` with the values as Robokassa receives them.
 */

export const SHP_PREFIX = 'Shp_';
export const MAX_SHP_LENGTH = 2048;

const SHP_NAME = /^[a-z0-9_]+$/;
const PREFIX_LENGTH = SHP_PREFIX.length;
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

/** `shp_` in any letter case followed by at least one character; char codes, no allocation (hot path). */
function hasShpPrefix(key: string): boolean {
  return (
    key.length > PREFIX_LENGTH &&
    (key.charCodeAt(0) | 0x20) === 0x73 && // s
    (key.charCodeAt(1) | 0x20) === 0x68 && // h
    (key.charCodeAt(2) | 0x20) === 0x70 && // p
    key.charCodeAt(3) === 0x5f // _
  );
}

/** `[a-z0-9_]+` by char codes (this runs for every Shp parameter of every payment). */
function isShpName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f)) return false;
  }
  return true;
}

/** Insertion sort by name: a shop sends a handful of Shp parameters, where this beats Array#sort with a callback. */
function sortByName(params: ShpParam[]): void {
  for (let i = 1; i < params.length; i++) {
    const item = params[i] as ShpParam;
    let j = i - 1;
    while (j >= 0 && (params[j] as ShpParam).name > item.name) {
      params[j + 1] = params[j] as ShpParam;
      j--;
    }
    params[j + 1] = item;
  }
}

function isWellFormed(value: string): boolean {
  return (value as string & { isWellFormed(): boolean }).isWellFormed();
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function invalidShpInput(path: string, problem: string): KassaError {
  return new KassaError('PAYMENT_INVALID', `Invalid Shp parameters: ${path} (${problem})`, {
    details: { issues: [{ path, problem }] },
  });
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
  // Each parameter takes at least 7 characters (`Shp_x=` and a separator): more keys cannot fit, whatever they hold.
  if (keys.length > MAX_SHP_COUNT) {
    throw new KassaError(
      'SHP_TOO_LONG',
      `${keys.length} Shp parameters cannot fit in ${MAX_SHP_LENGTH} characters (at most ${MAX_SHP_COUNT})`,
      { details: { count: keys.length, limit: MAX_SHP_LENGTH } },
    );
  }
  const folded: string[] = [];
  const params: ShpParam[] = [];
  // Duplicates are looked for across all keys first, so the error does not depend on key order.
  let badName: string | undefined;
  let badValue: string | undefined;
  for (const key of keys) {
    const value: unknown = input[key];
    const bare = hasShpPrefix(key) ? key.slice(PREFIX_LENGTH) : key;
    const valid = isShpName(bare);
    const fold = valid ? bare : bare.toLowerCase();
    const earlier = folded.indexOf(fold);
    if (earlier !== -1) {
      const first = keys[earlier] as string;
      throw new KassaError(
        'SHP_DUPLICATE',
        `Shp parameters "${first}" and "${key}" are the same parameter (names are compared ignoring case and the Shp_ prefix)`,
        { details: { names: [first, key] } },
      );
    }
    folded.push(fold);
    if (!valid) {
      badName ??= key;
      continue;
    }
    if (typeof value !== 'string' || !isWellFormed(value)) {
      badValue ??= key;
      continue;
    }
    params.push({ name: SHP_PREFIX + bare, value, received: formUrlEncode(value) });
  }
  if (badName !== undefined) {
    const fold = (hasShpPrefix(badName) ? badName.slice(PREFIX_LENGTH) : badName).toLowerCase();
    throw new KassaError(
      'SHP_NAME_INVALID',
      `Shp parameter name "${badName}" must be lower-case ASCII letters, digits and "_" (e.g. "${SHP_NAME.test(fold) ? fold : 'order_id'}")`,
      { details: { name: badName, pattern: '[a-z0-9_]+' } },
    );
  }
  if (badValue !== undefined) throw invalidShpInput(`shp.${badValue}`, 'must be a string of valid Unicode text');
  let length = params.length > 0 ? params.length - 1 : 0;
  for (const p of params) length += p.name.length + 1 + p.received.length;
  if (length > MAX_SHP_LENGTH) {
    throw new KassaError(
      'SHP_TOO_LONG',
      `Shp parameters add up to ${length} characters as Robokassa receives them; the limit is ${MAX_SHP_LENGTH}`,
      { details: { length, limit: MAX_SHP_LENGTH, names: params.map((p) => p.name) } },
    );
  }
  sortByName(params);
  return params;
}

/** Ordinal comparison with ASCII letters folded to lower case (no allocation: it runs on every signature). */
function compareNamesIgnoringCase(a: ShpEntry, b: ShpEntry): number {
  const x = a.name;
  const y = b.name;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    let c = x.charCodeAt(i);
    let d = y.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (d >= 0x41 && d <= 0x5a) d |= 0x20;
    if (c !== d) return c - d;
  }
  return x.length - y.length;
}

function isSorted(entries: ReadonlyArray<ShpEntry>): boolean {
  for (let i = 1; i < entries.length; i++) {
    if (compareNamesIgnoringCase(entries[i - 1] as ShpEntry, entries[i] as ShpEntry) > 0) return false;
  }
  return true;
}

/**
 * `:Shp_a=v:Shp_b=w`, the tail of every signature base that carries user parameters (payment: after Password #1;
 * ResultURL: after Password #2; SuccessURL: after Password #1). Values must already be as Robokassa receives them
 * (for a payment: `ShpParam.received`; for a callback: the decoded field value). Entries are sorted by name
 * ignoring case when they are not sorted already. Empty input gives ''.
 */
export function shpSignatureSuffix(entries: ReadonlyArray<ShpEntry>): string {
  const ordered = isSorted(entries) ? entries : [...entries].sort(compareNamesIgnoringCase);
  let out = '';
  for (const e of ordered) out += `:${e.name}=${e.value}`;
  return out;
}

/**
 * Picks the user parameters out of received fields (a callback's decoded form or query): every name that starts
 * with `shp_` in any case, values as received, sorted by name ignoring case — ready for `shpSignatureSuffix`.
 */
export function receivedShp(
  fields: Iterable<readonly [string, string]> | Readonly<Record<string, string>>,
): ShpEntry[] {
  const pairs: Iterable<readonly [string, string]> =
    Symbol.iterator in fields
      ? (fields as Iterable<readonly [string, string]>)
      : Object.entries(fields as Readonly<Record<string, string>>);
  const entries: ShpEntry[] = [];
  for (const [name, value] of pairs) if (hasShpPrefix(name)) entries.push({ name, value });
  return entries.sort(compareNamesIgnoringCase);
}

/**
 * What the shop originally put in: Robokassa echoes `abc+1` (the once-encoded value) and this returns `abc 1`.
 * It is one more level of form decoding of the received value.
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
  for (const e of entries) {
    const bare = hasShpPrefix(e.name) ? e.name.slice(PREFIX_LENGTH) : e.name;
    out[bare.toLowerCase()] = decodeShpValue(e.value);
  }
  return out;
}
