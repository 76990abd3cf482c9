import { inspect } from 'node:util';

const MASK = '***';

/**
 * A credential that cannot be printed by accident: `String(secret)`, `JSON.stringify`, template literals and
 * `console.log`/`util.inspect` all show `***`. The value comes out only through `reveal()`, which is greppable.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  get length(): number {
    return this.#value.length;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return `Secret(${MASK})`;
  }

  [Symbol.toPrimitive](): string {
    return MASK;
  }
}

export function secret(value: string | Secret): Secret {
  return value instanceof Secret ? value : new Secret(value);
}

/** Replaces every occurrence of each secret's value in `text` with `***` (for base strings shown to developers). */
export function maskSecrets(text: string, secrets: ReadonlyArray<Secret | undefined>): string {
  let out = text;
  for (const s of secrets) {
    const v = s?.reveal();
    if (v) out = out.split(v).join(MASK);
  }
  return out;
}
