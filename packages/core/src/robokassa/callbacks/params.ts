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
 * Nothing here throws: every problem becomes a `detail` that names a field, never a value.
 *
 * Every ResultURL goes through this module, so it reads its input in one pass without building intermediate pair
 * lists, maps or sorted copies (issue #2, bench/signing.ts). The order in which problems are reported is the one
 * the rules imply: a problem with the input itself (not a string, too many parameters, bad percent-encoding) wins
 * over an ambiguity (a field given twice), and among problems of one kind the first in input order wins. A
 * differential fuzz run against the previous implementation (every input shape, 60,000 cases) found no difference.
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
  const spaced = text.indexOf('+') === -1 ? text : text.replaceAll('+', ' ');
  // Names, amounts, InvIds and hex signatures carry no escapes: nothing to decode, nothing that can fail.
  if (spaced.indexOf('%') === -1) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return undefined;
  }
}

/** Receives the pairs of a parameter set in order. */
interface PairSink {
  add(name: string, value: string): void;
}

class PairList implements PairSink {
  readonly pairs: Array<[string, string]> = [];

  add(name: string, value: string): void {
    this.pairs.push([name, value]);
  }
}

/** Splits and strictly decodes a query string (a leading `?` is allowed) or a form body. */
export function decodeFormPairs(text: string): Decoded<Array<[string, string]>> {
  const list = new PairList();
  const problem = scanFormText(text, list);
  return problem === undefined ? { ok: true, value: list.pairs } : { ok: false, detail: problem };
}

/**
 * Hands each decoded `name=value` of a query string or form body to `sink`, in order; returns the first input
 * problem, if any (nothing is handed over after it).
 */
function scanFormText(text: string, sink: PairSink): string | undefined {
  const length = text.length;
  let start = text.charCodeAt(0) === 0x3f /* ? */ ? 1 : 0;
  let count = 0;
  // Without `%` or `+` anywhere nothing needs decoding (nor can fail to decode): one check for the whole text.
  const plain = text.indexOf('%') === -1 && text.indexOf('+') === -1;
  // The next `=` at or after `start`, reused while it lies in a later part: the scan stays linear in the text.
  let eq = -1;
  while (start < length) {
    let end = text.indexOf('&', start);
    if (end === -1) end = length;
    if (end > start) {
      if (count >= MAX_CALLBACK_PARAMETERS) return 'too many parameters';
      count += 1;
      if (eq !== length && eq < start) {
        eq = text.indexOf('=', start);
        if (eq === -1) eq = length;
      }
      const hasValue = eq < end;
      const rawName = text.slice(start, hasValue ? eq : end);
      const rawValue = hasValue ? text.slice(eq + 1, end) : '';
      const name = plain ? rawName : decodeFormComponent(rawName);
      const value = plain ? rawValue : decodeFormComponent(rawValue);
      if (name === undefined || value === undefined) return 'bad percent-encoding';
      sink.add(name, value);
    }
    start = end + 1;
  }
  return undefined;
}

/** True for a user parameter name: `Shp_x`, `shp_x`, `SHP_x`, legacy `shpx`. */
export function isShpName(name: string): boolean {
  // `| 0x20` lower-cases ASCII letters; no other UTF-16 unit lower-cases to `s`, `h` or `p` (checked over the BMP).
  return (
    name.length > 3 &&
    (name.charCodeAt(0) | 0x20) === 0x73 &&
    (name.charCodeAt(1) | 0x20) === 0x68 &&
    (name.charCodeAt(2) | 0x20) === 0x70
  );
}

/** Every field a callback kind may know (lower-case); a field's id is its index here. */
const KNOWN_FIELDS = [
  'outsum',
  'invid',
  'signaturevalue',
  'istest',
  'fee',
  'email',
  'paymentmethod',
  'inccurrlabel',
  'outsumcurrency',
  'culture',
] as const;

/**
 * The id of a known field from its lower-case name or Robokassa's own spelling (DOC-notif), or -1. A `switch` over
 * string literals: on the fresh substrings of a query string it is several times cheaper than a `Map` lookup (which
 * has to hash them), and the usual spellings skip `toLowerCase`.
 */
