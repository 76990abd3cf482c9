import { KassaError } from '../../errors.js';
import { formatMoney, type Money } from '../../money.js';

const NUMBER_TEXT = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * A JSON number written from its decimal text, so amounts reach the wire without passing through a float
 * (`1234567.89` stays exactly that). Robokassa's JSON APIs take amounts as JSON numbers (§3.5, §3.9).
 */
export class JsonNumber {
  readonly text: string;
  constructor(text: string) {
    if (!NUMBER_TEXT.test(text)) {
      throw new KassaError('API_INPUT_INVALID', 'Not a JSON number', { details: { value: text } });
    }
    this.text = text;
  }
}

/** `150.00` → `150`, `1.50` → `1.5`: the shortest JSON number for an amount, computed on the decimal string. */
export function moneyToJsonNumber(money: Money): JsonNumber {
  const text = formatMoney(money);
  const trimmed = text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
  return new JsonNumber(trimmed);
}

/** A decimal string (`"100.00"`, `"0.5"`) as a JSON number, trimmed the same way. */
export function decimalToJsonNumber(value: string): JsonNumber {
  if (!/^\d+(\.\d+)?$/.test(value)) {
    throw new KassaError('API_INPUT_INVALID', 'Expected a decimal string such as "100.00"', { details: { value } });
  }
  const trimmed = value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
  return new JsonNumber(trimmed);
}

/**
 * Compact JSON (no spaces, keys in insertion order, `undefined` members dropped) with {@link JsonNumber} written
 * verbatim. Plain numbers are allowed for counts (quantities, types) and must be finite; bigints are refused.
 */
export function compactJson(value: unknown): string {
  if (value instanceof JsonNumber) return value.text;
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new KassaError('API_INPUT_INVALID', 'Numbers must be finite');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => compactJson(v === undefined ? null : v)).join(',')}]`;
      const members: string[] = [];
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v === undefined) continue;
        members.push(`${JSON.stringify(k)}:${compactJson(v)}`);
      }
      return `{${members.join(',')}}`;
    }
    default:
      throw new KassaError('API_INPUT_INVALID', `Cannot write a ${typeof value} as JSON`);
  }
}

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

/**
 * `JSON.parse` that turns every number into its source text (`1.000000` → `"1.000000"`), using the reviver's
 * `context.source` (Node ≥ 21). Amounts in replies are then parsed as decimals, never as floats.
 */
export function parseJsonKeepingNumbers(text: string): unknown {
  const reviver: Reviver = (_key, value, context) =>
    typeof value === 'number' ? (context?.source ?? String(value)) : value;
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown);
}
