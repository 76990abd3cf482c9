import { isReceivedShpName, type ShpEntry, shpKey, sortShp } from '../shp.js';

/**
 * Reading the parameters of a Robokassa callback (ResultURL, SuccessURL, FailURL) before anything is trusted.
 *
 * Rules (protocol notes §1.1, §2.1, §2.3):
 * - names are matched without regard to letter case (`OutSum`, `outsum`, `EMail`, `Email` are the same field);
 * - values are taken after exactly one level of form decoding (`+` is a space, `%XX` a UTF-8 byte), because that is
 *   what Robokassa signed; a malformed escape or bad UTF-8 makes the callback malformed (`URLSearchParams` would
 *   keep the `%` or put U+FFFD in its place, and then verify a value nobody signed);
 * - user parameters are the names `isReceivedShpName` accepts (robokassa/shp.ts), kept as received.
 *
 * Nothing here throws: every problem becomes a `detail` that names a field, never a value. A problem with the input
 * itself (not a string, too many parameters, bad percent-encoding) wins over an ambiguity (a field given twice), and
 * among problems of one kind the first in input order wins.
 */

/** What a framework hands over: a raw query string or form body, `URLSearchParams`, or an already-decoded object. */
export type CallbackInput =
  | string
  | URLSearchParams
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | ReadonlyArray<readonly [string, string]>;

/** A callback never carries this many parameters; the cap keeps a hostile request from costing more than it should. */
export const MAX_CALLBACK_PARAMETERS = 256;

/** One level of `application/x-www-form-urlencoded` decoding, strict: a bad `%` escape or bad UTF-8 is an error. */
export function decodeFormComponent(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

type Pairs = Array<[string, string]>;

/** Splits and strictly decodes a query string (a leading `?` is allowed) or a form body. */
function formPairs(input: string): Pairs | string {
  const pairs: Pairs = [];
  const text = input.startsWith('?') ? input.slice(1) : input;
  for (const part of text.split('&')) {
    if (part === '') continue;
    if (pairs.length >= MAX_CALLBACK_PARAMETERS) return 'too many parameters';
    const eq = part.indexOf('=');
    const name = decodeFormComponent(eq === -1 ? part : part.slice(0, eq));
    const value = decodeFormComponent(eq === -1 ? '' : part.slice(eq + 1));
    if (name === undefined || value === undefined) return 'bad percent-encoding';
    pairs.push([name, value]);
  }
  return pairs;
}

/** The name/value pairs of any input, in order, or the first problem with the input itself. */
function inputPairs(input: CallbackInput): Pairs | string {
  if (typeof input === 'string') return formPairs(input);
  let entries: Iterable<readonly [unknown, unknown]>;
  if (input instanceof URLSearchParams) entries = input;
  else if (Array.isArray(input))
    entries = input.map((entry: unknown) => [(entry as unknown[])?.[0], (entry as unknown[])?.[1]] as const);
  else if (typeof input === 'object' && input !== null) {
    // A repeated field may come as an array of values (`{ OutSum: ['1', '2'] }`); an undefined value is absent.
    entries = Object.entries(input as Readonly<Record<string, unknown>>).flatMap(([name, value]) =>
      value === undefined
        ? []
        : Array.isArray(value)
          ? value.map((v: unknown) => [name, v] as const)
          : [[name, value] as const],
    );
  } else return 'input is not a parameter set';
  const pairs: Pairs = [];
  for (const [name, value] of entries) {
    if (typeof name !== 'string' || typeof value !== 'string') return 'parameter is not a string';
    if (pairs.length >= MAX_CALLBACK_PARAMETERS) return 'too many parameters';
    pairs.push([name, value]);
  }
  return pairs;
}

export interface CallbackFields {
  /** The known fields that were present (each at most once), by lower-case name. */
  readonly values: ReadonlyMap<string, string>;
  /** User parameters with their received names and values, in `sortShp` order (the order Robokassa documents). */
  readonly shp: readonly ShpEntry[];
}

/**
 * Collects the fields `known` names (lower-case) and every Shp_ parameter. A known field or a Shp_ name given twice
 * (in any letter case) is ambiguous, so the callback is malformed; unknown parameters are ignored. A string is the
 * problem (`detail`): naming a field, never a value.
 */
export function readCallbackFields(input: CallbackInput, known: readonly string[]): CallbackFields | string {
  const pairs = inputPairs(input);
  if (typeof pairs === 'string') return pairs;
  const values = new Map<string, string>();
  const shp: ShpEntry[] = [];
  const shpKeys = new Set<string>();
  for (const [name, value] of pairs) {
    const field = name.toLowerCase();
    if (known.includes(field)) {
      if (values.has(field)) return `duplicate parameter ${field}`;
      values.set(field, value);
    } else if (isReceivedShpName(name)) {
      if (shpKeys.has(shpKey(name))) return 'duplicate Shp_ parameter';
      shpKeys.add(shpKey(name));
      shp.push({ name, value });
    }
  }
  return { values, shp: sortShp(shp) };
}

/** Robokassa's InvId as we allocate it: a canonical positive decimal (no sign, no leading zeros), a safe integer. */
export function parseInvId(raw: string): number | undefined {
  if (!/^[1-9][0-9]{0,15}$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}