function knownFieldId(name: string): number {
  switch (name) {
    case 'OutSum':
    case 'outsum':
      return 0;
    case 'InvId':
    case 'invid':
      return 1;
    case 'SignatureValue':
    case 'signaturevalue':
      return 2;
    case 'IsTest':
    case 'istest':
      return 3;
    case 'Fee':
    case 'fee':
      return 4;
    case 'EMail':
    case 'email':
      return 5;
    case 'PaymentMethod':
    case 'paymentmethod':
      return 6;
    case 'IncCurrLabel':
    case 'inccurrlabel':
      return 7;
    case 'OutSumCurrency':
    case 'outsumcurrency':
      return 8;
    case 'Culture':
    case 'culture':
      return 9;
    default:
      return -1;
  }
}

/** The fields one kind of callback knows, by lower-case name, each with a fixed slot. Build once per kind. */
export interface FieldSpec {
  /** Lower-case names; a field's slot is its index here. */
  readonly names: readonly string[];
  /** Slot by known field id (see `knownFieldId`), -1 for a field this kind ignores. */
  readonly slotById: readonly number[];
  /** One `undefined` per slot: copied for each callback, cheaper than building a new array. */
  readonly empty: ReadonlyArray<string | undefined>;
}

/** `names` are lower-case names from `KNOWN_FIELDS` (never a user parameter). */
export function fieldSpec(names: readonly string[]): FieldSpec {
  const slotById = KNOWN_FIELDS.map((field) => names.indexOf(field));
  names.forEach((name) => {
    if (!(KNOWN_FIELDS as readonly string[]).includes(name)) throw new Error(`unknown callback field ${name}`);
  });
  return { names: [...names], slotById, empty: names.map(() => undefined) };
}

/** A user parameter as received, with its lower-case name (the key duplicates and the usual order are decided by). */
export interface ShpParam {
  readonly name: string;
  readonly value: string;
  readonly key: string;
}

export interface CallbackFields {
  /** Known fields by slot (see `FieldSpec`); undefined when absent. Each was present at most once. */
  readonly values: ReadonlyArray<string | undefined>;
  /**
   * User parameters with their received names and values, sorted by name ignoring case (`sortShpParams`), the
   * order Robokassa documents for the signature.
   */
  readonly shp: readonly ShpParam[];
}

/** Above this many Shp_ parameters duplicates are found with a set instead of a scan of the few seen so far. */
const SHP_SCAN_LIMIT = 16;

/** Collects known fields and Shp_ parameters from name/value pairs, remembering the first ambiguity. */
class FieldCollector implements PairSink {
  readonly spec: FieldSpec;
  readonly values: Array<string | undefined>;
  readonly shp: ShpParam[] = [];
  shpKeys: Set<string> | undefined;
  /** The first field given twice, reported once the whole input is known to be readable. */
  ambiguity: string | undefined;

  constructor(spec: FieldSpec) {
    this.spec = spec;
    this.values = spec.empty.slice();
    this.shpKeys = undefined;
    this.ambiguity = undefined;
  }

  add(name: string, value: string): void {
    if (this.ambiguity !== undefined) return;
    let id = knownFieldId(name);
    if (id < 0 && !isShpName(name)) id = knownFieldId(name.toLowerCase());
    const slot = id < 0 ? -1 : (this.spec.slotById[id] as number);
    if (slot >= 0) {
      if (this.values[slot] !== undefined) this.ambiguity = `duplicate parameter ${this.spec.names[slot]}`;
      else this.values[slot] = value;
      return;
    }
    if (!isShpName(name)) return;
    const key = name.toLowerCase();
    if (this.seenShp(key)) {
      this.ambiguity = 'duplicate Shp_ parameter';
      return;
    }
    this.shp.push({ name, value, key });
  }

  private seenShp(key: string): boolean {
    const shp = this.shp;
    if (shp.length < SHP_SCAN_LIMIT) {
      for (const param of shp) if (param.key === key) return true;
      return false;
    }
    if (this.shpKeys === undefined) this.shpKeys = new Set(shp.map((param) => param.key));
    if (this.shpKeys.has(key)) return true;
    this.shpKeys.add(key);
    return false;
  }
}

