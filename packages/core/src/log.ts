import { maskSecrets, Secret } from './secret.js';

/**
 * A tiny logging port. Every line has a stable `code` (documented, greppable, alertable) and structured fields.
 * Fields pass through `redactLogFields` before they reach any sink: signatures, passwords, receipts, tokens and
 * e-mails are dropped, `Secret`s print as `***`.
 */
export type LogFields = Readonly<Record<string, unknown>>;
export type LogLevel = 'info' | 'warn' | 'error';

export interface Logger {
  info(code: string, fields?: LogFields): void;
  warn(code: string, fields?: LogFields): void;
  error(code: string, fields?: LogFields): void;
}

/**
 * Keys never logged, at any depth: SignatureValue and friends (a signature plus a guessed base can be brute-forced
 * offline), anything named like a password or secret, tokens/JWS/JWT, Receipt (personal data and big), buyer e-mail.
 */
export const REDACTED_LOG_KEY =
  /^(signature(value)?|sig|crc|receipt|e-?mail|authorization|cookie|set-cookie)$|pass(word)?|secret|token|jws|jwt|private[-_]?key|api[-_]?key/i;

const MAX_DEPTH = 5;
const MAX_STRING = 2000;

function clean(value: unknown, depth: number): unknown {
  if (value instanceof Secret) return String(value);
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return value;
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (depth >= MAX_DEPTH) return '[depth]';
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: clean(value.message, depth + 1), ...(code === undefined ? {} : { code }) };
  }
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => clean(v, depth + 1));
  if (typeof value === 'object') return redactObject(value as Record<string, unknown>, depth + 1);
  return undefined;
}

function redactObject(fields: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (REDACTED_LOG_KEY.test(key)) continue;
    const cleaned = clean(value, depth);
    if (cleaned !== undefined) out[key] = cleaned;
  }
  return out;
}

/** Drops sensitive keys (see `REDACTED_LOG_KEY`) at any depth and makes values JSON-safe (bigint, Date, Error). */
export function redactLogFields(fields: LogFields | undefined): Record<string, unknown> {
  if (fields === undefined || fields === null || typeof fields !== 'object') return {};
  try {
    return redactObject(fields as Record<string, unknown>, 0);
  } catch {
    return { redaction: 'failed' };
  }
}

const LEVEL_RANK: Record<LogLevel, number> = { info: 0, warn: 1, error: 2 };

export interface JsonConsoleLoggerOptions {
  /** Lines below this level are skipped. Default `info`. */
  minLevel?: LogLevel;
  /** Where a finished JSON line goes. Default: `console.log` / `console.warn` / `console.error` by level. */
  write?: (level: LogLevel, line: string) => void;
  now?: () => Date;
}

/** The default logger: one JSON object per line, `{"time","level","code",...fields}`. Never throws. */
export function createJsonConsoleLogger(options: JsonConsoleLoggerOptions = {}): Logger {
  const min = LEVEL_RANK[options.minLevel ?? 'info'];
  const write =
    options.write ??
    ((level: LogLevel, line: string) => {
      if (level === 'error') console.error(line);
      else if (level === 'warn') console.warn(line);
      else console.log(line);
    });
  const emit = (level: LogLevel, code: string, fields?: LogFields) => {
    if (LEVEL_RANK[level] < min) return;
    try {
      const time = (options.now?.() ?? new Date()).toISOString();
      write(level, JSON.stringify({ ...redactLogFields(fields), time, level, code: String(code) }));
    } catch {
      // A logger that throws would turn a log line into a failed payment callback.
    }
  };
  return {
    info: (code, fields) => emit('info', code, fields),
    warn: (code, fields) => emit('warn', code, fields),
    error: (code, fields) => emit('error', code, fields),
  };
}

/** A logger that discards everything. */
export const silentLogger: Logger = Object.freeze({
  info: () => {},
  warn: () => {},
  error: () => {},
});

function maskDeep(value: unknown, secrets: readonly (Secret | undefined)[]): unknown {
  if (typeof value === 'string') return maskSecrets(value, secrets);
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, secrets));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, secrets)]));
  }
  return value;
}

/**
 * Wraps any logger (yours included) so it only ever receives redacted fields, with the given secrets' values
 * replaced by `***` wherever they appear in a string (defence in depth: e.g. an error message from your own code
 * that happens to quote a password). A throwing logger is contained.
 */
export function guardLogger(logger: Logger, secrets: readonly (Secret | undefined)[] = []): Logger {
  const emit = (level: LogLevel, code: string, fields?: LogFields) => {
    try {
      const safe = maskDeep(redactLogFields(fields), secrets) as Record<string, unknown>;
      logger[level](maskSecrets(String(code), secrets), safe);
    } catch {
      // see createJsonConsoleLogger
    }
  };
  return {
    info: (code, fields) => emit('info', code, fields),
    warn: (code, fields) => emit('warn', code, fields),
    error: (code, fields) => emit('error', code, fields),
  };
}
