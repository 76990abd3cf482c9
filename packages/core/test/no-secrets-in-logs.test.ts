import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  createJsonConsoleLogger,
  createMemoryLedger,
  guardLogger,
  type Logger,
  parseMoney,
  redactLogFields,
} from '../src/index.js';
import {
  createRobokassaConfig,
  handleResultUrl,
  parseFailRedirect,
  verifyResultCallback,
  verifySuccessRedirect,
} from '../src/robokassa/index.js';
import { signResultCallback, signSuccessRedirect } from '../src/testing/index.js';
import { capturedOutput, leaksIn, registerSecret, SUITE_PASSWORDS } from './support/capture-output.js';

/**
 * Distinctive passwords go through every path (good and bad callbacks, a failing onPaid whose error quotes a
 * password, the default console logger and a custom one); not one of them may show up anywhere we can observe:
 * console, stdout/stderr, logger calls, response bodies and headers, verification results, thrown errors.
 */
const PASSWORDS = {
  password1: 'Pw1-zq7#Щука-one',
  password2: 'Pw2-xv9#Ёж-two',
  testPassword1: 'TPw1-kk3#Лиса-test-one',
  testPassword2: 'TPw2-mm5#Кот-test-two',
  password3: 'Pw3-rr1#Волк-three',
};
const FORBIDDEN = Object.values(PASSWORDS).flatMap((p) => [
  p,
  encodeURIComponent(p),
  new URLSearchParams({ p }).toString().slice(2),
]);

const config = createRobokassaConfig({ login: 'demo', ...PASSWORDS });

let captured: string[] = [];
const capture = (...args: unknown[]) => {
  captured.push(args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 10 }))).join(' '));
};

beforeEach(() => {
  captured = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    vi.spyOn(console, method).mockImplementation(capture);
  }
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    capture(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    capture(String(chunk));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

function assertClean(label: string, texts: string[]): void {
  const all = texts.join('\n');
  for (const secret of FORBIDDEN) {
    if (all.includes(secret)) throw new Error(`${label}: a password leaked`);
  }
  expect(all.length).toBeGreaterThan(0);
}

const json = (value: unknown) => JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v)) ?? '';

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const rec = (level: string) => (code: string, fields?: unknown) =>
    lines.push(`${level} ${code} ${inspect(fields, { depth: 10 })}`);
  return { lines, info: rec('info'), warn: rec('warn'), error: rec('error') };
}

async function scenario(logger: Logger | undefined): Promise<string[]> {
  const ledger = createMemoryLedger({ firstInvoiceNumber: 500 });
  const gateway = 'robokassa' as const;
  const real = await ledger.create({ gateway, reference: 'r', amount: parseMoney('100.00'), isTest: false });
  const test = await ledger.create({ gateway, reference: 't', amount: parseMoney('100.00'), isTest: true });
  const cancelled = await ledger.create({ gateway, reference: 'c', amount: parseMoney('100.00'), isTest: false });
  await ledger.transition({
    gateway,
    invoiceId: cancelled.invoiceId,
    from: ['pending'],
    to: 'cancelled',
    source: 'cancel',
  });
  let failOnce = true;
  const deps = {
    config,
    ledger,
    logger,
    onPaid: async () => {
      if (failOnce) {
        failOnce = false;
        // An integration bug that puts a secret into an error message: the handler must still not log it.
        throw new Error(`order service rejected credentials ${PASSWORDS.password2} / ${PASSWORDS.password3}`);
      }
    },
  };
  const base = 'https://shop.example/result';
  const good = signResultCallback(config, {
    outSum: real.amount,
    invId: Number(real.invoiceId),
    shp: { Shp_p: PASSWORDS.password1 },
  });
  const goodTest = signResultCallback(config, { outSum: test.amount, invId: Number(test.invoiceId), isTest: true });
  const requests: Request[] = [
    new Request(`${base}?${good.query}`), // onPaid fails → 500
    new Request(`${base}?${good.query}`), // retry → OK
    new Request(base, { method: 'POST', body: good.form }), // replay
    new Request(`${base}?${goodTest.query}`),
    new Request(`${base}?${good.query.replace('OutSum=100', 'OutSum=101')}`),
    new Request(`${base}?${signResultCallback(config, { outSum: '1.00', invId: Number(real.invoiceId) }).query}`),
    new Request(`${base}?${signResultCallback(config, { outSum: '1.00', invId: 9999 }).query}`),
    new Request(
      `${base}?${signResultCallback(config, { outSum: '100.00', invId: Number(cancelled.invoiceId) }).query}`,
    ),
    new Request(
      `${base}?OutSum=1&InvId=1&SignatureValue=${encodeURIComponent(PASSWORDS.password2)}&password=${encodeURIComponent(PASSWORDS.password2)}`,
    ),
    new Request(`${base}?%ZZ=${encodeURIComponent(PASSWORDS.password1)}`),
    new Request(base, { method: 'PUT', body: PASSWORDS.password2 }),
    new Request(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: PASSWORDS.password2 }),
  ];
  const observed: string[] = [];
  for (const request of requests) {
    const response = await handleResultUrl(request, deps);
    observed.push(String(response.status), await response.text(), json([...response.headers]));
  }
  // A test record without test passwords configured (500 path).
  const noTest = createRobokassaConfig({
    login: 'demo',
    password1: PASSWORDS.password1,
    password2: PASSWORDS.password2,
  });
  const response = await handleResultUrl(new Request(`${base}?${goodTest.query}`), { ...deps, config: noTest });
  observed.push(String(response.status), await response.text());
  return observed;
}