/** Feeds every pair of a non-string input to `collector`; returns the first input problem, if any. */
function collectStructured(input: Exclude<CallbackInput, string>, collector: FieldCollector): string | undefined {
  let count = 0;
  if (input instanceof URLSearchParams) {
    for (const [name, value] of input) {
      if (count++ >= MAX_CALLBACK_PARAMETERS) return 'too many parameters';
      collector.add(name, value);
    }
    return undefined;
  }
  if (Array.isArray(input)) {
    for (const entry of input as ReadonlyArray<readonly [unknown, unknown]>) {
      const name = entry?.[0];
      const value = entry?.[1];
      if (typeof name !== 'string' || typeof value !== 'string') return 'parameter is not a string';
      if (count++ >= MAX_CALLBACK_PARAMETERS) return 'too many parameters';
      collector.add(name, value);
    }
    return undefined;
  }
  if (typeof input !== 'object' || input === null) return 'input is not a parameter set';
  const record = input as Readonly<Record<string, unknown>>;
  for (const name of Object.keys(record)) {
    const value = record[name];
    if (typeof value === 'string') {
      if (count++ >= MAX_CALLBACK_PARAMETERS) return 'too many parameters';
      collector.add(name, value);
    } else if (Array.isArray(value)) {
      for (const v of value as readonly unknown[]) {
        if (typeof v !== 'string') return 'parameter is not a string';
        if (count++ >= MAX_CALLBACK_PARAMETERS) return 'too many parameters';
        collector.add(name, v);
      }
    } else if (value !== undefined) {
      return 'parameter is not a string';
    }
  }
  return undefined;
}

/**
 * Collects the fields this callback kind knows and every Shp_ parameter (sorted, see `CallbackFields`). A known field
 * or a Shp_ name given twice (in any letter case) is ambiguous, so the callback is malformed; unknown parameters are
 * ignored. A string is the problem (`detail`): naming a field, never a value.
 */
export function readCallbackFields(input: CallbackInput, spec: FieldSpec): CallbackFields | string {
  const collector = new FieldCollector(spec);
  const problem = typeof input === 'string' ? scanFormText(input, collector) : collectStructured(input, collector);
  if (problem !== undefined) return problem;
  if (collector.ambiguity !== undefined) return collector.ambiguity;
  sortShpParams(collector.shp);
  return collector;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareByKey(a: ShpParam, b: ShpParam): number {
  return compareCodeUnits(a.key, b.key) || compareCodeUnits(a.name, b.name);
}

/**
 * Sorts in place by name, ordinal comparison ignoring letter case (the order Robokassa documents and the emulator
 * uses), and returns the array. Callbacks carry a handful of Shp_ parameters, for which an insertion sort over the
 * precomputed lower-case keys beats `Array.prototype.sort`.
 */
export function sortShpParams(params: ShpParam[]): ShpParam[] {
  if (params.length > SHP_SCAN_LIMIT) return params.sort(compareByKey);
  for (let i = 1; i < params.length; i++) {
    const current = params[i] as ShpParam;
    let j = i - 1;
    while (j >= 0 && compareByKey(params[j] as ShpParam, current) > 0) {
      params[j + 1] = params[j] as ShpParam;
      j -= 1;
    }
    params[j + 1] = current;
  }
  return params;
}

/** Sorted by name, ordinal comparison ignoring letter case (the order Robokassa documents and the emulator uses). */
export function sortShpCaseInsensitive<T extends readonly [string, string]>(pairs: ReadonlyArray<T>): T[] {
  return [...pairs].sort(
    (a, b) => compareCodeUnits(a[0].toLowerCase(), b[0].toLowerCase()) || compareCodeUnits(a[0], b[0]),
  );
}

function compareUpperCase(a: ShpParam, b: ShpParam): number {
  return compareCodeUnits(a.name.toUpperCase(), b.name.toUpperCase()) || compareCodeUnits(a.name, b.name);
}

function compareNames(a: ShpParam, b: ShpParam): number {
  return compareCodeUnits(a.name, b.name);
}

/**
 * `compareUpperCase(a, b) < 0` for ASCII names without allocating upper-case copies; undefined when a character
 * outside ASCII decides (the caller then uses `compareUpperCase` itself).
 */
function upperCaseBefore(a: string, b: string): boolean | undefined {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x >= 0x80 || y >= 0x80) return undefined;
    if (x >= 0x61 && x <= 0x7a) x -= 0x20;
    if (y >= 0x61 && y <= 0x7a) y -= 0x20;
    if (x !== y) return x < y;
  }
  // Equal up to the shorter length: the shorter one first, and for equal lengths the code-unit tie-break.
  return a.length !== b.length ? a.length < b.length : a < b;
}

