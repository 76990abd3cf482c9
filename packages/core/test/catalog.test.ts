import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compareDecimals, createMethodCatalog } from '../src/catalog.js';
import type { ApiLanguage } from '../src/robokassa/api/common.js';
import type { PaymentCurrencyGroup } from '../src/robokassa/api/currencies.js';
import { createRobokassaConfig } from '../src/robokassa/config.js';
import { type FakeRobokassa, startFakeRobokassa } from './support/fake-robokassa.js';

const config = createRobokassaConfig({ login: 'shop', password1: 'p1', password2: 'p2' });
const rub = (minor: bigint) => ({ currency: 'RUB' as const, minor });

const GROUPS: PaymentCurrencyGroup[] = [
  {
    code: 'BankCard',
    description: 'Банковской картой',
    items: [
      { label: 'BankCardPSR', alias: 'BankCard', name: 'Банковская карта' },
      { label: 'YandexPayPSR', alias: 'YandexPay', name: 'Яндекс Pay', maxValue: '40000' },
    ],
  },
  {
    code: 'Mobile',
    description: 'Сотовые операторы',
    items: [{ label: 'MixplatMTSRIBR', alias: 'PhoneMTS', name: 'МТС', minValue: '10', maxValue: '15000.50' }],
  },
];

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A scripted fetcher: each call takes the next planned reply (a value, an error, or a deferred). */
function scripted() {
  const calls: ApiLanguage[] = [];
  const plan: Array<PaymentCurrencyGroup[] | Error | Deferred<PaymentCurrencyGroup[]>> = [];
  const fetchCurrencies = async (language: ApiLanguage) => {
    calls.push(language);
    const next = plan.shift() ?? GROUPS;
    if (next instanceof Error) throw next;
    if (Array.isArray(next)) return next;
    return next.promise;
  };
  return { calls, plan, fetchCurrencies };
}