describe('no password ever leaves the process', () => {
  test('the handler with the default console JSON logger', async () => {
    const observed = await scenario(undefined);
    expect(captured.some((line) => line.includes('ON_PAID_FAILED'))).toBe(true);
    assertClean('default logger', [...captured, ...observed]);
  });

  test('the handler with a custom logger: it receives redacted, masked fields only', async () => {
    const logger = recordingLogger();
    const observed = await scenario(logger);
    expect(logger.lines.some((line) => line.includes('ON_PAID_FAILED'))).toBe(true);
    expect(logger.lines.some((line) => line.includes('***'))).toBe(true);
    assertClean('custom logger', [...captured, ...logger.lines, ...observed]);
  });

  test('verification results, FailURL hints and errors', () => {
    const good = signResultCallback(config, { outSum: '10', invId: 1 });
    const texts: string[] = [];
    for (const input of [good.query, `${good.query}&IsTest=1`, '', '%ZZ', 'OutSum=1&InvId=1&SignatureValue=00']) {
      texts.push(
        json(verifyResultCallback(config, input)),
        json(verifyResultCallback(config, input, { isTest: true })),
      );
      texts.push(json(verifySuccessRedirect(config, input)), json(parseFailRedirect(input)));
    }
    texts.push(
      json(verifySuccessRedirect(config, signSuccessRedirect(config, { outSum: '1', invId: 2, isTest: true }).query)),
    );
    const noTest = createRobokassaConfig({
      login: 'demo',
      password1: PASSWORDS.password1,
      password2: PASSWORDS.password2,
    });
    try {
      signResultCallback(noTest, { outSum: '1', invId: 1, isTest: true });
    } catch (error) {
      texts.push(String(error), json(error), inspect(error));
    }
    texts.push(inspect(config), json(config), String(config.password2));
    assertClean('results', texts);
  });

  test('redaction drops sensitive keys at any depth; guardLogger masks secret values inside strings', () => {
    const fields = {
      SignatureValue: 'ABC',
      nested: { password2: PASSWORDS.password2, Receipt: '%7B%7D', EMail: 'a@b.c', token: 't', ok: 1 },
      list: [{ secret: PASSWORDS.password1, keep: 'x' }],
      amount: 10n,
      when: new Date(0),
    };
    expect(redactLogFields(fields)).toEqual({
      nested: { ok: 1 },
      list: [{ keep: 'x' }],
      amount: '10',
      when: '1970-01-01T00:00:00.000Z',
    });
    const lines: string[] = [];
    const logger = guardLogger(createJsonConsoleLogger({ write: (_, line) => lines.push(line) }), [
      config.password1,
      config.password2,
    ]);
    logger.error('X', { message: `failed with ${PASSWORDS.password2}`, err: new Error(PASSWORDS.password1) });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ code: 'X', level: 'error', message: 'failed with ***' });
    assertClean('guarded logger', lines);
  });
});

describe('the suite-wide output capture (test/support/capture-output.ts, a setupFiles entry)', () => {
  test('sees what a test writes to console.*, stdout and stderr, and the default JSON logger, and passes it on', async () => {
    vi.restoreAllMocks(); // this file's own spies would hide the output from the setup file's wrappers
    const marker = `capture-probe-${process.pid}-${Date.now()}`;
    const before = capturedOutput().length;
    console.info(`${marker} console.info`);
    process.stdout.write(`${marker} stdout\n`);
    process.stderr.write(new TextEncoder().encode(`${marker} stderr bytes\n`));
    // A real handler run with the default console logger: an unknown InvId logs UNKNOWN_INVOICE at error level.
    const secret = registerSecret(`generated-${crypto.randomUUID()}`);
    const generated = createRobokassaConfig({ login: 'demo', password1: 'unused-p1', password2: secret });
    const ledger = createMemoryLedger({ firstInvoiceNumber: 900 });
    const signed = signResultCallback(generated, { outSum: '5.00', invId: 4242 });
    const response = await handleResultUrl(new Request(`https://shop.example/r?${signed.query}`), {
      config: generated,
      ledger,
    });
    expect(response.status).toBe(400);
    const seen = capturedOutput().slice(before);
    expect(seen).toContain(`${marker} console.info`);
    expect(seen).toContain(`${marker} stdout`);
    expect(seen).toContain(`${marker} stderr bytes`);
    const logged = seen.split('\n').find((line) => line.includes('"code":"UNKNOWN_INVOICE"'));
    expect(JSON.parse(logged ?? '{}')).toMatchObject({
      level: 'error',
      code: 'UNKNOWN_INVOICE',
      gateway: 'robokassa',
      invoiceId: '4242',
    });
    expect(leaksIn(seen)).toEqual([]);
  });

  test('its check finds every listed password and registered secret, as written or encoded, and names none', () => {
    const secret = registerSecret(`made-up-${crypto.randomUUID()}-Щ#`);
    for (const password of [...Object.values(PASSWORDS), 'handler-password-2', 'fuzz-test-password-1']) {
      expect(SUITE_PASSWORDS).toContain(password);
    }
    for (const leaked of [
      `log line ${PASSWORDS.password2} end`,
      `query=${encodeURIComponent(PASSWORDS.testPassword1)}`,
      new URLSearchParams({ p: PASSWORDS.password3 }).toString(),
      `{"error":"${secret}"}`,
      encodeURIComponent(secret),
    ]) {
      const leaks = leaksIn(leaked);
      expect(leaks).toHaveLength(1);
      expect(leaks.join(' ')).not.toContain(leaked.slice(4));
    }
    expect(leaksIn('SignatureValue=*** password2=*** ok')).toEqual([]);
    expect(() => registerSecret('abc')).toThrow(/distinctive/);
  });
});