/**
 * Whether `sorted` (in `sortShpParams` order) is also in the other two orders below. It is for lower-case names
 * and for every name set without mixed letter case or `[\]^_\`` deciding between two names, which is nearly every
 * real callback, so the other orders need neither be built nor hashed. Each order is a strict total order on
 * distinct names, so checking neighbours is enough.
 */
function isInEveryOrder(sorted: readonly ShpParam[]): boolean {
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1] as ShpParam;
    const b = sorted[i] as ShpParam;
    if (!(a.name < b.name)) return false;
    const upper = upperCaseBefore(a.name, b.name);
    if (upper === false || (upper === undefined && compareUpperCase(a, b) >= 0)) return false;
  }
  return true;
}

const NO_ORDERS: ReadonlyArray<readonly ShpParam[]> = Object.freeze([]);

/**
 * Every Shp_ order a real signer is known to use other than `sorted` itself (which must be in `sortShpParams`
 * order), without repeats: ordinal ignoring case by upper-casing (.NET `OrdinalIgnoreCase`, which places `_` after
 * letters) and plain byte order (PHP/Ruby `sort` on mixed-case names, e.g. the OFFSITE vector); `sorted` is the
 * order of PHP `sort` on lower-case names (the official plugin). They only differ for names that mix letter case or
 * use characters between `Z` and `a`, so for nearly every callback there is none; each still needs the password.
 */
export function otherShpOrderings(sorted: readonly ShpParam[]): ReadonlyArray<readonly ShpParam[]> {
  if (isInEveryOrder(sorted)) return NO_ORDERS;
  const seen = new Set<string>([sorted.map(({ name }) => name).join('\u0000')]);
  return [[...sorted].sort(compareUpperCase), [...sorted].sort(compareNames)].filter((order) => {
    const key = order.map(({ name }) => name).join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const NO_SHP: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The received Shp map as-is (`shp`), keyed by the received names in `sorted` order. A plain object is safe here:
 * every key starts with `shp`, so none can be `__proto__` or shadow an `Object.prototype` member, and a null
 * prototype costs several times more to build on every callback. Not frozen either (only the shared empty map is):
 * nothing reads it after the result is handed out, so freezing would only cost time; the types are read-only.
 */
export function shpRecord(sorted: readonly ShpParam[]): Readonly<Record<string, string>> {
  if (sorted.length === 0) return NO_SHP;
  const raw: Record<string, string> = {};
  for (const { name, value } of sorted) raw[name] = value;
  return raw;
}

/** `shpRecord` decoded once more (`abc+1` → `abc 1`), the values the shop put in before encoding (`shpDecoded`). */
export function shpDecodedRecord(
  sorted: readonly ShpParam[],
  raw: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  if (sorted.length === 0) return NO_SHP;
  let encoded = false;
  for (const { value } of sorted) if (value.indexOf('%') !== -1 || value.indexOf('+') !== -1) encoded = true;
  // Usually no value has anything to decode: a copy of `raw` is then the decoded view, and copying is cheaper.
  if (!encoded) return { ...raw };
  const decoded: Record<string, string> = {};
  for (const { name, value } of sorted) {
    // The same decoder the payment side's encoder is the inverse of (robokassa/encoding.ts). It is lenient: a value
    // another integration signed without encoding (a raw `%`) comes back as it was.
    decoded[name] = formUrlDecode(value);
  }
  return decoded;
}

/** Robokassa's InvId as we allocate it: a canonical positive decimal (no sign, no leading zeros), a safe integer. */
export function parseInvId(raw: string): number | undefined {
  const length = raw.length;
  // At most 16 digits, the first not 0 (the former /^[1-9][0-9]{0,15}$/), checked without a regular expression.
  if (length === 0 || length > 16) return undefined;
  const first = raw.charCodeAt(0);
  if (first < 0x31 || first > 0x39) return undefined;
  let n = first - 0x30;
  for (let i = 1; i < length; i++) {
    const c = raw.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
    n = n * 10 + (c - 0x30);
  }
  // Exact up to 2^53; a larger value may be rounded, but never down to a safe integer, so this check is exact.
  return n <= Number.MAX_SAFE_INTEGER ? n : undefined;
}