/** Lets queued promise callbacks run (a background refresh settling). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const labels = (r: { methods: Array<{ incCurrLabel: string }> }) => r.methods.map((m) => m.incCurrLabel);

describe('compareDecimals', () => {
  test.each([
    ['40000', '40000.00', 0],
    ['40000.01', '40000', 1],
    ['9.99', '10', -1],
    ['0.5', '0.50', 0],
    ['100', '99.999', 1],
  ] as const)('%s vs %s → %i', (a, b, expected) => {
    expect(compareDecimals(a, b)).toBe(expected);
  });
});

describe('filtering by MinValue/MaxValue', () => {
  test.each([
    [rub(50000n), ['BankCardPSR', 'YandexPayPSR', 'MixplatMTSRIBR']],
    [rub(999n), ['BankCardPSR', 'YandexPayPSR']],
    [rub(1000n), ['BankCardPSR', 'YandexPayPSR', 'MixplatMTSRIBR']],
    [rub(1500050n), ['BankCardPSR', 'YandexPayPSR', 'MixplatMTSRIBR']],
    [rub(1500051n), ['BankCardPSR', 'YandexPayPSR']],
    [rub(4000000n), ['BankCardPSR', 'YandexPayPSR']],
    [rub(4000001n), ['BankCardPSR']],
  ])('%o', async (amount, expected) => {
    const { fetchCurrencies } = scripted();
    const catalog = createMethodCatalog({ config, fetchCurrencies });
    const result = await catalog.methodsFor({ amount, language: 'ru' });
    expect(result.source).toBe('live');
    expect(result.chooser).toBe('shop');
    expect(labels(result)).toEqual(expected);
  });

  test('items carry the label for IncCurrLabel, the group and the display name', async () => {
    const catalog = createMethodCatalog({ config, fetchCurrencies: scripted().fetchCurrencies });
    const { methods } = await catalog.methodsFor({ amount: rub(100n), language: 'ru' });
    expect(methods[0]).toEqual({
      incCurrLabel: 'BankCardPSR',
      alias: 'BankCard',
      name: 'Банковская карта',
      groupCode: 'BankCard',
      groupDescription: 'Банковской картой',
      minValue: undefined,
      maxValue: undefined,
    });
  });

  test('an amount in another currency than the shop’s is not compared with the limits', async () => {
    const catalog = createMethodCatalog({ config, fetchCurrencies: scripted().fetchCurrencies });
    const result = await catalog.methodsFor({ amount: { currency: 'USD', minor: 9_000_000n }, language: 'ru' });
    expect(labels(result)).toEqual(['BankCardPSR', 'YandexPayPSR', 'MixplatMTSRIBR']);
  });

  test('nothing fits → chooser robokassa', async () => {
    const only: PaymentCurrencyGroup[] = [
      { code: 'M', description: 'm', items: [{ label: 'X', name: 'x', maxValue: '10' }] },
    ];
    const catalog = createMethodCatalog({ config, fetchCurrencies: async () => only });
    expect(await catalog.methodsFor({ amount: rub(5000n), language: 'ru' })).toEqual({
      source: 'live',
      chooser: 'robokassa',
      methods: [],
    });
  });
});

describe('TTL and stale-while-revalidate (fake clock)', () => {
  test('fresh within the TTL, stale after it with one background refresh, fresh again after', async () => {
    const c = clock();
    const s = scripted();
    const catalog = createMethodCatalog({
      config,
      fetchCurrencies: s.fetchCurrencies,
      ttlMs: 1000,
      staleWhileRevalidateMs: 5000,
      now: c.now,
    });
    expect((await catalog.methodsFor({ amount: rub(100n), language: 'ru' })).source).toBe('live');
    c.advance(999);
    expect((await catalog.methodsFor({ amount: rub(100n), language: 'ru' })).source).toBe('cache');
    expect(s.calls).toHaveLength(1);

    const refresh = deferred<PaymentCurrencyGroup[]>();
    s.plan.push(refresh);
    c.advance(1);
    const stale = await catalog.methodsFor({ amount: rub(100n), language: 'ru' });
    expect(stale.source).toBe('stale');
    expect(labels(stale)).toEqual(['BankCardPSR', 'YandexPayPSR']);
    // More checkouts while the refresh runs: still stale, still one refresh.
    for (let i = 0; i < 5; i++) {
      expect((await catalog.methodsFor({ amount: rub(100n), language: 'ru' })).source).toBe('stale');
    }
    expect(s.calls).toHaveLength(2);

    refresh.resolve([{ code: 'SBP', description: 'СБП', items: [{ label: 'SBPPSR', name: 'СБП' }] }]);
    await settle();
    const fresh = await catalog.methodsFor({ amount: rub(100n), language: 'ru' });
    expect(fresh.source).toBe('cache');
    expect(labels(fresh)).toEqual(['SBPPSR']);
    expect(s.calls).toHaveLength(2);
  });

  test('a failing background refresh keeps serving the stale list and reports the error', async () => {
    const c = clock();
    const s = scripted();
    const errors: unknown[] = [];
    const catalog = createMethodCatalog({
      config,
      fetchCurrencies: s.fetchCurrencies,
      ttlMs: 1000,
      staleWhileRevalidateMs: 10_000,
      failureBackoffMs: 3000,
      now: c.now,
      onError: (e) => errors.push(e),
    });
    await catalog.methodsFor({ amount: rub(100n), language: 'ru' });
    c.advance(2000);
    s.plan.push(new Error('GetCurrencies down'));
    expect((await catalog.methodsFor({ amount: rub(100n), language: 'ru' })).source).toBe('stale');
    await settle();
    expect(errors).toHaveLength(1);
    // Within the failure backoff no new refresh is started.
    expect((await catalog.methodsFor({ amount: rub(100n), language: 'ru' })).source).toBe('stale');
    expect(s.calls).toHaveLength(2);
    c.advance(3000);
    expect((await catalog.methodsFor({ amount: rub(100n), language: 'ru' })).source).toBe('stale');
    await settle();
    expect(s.calls).toHaveLength(3);
    expect((await catalog.methodsFor({ amount: rub(100n), language: 'ru' })).source).toBe('cache');
  });

  test('past TTL + SWR the old list is dropped and the catalog behaves as cold', async () => {
    const c = clock();
    const s = scripted();
    const catalog = createMethodCatalog({
      config,
      fetchCurrencies: s.fetchCurrencies,
      ttlMs: 1000,
      staleWhileRevalidateMs: 1000,
      now: c.now,
    });
    await catalog.methodsFor({ amount: rub(100n), language: 'ru' });
    c.advance(2000);
    s.plan.push(new Error('down'));
    expect(await catalog.methodsFor({ amount: rub(100n), language: 'ru' })).toEqual({
      source: 'fallback',
      chooser: 'robokassa',
      methods: [],
    });
  });

  test('languages are cached separately', async () => {
    const s = scripted();
    const catalog = createMethodCatalog({ config, fetchCurrencies: s.fetchCurrencies, now: clock().now });
    await catalog.methodsFor({ amount: rub(100n), language: 'ru' });
    await catalog.methodsFor({ amount: rub(100n), language: 'en' });
    await catalog.methodsFor({ amount: rub(100n), language: 'ru' });
    await catalog.methodsFor({ amount: rub(100n) });
    expect(s.calls).toEqual(['ru', 'en']);
  });
});

describe('a cold or failing catalog never blocks checkout', () => {
  test('cold and failing → fallback; no new fetch during the backoff; fetches again after it', async () => {
    const c = clock();
    const s = scripted();
    s.plan.push(new Error('down'));
    const catalog = createMethodCatalog({
      config,
      fetchCurrencies: s.fetchCurrencies,
      failureBackoffMs: 5000,
      now: c.now,
      onError: () => {},
    });
    expect((await catalog.methodsFor({ amount: rub(100n), language: 'ru' })).source).toBe('fallback');
    expect((await catalog.methodsFor({ amount: rub(100n), language: 'ru' })).source).toBe('fallback');
    expect(s.calls).toHaveLength(1);
    c.advance(5000);
    expect((await catalog.methodsFor({ amount: rub(100n), language: 'ru' })).source).toBe('live');
    expect(s.calls).toHaveLength(2);
  });

  test('cold and slow → fallback after the deadline, and the fetch goes on in the background', async () => {
    const s = scripted();
    const slow = deferred<PaymentCurrencyGroup[]>();
    s.plan.push(slow);
    const catalog = createMethodCatalog({
      config,
      fetchCurrencies: s.fetchCurrencies,
      coldDeadlineMs: 30,
      now: clock().now,
    });
    const first = await catalog.methodsFor({ amount: rub(100n), language: 'ru' });
    expect(first).toEqual({ source: 'fallback', chooser: 'robokassa', methods: [] });
    // A second checkout joins the same fetch instead of starting another.
    expect((await catalog.methodsFor({ amount: rub(100n), language: 'ru' })).source).toBe('fallback');
    expect(s.calls).toHaveLength(1);
    slow.resolve(GROUPS);
    await settle();
    expect((await catalog.methodsFor({ amount: rub(100n), language: 'ru' })).source).toBe('cache');
    expect(s.calls).toHaveLength(1);
  });

  test('a fetcher that throws synchronously is a failure like any other', async () => {
    const catalog = createMethodCatalog({
      config,
      fetchCurrencies: () => {
        throw new Error('sync');
      },
      onError: () => {},
    });
    expect((await catalog.methodsFor({ amount: rub(100n), language: 'ru' })).source).toBe('fallback');
  });

  test('warm() fetches ahead of the first checkout and rejects when the fetch fails', async () => {
    const s = scripted();
    const catalog = createMethodCatalog({ config, fetchCurrencies: s.fetchCurrencies });
    await catalog.warm('ru');
    expect((await catalog.methodsFor({ amount: rub(100n), language: 'ru' })).source).toBe('cache');
    catalog.clear();
    s.plan.push(new Error('down'));
    await expect(catalog.warm('en')).rejects.toThrow('down');
  });
});

describe('input validation', () => {
  test('bad options and bad amounts → API_INPUT_INVALID', async () => {
    expect(() => createMethodCatalog({ config, ttlMs: -1 })).toThrow(
      expect.objectContaining({ code: 'API_INPUT_INVALID' }),
    );
    const catalog = createMethodCatalog({ config, fetchCurrencies: async () => GROUPS });
    await expect(
      catalog.methodsFor({ amount: { currency: 'RUB', minor: 1.5 } as never, language: 'ru' }),
    ).rejects.toMatchObject({ code: 'API_INPUT_INVALID' });
    await expect(catalog.methodsFor({ amount: rub(100n), language: 'de' as never })).rejects.toMatchObject({
      code: 'API_INPUT_INVALID',
    });
  });
});

describe('with the default fetcher against the fake Robokassa', () => {
  let fake: FakeRobokassa;
  beforeAll(async () => {
    fake = await startFakeRobokassa();
  });
  afterAll(async () => {
    await fake.close();
  });

  test('GetCurrencies over HTTP, cached per login and language', async () => {
    const before = fake.hits('GetCurrencies');
    const catalog = createMethodCatalog({ config: fake.config, http: { retry: { baseDelayMs: 1 } } });
    const result = await catalog.methodsFor({ amount: rub(2_000_000n), language: 'ru' });
    expect(result.source).toBe('live');
    expect(labels(result)).toEqual(['Qiwi40PS', 'BankCardPSR', 'YandexPayPSR']);
    await catalog.methodsFor({ amount: rub(100n), language: 'ru' });
    expect(fake.hits('GetCurrencies') - before).toBe(1);
    expect(fake.problems).toEqual([]);
  });

  test('an unreachable Robokassa gives the fallback', async () => {
    fake.override('GetCurrencies', { status: 500 }, 3);
    const catalog = createMethodCatalog({
      config: fake.config,
      http: { retry: { baseDelayMs: 1 } },
      onError: () => {},
    });
    expect((await catalog.methodsFor({ amount: rub(100n), language: 'en' })).source).toBe('fallback');
  });
});
