import { describe, expect, test } from 'vitest';
import {
  createMemoryLedger,
  type InvoiceKey,
  type Logger,
  type MemoryLedger,
  type PaymentLedger,
  type PaymentRecord,
  parseMoney,
} from '../src/index.js';
import {
  createResultUrlHandler,
  createRobokassaConfig,
  handleResultUrl,
  type OnPaidContext,
  type ResultUrlHandlerDeps,
  type RobokassaConfig,
} from '../src/robokassa/index.js';
import { type SignResultCallbackOptions, signResultCallback } from '../src/testing/index.js';

const URL_BASE = 'https://shop.example/robokassa/result';

/** The ledger key of a Robokassa record. */
const key = (record: PaymentRecord): InvoiceKey => ({ gateway: 'robokassa', invoiceId: record.invoiceId });

function makeConfig(overrides: Record<string, unknown> = {}): RobokassaConfig {
  return createRobokassaConfig({
    login: 'demo',
    password1: 'handler-password-1',
    password2: 'handler-password-2',
    testPassword1: 'handler-test-password-1',
    testPassword2: 'handler-test-password-2',
    ...overrides,
  });
}

interface LogLine {
  level: 'info' | 'warn' | 'error';
  code: string;
  fields: Record<string, unknown>;
}

function captureLogger(): Logger & { lines: LogLine[]; codes(): string[] } {
  const lines: LogLine[] = [];
  const push = (level: LogLine['level']) => (code: string, fields?: Readonly<Record<string, unknown>>) =>
    lines.push({ level, code, fields: { ...fields } });
  return { lines, info: push('info'), warn: push('warn'), error: push('error'), codes: () => lines.map((l) => l.code) };
}

/** The memory ledger, counting transitions that were applied (the exactly-once evidence). */
function countingLedger(inner: MemoryLedger): MemoryLedger & { applied: number } {
  const wrapper = {
    ...inner,
    applied: 0,
    async transition(request: Parameters<PaymentLedger['transition']>[0]) {
      const result = await inner.transition(request);
      if (result.applied) wrapper.applied += 1;
      return result;
    },
  };
  return wrapper;
}

async function setup(
  options: { amount?: string; isTest?: boolean; config?: RobokassaConfig; currency?: 'RUB' | 'KZT' } = {},
) {
  const config = options.config ?? makeConfig();
  const ledger = countingLedger(createMemoryLedger({ firstInvoiceNumber: 1000 }));
  const record = await ledger.create({
    gateway: 'robokassa',
    reference: 'order-1',
    amount: parseMoney(options.amount ?? '1500.00', options.currency ?? 'RUB'),
    isTest: options.isTest ?? false,
  });
  const logger = captureLogger();
  const paidCalls: Array<{ record: PaymentRecord; context: OnPaidContext }> = [];
  const deps: ResultUrlHandlerDeps = {
    config,
    ledger,
    logger,
    onPaid: async (paid, context) => {
      paidCalls.push({ record: paid, context });
    },
  };
  const sign = (extra: Partial<SignResultCallbackOptions> = {}) =>
    signResultCallback(config, {
      outSum: record.amount,
      invId: Number(record.invoiceId),
      isTest: record.isTest,
      fee: '58.500000',
      shp: { Shp_order: 'order-1' },
      ...extra,
    });
  return { config, ledger, record, logger, paidCalls, deps, sign };
}

const get = (query: string) => new Request(`${URL_BASE}?${query}`);
const post = (body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) =>
  new Request(URL_BASE, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });

async function expectBadRequest(response: Response): Promise<void> {
  expect(response.status).toBe(400);
  expect(await response.text()).toBe('bad request');
}

