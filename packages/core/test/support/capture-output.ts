/**
 * Vitest setup file of the core project (vitest.config.ts `setupFiles`): runs before every test file.
 *
 * It records everything the file writes — `process.stdout.write`, `process.stderr.write` and `console.*` — while
 * still passing it on unchanged, and after the file's last test asserts that none of the passwords the suite uses
 * (nor their URL/form encodings) appears in what was recorded. "Secrets never appear in logs" is thereby checked
 * for all output of the whole suite, not only in test/no-secrets-in-logs.test.ts.
 *
 * The list is every distinctive password literal in packages/core/test (grep `password1:|password2:|password3:|
 * testPassword`). One- and two-letter test passwords (`p`, `q`, `x`, `p1`, `tp2`…) are left out: they occur in
 * ordinary output. A test that makes up a password at run time registers it with `registerSecret()`.
 */
import { format } from 'node:util';
import { afterAll } from 'vitest';

export const SUITE_PASSWORDS: readonly string[] = [
  // no-secrets-in-logs.test.ts
  'Pw1-zq7#Щука-one',
  'Pw2-xv9#Ёж-two',
  'TPw1-kk3#Лиса-test-one',
  'TPw2-mm5#Кот-test-two',
  'Pw3-rr1#Волк-three',
  // handler.test.ts
  'handler-password-1',
  'handler-password-2',
  'handler-test-password-1',
  'handler-test-password-2',
  // handler-fuzz.test.ts
  'fuzz-password-1',
  'fuzz-password-2',
  'fuzz-test-password-1',
  'fuzz-test-password-2',
  // payment.test.ts, payment-properties.test.ts
  'Pass-One_secret',
  'Pass-Two_secret',
  'Test-One_secret',
  'Test-Two_secret',
  'live-Pass#1',
  'live-Pass#2',
  'test-Pass#1',
  'test-Pass#2',
  // callbacks.test.ts, config.test.ts, result-url2.test.ts and others
  'password#1',
  'password#2',
  'test-password#1',
  'test-password#2',
  'test_password2',
  'password_1',
  'password_2',
  'pass-one-secret',
  'pass-two-secret',
  'pass-one',
  'pass-two',
  'live-password',
  'live-password-2',
  'wrong-password-2',
  'wrong-test-password-2',
  'my_password1',
  'my_password2',
  'robokassatest',
  'Пароль#2',
  // fake-robokassa.ts (Password #3) and api-refund.test.ts
  'p3-secret',
  'not-p3',
];

/** A password made up at run time: it joins the list checked after the file's tests. Returns it unchanged. */
export function registerSecret(value: string): string {
  if (value.length < 6) throw new Error('registerSecret: use a distinctive value (6+ characters)');
  registered.add(value);
  return value;
}

const registered = new Set<string>();

/** Everything written by the current test file so far (console and both standard streams). */
export function capturedOutput(): string {
  return chunks.join('');
}

/**
 * Which secrets (by position in the list, never by value) occur in `text`, as written, URL-encoded or
 * form-encoded.
 */
export function leaksIn(text: string): string[] {
  const leaks: string[] = [];
  const all = [...SUITE_PASSWORDS, ...registered];
  all.forEach((secret, index) => {
    const label = index < SUITE_PASSWORDS.length ? `suite password #${index}` : 'a registered secret';
    const forms = new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)]);
    for (const form of forms) {
      if (text.includes(form)) {
        leaks.push(label);
        return;
      }
    }
  });
  return leaks;
}

const chunks: string[] = [];

/**
 * The wrappers are installed once per process and write to whichever sink the current file's setup set, so a
 * worker that runs several files (or this file evaluated twice) never wraps the wrappers.
 */
interface CaptureHub {
  sink: (text: string) => void;
}
const HUB = Symbol.for('kassa.core.test.captureOutput');
const scope = globalThis as typeof globalThis & { [HUB]?: CaptureHub };

function install(): CaptureHub {
  const hub: CaptureHub = { sink: () => {} };
  const decoder = new TextDecoder();
  const record = (text: string) => {
    try {
      hub.sink(text);
    } catch {
      // recording must never break the output itself
    }
  };
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write;
    stream.write = function write(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      record(typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? decoder.decode(chunk) : String(chunk));
      return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof stream.write;
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table'] as const) {
    const original = console[method] as (...args: unknown[]) => void;
    console[method] = function captured(this: Console, ...args: unknown[]) {
      record(`${format(...args)}\n`);
      return original.apply(this, args);
    } as Console[typeof method];
  }
  return hub;
}

const hub = scope[HUB] ?? install();
scope[HUB] = hub;
hub.sink = (text) => {
  chunks.push(text);
};

afterAll(() => {
  const leaks = leaksIn(capturedOutput());
  if (leaks.length > 0) {
    // Names the list positions only: repeating a leaked password here would leak it once more.
    throw new Error(`a password appeared in this file's output: ${leaks.join(', ')}`);
  }
});
