import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createMemoryLedger, type MemoryLedger, parseMoney, silentLogger } from '../src/index.js';
import { createRobokassaConfig, handleResultUrl, type ResultUrlHandlerDeps } from '../src/robokassa/index.js';
import { signResultCallback } from '../src/testing/index.js';

/**
 * ≥ 10,000 generated hostile requests through the real handler: nothing escapes as an exception, nothing is
 * answered 5xx, and the ledger is byte-for-byte the same afterwards. Seeds are fixed so a failure reproduces.
 */

const URL_BASE = 'https://shop.example/robokassa/result';
/** Each property takes 1–3 s alone; the generous ceiling only matters when the whole suite shares the CPU. */
const FUZZ_TIMEOUT_MS = 60_000;
const config = createRobokassaConfig({
  login: 'demo',
  password1: 'fuzz-password-1',
  password2: 'fuzz-password-2',
  testPassword1: 'fuzz-test-password-1',
  testPassword2: 'fuzz-test-password-2',
});

async function makeLedger(): Promise<{ ledger: MemoryLedger; invIds: number[] }> {
  const ledger = createMemoryLedger({ firstInvoiceNumber: 1000 });
  const invIds: number[] = [];
  for (const [reference, amount, isTest] of [
    ['a', '1500.00', false],
    ['b', '0.01', false],
    ['c', '99999999.99', false],
    ['d', '10.00', true],
  ] as const) {
    invIds.push(
      Number((await ledger.create({ gateway: 'robokassa', reference, amount: parseMoney(amount), isTest })).invoiceId),
    );
  }
  // One record in each terminal-ish state, so state handling is exercised too.
  const held = await ledger.create({
    gateway: 'robokassa',
    reference: 'held',
    amount: parseMoney('5.00'),
    isTest: false,
  });
  await ledger.transition({
    gateway: 'robokassa',
    invoiceId: held.invoiceId,
    from: ['pending'],
    to: 'held',
    source: 'hold_notification',
  });
  const cancelled = await ledger.create({
    gateway: 'robokassa',
    reference: 'cancelled',
    amount: parseMoney('5.00'),
    isTest: false,
  });
  await ledger.transition({
    gateway: 'robokassa',
    invoiceId: cancelled.invoiceId,
    from: ['pending'],
    to: 'cancelled',
    source: 'cancel',
  });
  invIds.push(Number(held.invoiceId), Number(cancelled.invoiceId));
  return { ledger, invIds };
}

function snapshot(ledger: MemoryLedger): string {
  return JSON.stringify(ledger.snapshot(), (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
}

const FIELD_NAMES = [
  'OutSum',
  'outsum',
  'OUTSUM',
  'InvId',
  'invid',
  'InvoiceID',
  'SignatureValue',
  'signaturevalue',
  'Fee',
  'EMail',
  'Email',
  'PaymentMethod',
  'IncCurrLabel',
  'IsTest',
  'OutSumCurrency',
  'Culture',
  'Shp_order',
  'shp_order',
  'SHP_ORDER',
  'Shp_',
  'shp',
  'Receipt',
  'password2',
];

const nastyValue = fc.oneof(
  fc.constantFrom(
    '',
    '%',
    '%ZZ',
    '%C3%28',
    '%E0%A4%A',
    '%00',
    '+',
    '-1',
    '0',
    '00',
    '1e5',
    'NaN',
    'Infinity',
    '0x10',
    '1500.00',
    '1500.000000',
    '1500,00',
    ' 1500.00',
    '1500.001',
    '99999999999999999999999999',
    '1000',
    '1001',
    '2147483648',
    '9007199254740993',
    'A'.repeat(32),
    'Z'.repeat(32),
    '\u0000',
    '\uD800',
    'тест',
    '&&&',
    '===',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.integer({ min: 1, max: 40 }).map((n) => '9'.repeat(n)),
  fc.stringMatching(/^[0-9a-fA-F]{0,130}$/),
);

/** encodeURIComponent, or the raw text when it cannot be encoded (a lone surrogate). */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text;
  }
}

const paramName = fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.string({ maxLength: 12 }));
const pair = fc.tuple(paramName, nastyValue, fc.boolean());
/** A query/body string: pairs either percent-encoded or raw (raw can smuggle `&`, `=`, `%` into the structure). */
const paramString = fc
  .array(pair, { maxLength: 14 })
  .map((pairs) => pairs.map(([n, v, encoded]) => (encoded ? `${encode(n)}=${encode(v)}` : `${n}=${v}`)).join('&'));

function deps(ledger: MemoryLedger): ResultUrlHandlerDeps {
  return { config, ledger, logger: silentLogger, onPaid: async () => {} };
}

async function check(ledger: MemoryLedger, request: Request): Promise<void> {
  const before = snapshot(ledger);
  let response: Response;
  try {
    response = await handleResultUrl(request, deps(ledger));
  } catch (error) {
    throw new Error(`handler threw: ${String(error)}`);
  }
  await response.text();
  if (response.status >= 500) throw new Error(`5xx for ${request.method} ${request.url.slice(0, 200)}`);
  if (response.status === 200) throw new Error(`accepted a hostile request: ${request.url.slice(0, 200)}`);
  if (snapshot(ledger) !== before) throw new Error('ledger changed');
}

function buildRequest(method: string, params: string, contentType: string | undefined): Request {
  const upper = method.toUpperCase();
  if (upper === 'GET' || upper === 'HEAD') return new Request(`${URL_BASE}?${params}`, { method });
  const headers: Record<string, string> = contentType === undefined ? {} : { 'content-type': contentType };
  return new Request(URL_BASE, { method, headers, body: params });
}

