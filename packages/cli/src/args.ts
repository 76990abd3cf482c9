import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** `node:util` parseArgs, with its errors turned into usage errors (exit code 2) that name the flag. */
export function parseFlags<T extends Options>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `--shp order=42 --shp user=7` → `{ order: '42', user: '7' }`; a value may itself contain `=`. */
export function parseShpFlags(values: readonly string[] | undefined): Record<string, string> | undefined {
  if (!values || values.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const item of values) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--shp expects name=value, got "${item}"`);
    const name = item.slice(0, eq).replace(/^shp_/i, '');
    out[name] = item.slice(eq + 1);
  }
  return out;
}

/** A flag, else an environment variable (so passwords need not appear in the shell history or `ps`). */
export function flagOrEnv(value: string | undefined, env: string): string | undefined {
  return value ?? (process.env[env] || undefined);
}

/** Accepts `a=1&b=2`, `?a=1&b=2` or a whole URL; returns the form-encoded parameter string. */
export function extractParams(input: string): string {
  const text = input.trim();
  if (/^https?:\/\//i.test(text)) {
    const query = text.indexOf('?');
    return query === -1 ? '' : text.slice(query + 1);
  }
  return text.startsWith('?') ? text.slice(1) : text;
}