describe('handleResultUrl: happy path', () => {
  test('GET with a really signed callback: OK{InvId}, record paid with the callback facts, onPaid first time', async () => {
    const { deps, ledger, record, sign, paidCalls, logger } = await setup();
    const response = await handleResultUrl(get(sign().query), deps);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await response.text()).toBe(`OK${record.invoiceId}`);
    const stored = await ledger.find(key(record));
    expect(stored).toMatchObject({
      state: 'paid',
      details: { paymentMethod: 'BankCard', incCurrLabel: 'BankCardPSR', fee: '58.500000' },
    });
    expect(paidCalls).toHaveLength(1);
    expect(paidCalls[0]?.context.firstTime).toBe(true);
    expect(paidCalls[0]?.record.state).toBe('paid');
    expect(paidCalls[0]?.context.callback.shp).toEqual({ Shp_order: 'order-1' });
    expect(logger.codes()).toEqual(['PAYMENT_PAID']);
  });

  test('POST form body', async () => {
    const { deps, ledger, record, sign } = await setup();
    const response = await handleResultUrl(post(sign().body), deps);
    expect(await response.text()).toBe(`OK${record.invoiceId}`);
    expect((await ledger.find(key(record)))?.state).toBe('paid');
  });

  test('POST without a content type and with a charset parameter are read as forms', async () => {
    for (const headers of [
      { 'content-type': '' },
      { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
    ]) {
      const { deps, record, sign } = await setup();
      const response = await handleResultUrl(post(sign().body, headers), deps);
      expect(await response.text()).toBe(`OK${record.invoiceId}`);
    }
  });

  test('OutSum is compared as a decimal: 1500.00 and 1500.000000 both match a 1500.00 record', async () => {
    for (const outSum of ['1500.00', '1500', '1500.000000']) {
      const { deps, record, sign } = await setup();
      const response = await handleResultUrl(get(sign({ outSum, verbatimOutSum: true }).query), deps);
      expect(await response.text()).toBe(`OK${record.invoiceId}`);
    }
  });

  test('a held (pre-authorised) record becomes paid', async () => {
    const { deps, ledger, record, sign } = await setup();
    await ledger.transition({ ...key(record), from: ['pending'], to: 'held', source: 'hold_notification' });
    const response = await handleResultUrl(get(sign().query), deps);
    expect(await response.text()).toBe(`OK${record.invoiceId}`);
    expect((await ledger.find(key(record)))?.state).toBe('paid');
  });

  describe('a partially captured hold (confirmHold with a smaller OutSum)', () => {
    const hold = async () => {
      const s = await setup({ amount: '100.00' });
      await s.ledger.transition({ ...key(s.record), from: ['pending'], to: 'held', source: 'hold_notification' });
      return s;
    };

    test('hold 100.00, ResultURL for 60.00 after a partial Confirm → OK and paid; retries are answered OK', async () => {
      const { deps, ledger, record, sign, paidCalls, logger } = await hold();
      const response = await handleResultUrl(get(sign({ outSum: '60.00' }).query), deps);
      expect(await response.text()).toBe(`OK${record.invoiceId}`);
      const stored = await ledger.find(key(record));
      expect(stored?.state).toBe('paid');
      // The record keeps the held amount; the captured one reaches the platform through onPaid.
      expect(stored?.amount).toEqual({ currency: 'RUB', minor: 10000n });
      expect(paidCalls).toHaveLength(1);
      expect(paidCalls[0]?.context.firstTime).toBe(true);
      expect(paidCalls[0]?.context.callback.amount).toEqual({ currency: 'RUB', minor: 6000n });
      expect(logger.lines[0]).toMatchObject({
        level: 'info',
        code: 'PAYMENT_PAID',
        fields: { from: 'held', captured: '60.00', held: '100.00' },
      });

      // Robokassa's retry of the same notification (e.g. after onPaid failed) must not turn into a 400.
      const retry = await handleResultUrl(get(sign({ outSum: '60.00' }).query), deps);
      expect(await retry.text()).toBe(`OK${record.invoiceId}`);
      expect(paidCalls.map((c) => c.context.firstTime)).toEqual([true, false]);
      expect(logger.codes()).toEqual(['PAYMENT_PAID', 'PAYMENT_REPLAY']);
      expect(ledger.applied).toBe(2); // pending → held in the setup, held → paid once
    });

    test('a full capture of a hold still settles it', async () => {
      const { deps, ledger, record, sign } = await hold();
      const response = await handleResultUrl(get(sign({ outSum: '100.000000', verbatimOutSum: true }).query), deps);
      expect(await response.text()).toBe(`OK${record.invoiceId}`);
      expect((await ledger.find(key(record)))?.state).toBe('paid');
    });

    test('more than the held amount → 400 AMOUNT_MISMATCH, nothing changes', async () => {
      const { deps, ledger, record, sign, paidCalls, logger } = await hold();
      for (const outSum of ['100.01', '150.00']) {
        await expectBadRequest(await handleResultUrl(get(sign({ outSum }).query), deps));
      }
      expect((await ledger.find(key(record)))?.state).toBe('held');
      expect(paidCalls).toEqual([]);
      expect(logger.lines.map((l) => [l.level, l.code])).toEqual([
        ['error', 'AMOUNT_MISMATCH'],
        ['error', 'AMOUNT_MISMATCH'],
      ]);
    });

    test('a pending record accepts no other amount: 60.00 for a 100.00 invoice → 400', async () => {
      const { deps, ledger, record, sign, paidCalls, logger } = await setup({ amount: '100.00' });
      for (const outSum of ['60.00', '100.01']) {
        await expectBadRequest(await handleResultUrl(get(sign({ outSum }).query), deps));
      }
      expect((await ledger.find(key(record)))?.state).toBe('pending');
      expect(paidCalls).toEqual([]);
      expect(logger.codes()).toEqual(['AMOUNT_MISMATCH', 'AMOUNT_MISMATCH']);
    });

    test('a record read as held but pending in the ledger is not settled for less', async () => {
      // The record was read as held, but the ledger says pending by the time the transition runs: the partial amount
      // is refused rather than settling an ordinary invoice for less.
      const { deps, ledger, record, sign, paidCalls } = await setup({ amount: '100.00' });
      const stale = { ...record, state: 'held' as const };
      const racing: PaymentLedger = { ...ledger, find: async () => stale };
      await expectBadRequest(await handleResultUrl(get(sign({ outSum: '60.00' }).query), { ...deps, ledger: racing }));
      expect((await ledger.find(key(record)))?.state).toBe('pending');
      expect(paidCalls).toEqual([]);
    });
  });

  test('a test record is settled by a callback signed with the test Password #2', async () => {
    const { deps, ledger, record, sign } = await setup({ isTest: true });
    const response = await handleResultUrl(get(sign().query), deps);
    expect(await response.text()).toBe(`OK${record.invoiceId}`);
    expect((await ledger.find(key(record)))?.state).toBe('paid');
  });

  test('a KZT record is compared in KZT', async () => {
    const { deps, record, sign } = await setup({ currency: 'KZT', amount: '990.00' });
    const response = await handleResultUrl(get(sign().query), deps);
    expect(await response.text()).toBe(`OK${record.invoiceId}`);
  });

  test('OutSumCurrency, when present, must match the record (RUR is the rouble)', async () => {
    const ok = await setup();
    expect(await (await handleResultUrl(get(`${ok.sign().query}&OutSumCurrency=RUR`), ok.deps)).text()).toBe(
      `OK${ok.record.invoiceId}`,
    );
    const bad = await setup();
    await expectBadRequest(await handleResultUrl(get(`${bad.sign().query}&OutSumCurrency=USD`), bad.deps));
    expect(bad.ledger.snapshot()[0]?.state).toBe('pending');
    expect(bad.logger.lines.at(-1)).toMatchObject({ level: 'error', code: 'CURRENCY_MISMATCH' });
  });

  test('createResultUrlHandler binds the dependencies', async () => {
    const { deps, record, sign } = await setup();
    const handler = createResultUrlHandler(deps);
    expect(await (await handler(get(sign().query))).text()).toBe(`OK${record.invoiceId}`);
  });
});