const method = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('GET', 'POST') },
  { weight: 1, arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'FOO', 'get', 'post') },
);
const contentType = fc.option(
  fc.constantFrom(
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=utf-8',
    'APPLICATION/X-WWW-FORM-URLENCODED',
    'application/json',
    'text/plain',
    'multipart/form-data; boundary=x',
    '',
    ';;;',
  ),
  { nil: undefined },
);

describe('handleResultUrl under fuzzing', () => {
  test(
    '4,000 structured-garbage requests (fields, duplicates, bad encodings, huge numbers, wrong methods)',
    async () => {
      const { ledger } = await makeLedger();
      await fc.assert(
        fc.asyncProperty(method, paramString, contentType, async (m, params, ct) => {
          await check(ledger, buildRequest(m, params, ct));
        }),
        { numRuns: 4000, seed: 20260301 },
      );
      expect(ledger.snapshot().map((r) => r.state)).toEqual([
        'pending',
        'pending',
        'pending',
        'pending',
        'held',
        'cancelled',
      ]);
    },
    FUZZ_TIMEOUT_MS,
  );

  test(
    '2,500 random strings and random bytes as query or body',
    async () => {
      const { ledger } = await makeLedger();
      await fc.assert(
        fc.asyncProperty(
          fc.boolean(),
          fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 })),
          fc.uint8Array({ maxLength: 300 }),
          async (asGet, text, bytes) => {
            if (asGet) await check(ledger, new Request(`${URL_BASE}?${text}`));
            else {
              const body = text.length % 2 === 0 ? text : bytes;
              await check(
                ledger,
                new Request(URL_BASE, {
                  method: 'POST',
                  headers: { 'content-type': 'application/x-www-form-urlencoded' },
                  body,
                }),
              );
            }
          },
        ),
        { numRuns: 2500, seed: 7 },
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  test(
    '3,500 valid-looking callbacks for real records with one tampered signed part',
    async () => {
      const { ledger, invIds } = await makeLedger();
      const records = ledger.snapshot();
      const mutation = fc.constantFrom(
        'outsum-value',
        'outsum-format',
        'invid-other',
        'shp-value',
        'shp-added',
        'shp-dropped',
        'signature-digit',
        'signature-short',
        'signature-dropped',
        'outsum-duplicated',
        'test-password',
        'password1',
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...invIds),
          mutation,
          fc.boolean(),
          fc.string({ minLength: 1, maxLength: 8 }),
          fc.nat(),
          async (invId, kind, asGet, noise, position) => {
            const record = records.find((r) => r.invoiceId === String(invId));
            if (!record) throw new Error('fixture');
            const swapPasswords =
              kind === 'password1'
                ? createRobokassaConfig({
                    login: 'demo',
                    password1: 'x',
                    password2: 'fuzz-password-1',
                    testPassword1: 'y',
                    testPassword2: 'fuzz-test-password-1',
                  })
                : config;
            const signed = signResultCallback(swapPasswords, {
              outSum: record.amount,
              invId,
              // A real record signed with the test pair (or a test record with the real pair) must not settle.
              isTest: kind === 'test-password' ? !record.isTest : record.isTest,
              shp: { Shp_order: `order-${invId}` },
            });
            const params = signed.params.map(([n, v]) => [n, v] as [string, string]);
            const at = (name: string) => params.findIndex(([n]) => n === name);
            const sig = signed.signature;
            switch (kind) {
              case 'outsum-value':
                params[at('OutSum')] = ['OutSum', `${record.amount.minor + 1n + BigInt(position % 1000)}.000000`];
                break;
              case 'outsum-format':
                params[at('OutSum')] = ['OutSum', `${params[at('OutSum')]?.[1]}0`];
                break;
              case 'invid-other':
                params[at('InvId')] = ['InvId', String(invIds.find((i) => i !== invId) ?? invId + 1)];
                break;
              case 'shp-value':
                params[at('Shp_order')] = ['Shp_order', `order-${invId}${noise}`];
                break;
              case 'shp-added':
                params.push([`Shp_x${position % 100}`, noise]);
                break;
              case 'shp-dropped':
                params.splice(at('Shp_order'), 1);
                break;
              case 'signature-digit': {
                const i = position % sig.length;
                const digit = sig[i] === '0' ? '1' : '0';
                params[at('SignatureValue')] = ['SignatureValue', sig.slice(0, i) + digit + sig.slice(i + 1)];
                break;
              }
              case 'signature-short':
                params[at('SignatureValue')] = ['SignatureValue', sig.slice(0, position % sig.length)];
                break;
              case 'signature-dropped':
                params.splice(at('SignatureValue'), 1);
                break;
              case 'outsum-duplicated':
                params.push(['outsum', params[at('OutSum')]?.[1] ?? '']);
                break;
            }
            const query = new URLSearchParams(params).toString();
            await check(ledger, buildRequest(asGet ? 'GET' : 'POST', query, 'application/x-www-form-urlencoded'));
          },
        ),
        { numRuns: 3500, seed: 99 },
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  test(
    '200 oversized requests (bodies and queries over 64 KiB)',
    async () => {
      const { ledger } = await makeLedger();
      const signed = signResultCallback(config, { outSum: '1500.00', invId: 1000 });
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 64 * 1024 + 1, max: 200 * 1024 }), fc.boolean(), async (size, asGet) => {
          const padded = `${signed.query}&pad=${'x'.repeat(size)}`;
          const request = buildRequest(asGet ? 'GET' : 'POST', padded, 'application/x-www-form-urlencoded');
          await check(ledger, request);
        }),
        { numRuns: 200, seed: 3 },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