describe('handleResultUrl: exactly once', () => {
  test('a replay of a paid invoice answers OK{InvId} again; the transition happened once', async () => {
    const { deps, ledger, record, sign, paidCalls, logger } = await setup();
    const query = sign().query;
    expect(await (await handleResultUrl(get(query), deps)).text()).toBe(`OK${record.invoiceId}`);
    expect(await (await handleResultUrl(post(sign().body), deps)).text()).toBe(`OK${record.invoiceId}`);
    expect(await (await handleResultUrl(get(query), deps)).text()).toBe(`OK${record.invoiceId}`);
    expect(ledger.applied).toBe(1);
    expect(paidCalls.map((c) => c.context.firstTime)).toEqual([true, false, false]);
    expect(logger.codes()).toEqual(['PAYMENT_PAID', 'PAYMENT_REPLAY', 'PAYMENT_REPLAY']);
  });

  test('50 concurrent duplicates: 50 × OK{InvId}, exactly one applied transition, one first-time onPaid', async () => {
    const { deps, ledger, record, sign, paidCalls } = await setup();
    const signed = sign();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => handleResultUrl(i % 2 ? get(signed.query) : post(signed.body), deps)),
    );
    const bodies = await Promise.all(responses.map((r) => r.text()));
    expect(bodies).toEqual(Array.from({ length: 50 }, () => `OK${record.invoiceId}`));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(ledger.applied).toBe(1);
    expect(paidCalls.filter((c) => c.context.firstTime)).toHaveLength(1);
    expect(paidCalls).toHaveLength(50);
    expect((await ledger.find(key(record)))?.state).toBe('paid');
  });

  test('onPaid failing answers 500 (Robokassa retries), keeps the record paid, and the retry succeeds', async () => {
    const { deps, ledger, record, sign, logger } = await setup();
    const calls: boolean[] = [];
    let fail = true;
    const withFlakyOnPaid: ResultUrlHandlerDeps = {
      ...deps,
      onPaid: async (_record, { firstTime }) => {
        calls.push(firstTime);
        if (fail) throw new Error('order service unavailable');
      },
    };
    const first = await handleResultUrl(get(sign().query), withFlakyOnPaid);
    expect(first.status).toBe(500);
    expect(await first.text()).toBe('internal error');
    expect((await ledger.find(key(record)))?.state).toBe('paid');
    expect(logger.lines.at(-1)).toMatchObject({ level: 'error', code: 'ON_PAID_FAILED' });

    fail = false;
    const retry = await handleResultUrl(get(sign().query), withFlakyOnPaid);
    expect(await retry.text()).toBe(`OK${record.invoiceId}`);
    expect(calls).toEqual([true, false]);
    expect(ledger.applied).toBe(1);
  });

  test('a refunded record: OK{InvId} (the payment did happen), no transition, no onPaid', async () => {
    const { deps, ledger, record, sign, paidCalls, logger } = await setup();
    await ledger.transition({ ...key(record), from: ['pending'], to: 'paid', source: 'reconcile' });
    await ledger.transition({ ...key(record), from: ['paid'], to: 'refunded', source: 'refund' });
    const before = ledger.applied;
    expect(await (await handleResultUrl(get(sign().query), deps)).text()).toBe(`OK${record.invoiceId}`);
    expect(ledger.applied).toBe(before);
    expect(paidCalls).toHaveLength(0);
    expect(logger.codes()).toEqual(['PAYMENT_AFTER_REFUND']);
  });

  test.each(['cancelled', 'failed'] as const)(
    'a %s record (superseded, expired): a genuine payment is accepted — paid once, the settle step runs, OK{InvId}',
    async (state) => {
      const { deps, ledger, record, sign, paidCalls, logger } = await setup();
      await ledger.transition({ ...key(record), from: ['pending'], to: state, source: 'cancel' });
      const response = await handleResultUrl(get(sign().query), deps);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(`OK${record.invoiceId}`);
      expect((await ledger.find(key(record)))?.state).toBe('paid');
      expect(paidCalls).toHaveLength(1);
      expect(logger.lines.map((l) => l.code)).toContain('PAYMENT_ON_CLOSED_INVOICE');
    },
  );
});

describe('handleResultUrl: bad input changes nothing', () => {
  async function expectUnchanged(
    build: (ctx: Awaited<ReturnType<typeof setup>>) => Request,
    code: string,
    level: LogLine['level'],
  ) {
    const ctx = await setup();
    const before = JSON.stringify(ctx.ledger.snapshot(), (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
    await expectBadRequest(await handleResultUrl(build(ctx), ctx.deps));
    const after = JSON.stringify(ctx.ledger.snapshot(), (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
    expect(after).toBe(before);
    expect(ctx.ledger.applied).toBe(0);
    expect(ctx.paidCalls).toHaveLength(0);
    expect(ctx.logger.lines.at(-1)).toMatchObject({ level, code });
  }

  test('tampered OutSum', async () => {
    await expectUnchanged(
      ({ sign }) => get(sign().query.replace('OutSum=1500.000000', 'OutSum=1.000000')),
      'SIGNATURE_MISMATCH',
      'warn',
    );
  });

  test('wrong signature', async () => {
    await expectUnchanged(
      ({ sign }) => {
        const s = sign();
        const flipped = (s.signature[0] === 'A' ? 'B' : 'A') + s.signature.slice(1);
        return get(s.query.replace(s.signature, flipped));
      },
      'SIGNATURE_MISMATCH',
      'warn',
    );
  });

  test('a Password #1 signature (the SuccessURL password)', async () => {
    await expectUnchanged(
      ({ config, record }) => {
        const swapped = makeConfig({ password2: config.password1.reveal() });
        return get(signResultCallback(swapped, { outSum: record.amount, invId: Number(record.invoiceId) }).query);
      },
      'SIGNATURE_MISMATCH',
      'warn',
    );
  });

  test('a real record settled by a test-signed callback (free test payment) is refused', async () => {
    await expectUnchanged(({ sign }) => get(`${sign({ isTest: true }).query}&IsTest=1`), 'SIGNATURE_MISMATCH', 'warn');
  });

  test('unknown InvId with a genuine signature: 400 and an error (money the shop cannot match)', async () => {
    await expectUnchanged(
      ({ config }) => get(signResultCallback(config, { outSum: '10', invId: 999_999 }).query),
      'UNKNOWN_INVOICE',
      'error',
    );
  });

  test('unknown InvId with a forged signature: 400 and an error (an unknown invoice is always UNKNOWN_INVOICE)', async () => {
    await expectUnchanged(
      () => get(`OutSum=10.000000&InvId=999999&SignatureValue=${'A'.repeat(32)}`),
      'UNKNOWN_INVOICE',
      'error',
    );
  });

  test('wrong amount, validly signed: 400 and an error', async () => {
    await expectUnchanged(({ sign }) => get(sign({ outSum: '1499.99' }).query), 'AMOUNT_MISMATCH', 'error');
  });

  test('malformed: missing fields, bad encoding, duplicates', async () => {
    for (const query of ['', 'OutSum=10', 'OutSum=10&InvId=1&SignatureValue=%ZZ', 'OutSum=1&OutSum=1&InvId=1']) {
      await expectUnchanged(() => get(query), 'CALLBACK_MALFORMED', 'warn');
    }
  });
});

describe('handleResultUrl: transport', () => {
  test.each(['PUT', 'DELETE', 'PATCH', 'OPTIONS'])('%s → 405 with Allow', async (method) => {
    const { deps } = await setup();
    const response = await handleResultUrl(new Request(URL_BASE, { method }), deps);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST');
    expect(await response.text()).toBe('method not allowed');
  });

  test('HEAD → 405', async () => {
    const { deps } = await setup();
    expect((await handleResultUrl(new Request(URL_BASE, { method: 'HEAD' }), deps)).status).toBe(405);
  });

  test('a body over 64 KiB → 413, by Content-Length or by counting a stream', async () => {
    const { deps, ledger, sign } = await setup();
    const big = `${sign().body}&pad=${'x'.repeat(70 * 1024)}`;
    const response = await handleResultUrl(post(big), deps);
    expect(response.status).toBe(413);
    expect(await response.text()).toBe('payload too large');

    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 80; i += 1) controller.enqueue(new Uint8Array(1024).fill(0x61));
        controller.close();
      },
    });
    const streamed = new Request(URL_BASE, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect((await handleResultUrl(streamed, deps)).status).toBe(413);
    expect(ledger.snapshot()[0]?.state).toBe('pending');
  });

  test('the limit is configurable', async () => {
    const { deps, sign } = await setup();
    expect((await handleResultUrl(post(sign().body), { ...deps, maxBodyBytes: 16 })).status).toBe(413);
    expect((await handleResultUrl(get(sign().query), { ...deps, maxBodyBytes: 16 })).status).toBe(414);
  });

  test('a body that is not UTF-8 → 400', async () => {
    const { deps } = await setup();
    await expectBadRequest(await handleResultUrl(post(new Uint8Array([0x4f, 0x3d, 0xff, 0xfe])), deps));
  });

  test('JSON or multipart bodies → 415', async () => {
    const { deps, sign } = await setup();
    const json = await handleResultUrl(post(JSON.stringify({ a: 1 }), { 'content-type': 'application/json' }), deps);
    expect(json.status).toBe(415);
    const form = new FormData();
    for (const [n, v] of sign().params) form.append(n, v);
    const multipart = await handleResultUrl(new Request(URL_BASE, { method: 'POST', body: form }), deps);
    expect(multipart.status).toBe(415);
  });

  test('POST reads the body only, never the query string', async () => {
    const { deps, sign } = await setup();
    const request = new Request(`${URL_BASE}?${sign().query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    await expectBadRequest(await handleResultUrl(request, deps));
  });
});

describe('handleResultUrl: server-side failures answer 500 so Robokassa retries', () => {
  test('a test record without test passwords configured', async () => {
    const withTest = makeConfig();
    const { deps, sign, logger } = await setup({ isTest: true, config: withTest });
    const withoutTest = makeConfig({ testPassword1: undefined, testPassword2: undefined });
    const response = await handleResultUrl(get(sign().query), { ...deps, config: withoutTest });
    expect(response.status).toBe(500);
    expect(logger.lines.at(-1)).toMatchObject({ level: 'error', code: 'TEST_PASSWORDS_MISSING' });
  });

  test('the ledger being down', async () => {
    const { deps, sign, logger } = await setup();
    const down: PaymentLedger = {
      ...deps.ledger,
      find: async () => {
        throw new Error('connection refused');
      },
    };
    const response = await handleResultUrl(get(sign().query), { ...deps, ledger: down });
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('internal error');
    expect(logger.lines.at(-1)).toMatchObject({ level: 'error', code: 'LEDGER_ERROR' });
  });
});
