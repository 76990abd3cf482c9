import { z } from 'zod';
import { formatMoney, type Money } from './money.js';
import { type ApiLanguage, languageSchema, moneySchema, parseInput, shopCurrency } from './robokassa/api/common.js';
import { getCurrencies, type PaymentCurrencyGroup } from './robokassa/api/currencies.js';
import type { ApiCallOptions } from './robokassa/api/http.js';
import type { RobokassaConfig } from './robokassa/config.js';

/** One way to pay, ready for a checkout list. */
export interface CatalogMethod {
  /** Pass as `IncCurrLabel` in the payment request to preselect this method. */
  incCurrLabel: string;
  alias?: string | undefined;
  /** Display name in the requested language. */
  name: string;
  groupCode: string;
  groupDescription: string;
  minValue?: string | undefined;
  maxValue?: string | undefined;
}

export interface CatalogResult {
  /**
   * `live`: fetched during this call; `cache`: within the TTL; `stale`: past the TTL, served while a background
   * refresh runs; `fallback`: nothing usable in time, show no list and let Robokassa's page choose.
   */
  source: 'live' | 'cache' | 'stale' | 'fallback';
  /** `shop`: render `methods`; `robokassa`: render nothing and send no `IncCurrLabel`. */
  chooser: 'shop' | 'robokassa';
  methods: CatalogMethod[];
}

export interface MethodCatalogOptions {
  config: RobokassaConfig;
  /** Where the groups come from; defaults to GetCurrencies with `http`. */
  fetchCurrencies?: ((language: ApiLanguage) => Promise<PaymentCurrencyGroup[]>) | undefined;
  /** A fetched list is fresh this long. Default 15 minutes. */
  ttlMs?: number | undefined;
  /** After the TTL, serve the old list this much longer while refreshing in the background. Default 24 hours. */
  staleWhileRevalidateMs?: number | undefined;
  /** How long a checkout waits for a cold catalog before falling back. Default 1500 ms. */
  coldDeadlineMs?: number | undefined;
  /** After a failed fetch, do not try again (cold calls fall back at once) for this long. Default 30 s. */
  failureBackoffMs?: number | undefined;
  /** Clock for TTL decisions (ms since epoch). Default `Date.now`. */
  now?: (() => number) | undefined;
  /** Transport settings for the default fetcher. */
  http?: ApiCallOptions | undefined;
  /** Background refresh failures (they never reach the checkout). */
  onError?: ((error: unknown) => void) | undefined;
}

export interface MethodCatalog {
  /** The methods that accept `amount`. Never throws because of Robokassa and never waits longer than the deadline. */
  methodsFor(input: { amount: Money; language?: ApiLanguage | undefined }): Promise<CatalogResult>;
  /** Fetches now (e.g. at start-up) so the first checkout is warm. Rejects when the fetch fails. */
  warm(language?: ApiLanguage): Promise<void>;
  /** Forgets every cached list. */
  clear(): void;
}

interface Entry {
  value?: { groups: PaymentCurrencyGroup[]; fetchedAt: number } | undefined;
  inflight?: Promise<PaymentCurrencyGroup[]> | undefined;
  failedAt?: number | undefined;
}

/** Compares two non-negative decimal strings exactly (no floats): `"40000" > "39999.99"`. */
export function compareDecimals(a: string, b: string): -1 | 0 | 1 {
  const [aw = '0', af = ''] = a.split('.');
  const [bw = '0', bf = ''] = b.split('.');
  const scale = Math.max(af.length, bf.length);
  const x = BigInt(aw + af.padEnd(scale, '0'));
  const y = BigInt(bw + bf.padEnd(scale, '0'));
  return x < y ? -1 : x > y ? 1 : 0;
}

const fallback = (): CatalogResult => ({ source: 'fallback', chooser: 'robokassa', methods: [] });

/**
 * The payment-method catalog (DESIGN §3 `catalog`): GetCurrencies cached per merchant login and language, with a TTL
 * and stale-while-revalidate, filtered by each method's MinValue/MaxValue. It is never on the checkout's critical
 * path when cold: after `coldDeadlineMs` (or at once after a recent failure) it answers `fallback`, meaning "let
 * Robokassa's own page offer the methods", and keeps fetching in the background.
 */
const duration = z.number().int().nonnegative().finite().optional();
const catalogOptionsSchema = z.object({
  ttlMs: duration,
  staleWhileRevalidateMs: duration,
  coldDeadlineMs: duration,
  failureBackoffMs: duration,
});
const methodsForInput = z.object({ amount: moneySchema, language: languageSchema.optional() });

export function createMethodCatalog(options: MethodCatalogOptions): MethodCatalog {
  parseInput('createMethodCatalog', catalogOptionsSchema, {
    ttlMs: options.ttlMs,
    staleWhileRevalidateMs: options.staleWhileRevalidateMs,
    coldDeadlineMs: options.coldDeadlineMs,
    failureBackoffMs: options.failureBackoffMs,
  });
  const { config } = options;
  const ttl = options.ttlMs ?? 15 * 60_000;
  const swr = options.staleWhileRevalidateMs ?? 24 * 60 * 60_000;
  const deadline = options.coldDeadlineMs ?? 1500;
  const backoff = options.failureBackoffMs ?? 30_000;
  const now = options.now ?? Date.now;
  const fetchGroups = options.fetchCurrencies ?? ((language) => getCurrencies(config, { language }, options.http));
  const entries = new Map<string, Entry>();
  const defaultLanguage: ApiLanguage = config.culture ?? 'ru';

  const entryFor = (language: ApiLanguage): Entry => {
    const key = `${config.login}\u0000${language}`;
    let entry = entries.get(key);
    if (!entry) {
      entry = {};
      entries.set(key, entry);
    }
    return entry;
  };

  /** One fetch per key at a time; every caller shares it. */
  const refresh = (entry: Entry, language: ApiLanguage): Promise<PaymentCurrencyGroup[]> => {
    if (entry.inflight) return entry.inflight;
    // Started on a later tick so `inflight` is set before the fetch can settle (even if it throws synchronously).
    const run: Promise<PaymentCurrencyGroup[]> = Promise.resolve()
      .then(() => fetchGroups(language))
      .then(
        (groups) => {
          entry.value = { groups, fetchedAt: now() };
          entry.failedAt = undefined;
          return groups;
        },
        (error: unknown) => {
          entry.failedAt = now();
          options.onError?.(error);
          throw error;
        },
      )
      .finally(() => {
        if (entry.inflight === run) entry.inflight = undefined;
      });
    entry.inflight = run;
    return run;
  };

  const backingOff = (entry: Entry): boolean => entry.failedAt !== undefined && now() - entry.failedAt < backoff;

  const background = (entry: Entry, language: ApiLanguage): void => {
    if (entry.inflight || backingOff(entry)) return;
    refresh(entry, language).catch(() => {
      // reported through onError; the checkout already has its answer
    });
  };

  const build = (groups: PaymentCurrencyGroup[], amount: Money, source: CatalogResult['source']): CatalogResult => {
    // Limits are in the shop's currency; an amount in another currency cannot be compared with them.
    const comparable = amount.currency === shopCurrency(config);
    const sum = formatMoney(amount);
    const methods: CatalogMethod[] = [];
    for (const group of groups) {
      for (const item of group.items) {
        if (comparable && item.minValue !== undefined && compareDecimals(sum, item.minValue) < 0) continue;
        if (comparable && item.maxValue !== undefined && compareDecimals(sum, item.maxValue) > 0) continue;
        methods.push({
          incCurrLabel: item.label,
          alias: item.alias,
          name: item.name,
          groupCode: group.code,
          groupDescription: group.description,
          minValue: item.minValue,
          maxValue: item.maxValue,
        });
      }
    }
    return { source, chooser: methods.length > 0 ? 'shop' : 'robokassa', methods };
  };

  const waitBriefly = async (work: Promise<PaymentCurrencyGroup[]>): Promise<PaymentCurrencyGroup[] | undefined> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, deadline, undefined);
      timer.unref?.();
    });
    try {
      return await Promise.race([work.catch(() => undefined), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    async methodsFor(input) {
      const { amount, language = defaultLanguage } = parseInput('methodsFor', methodsForInput, input);
      const entry = entryFor(language);
      if (entry.value) {
        const age = now() - entry.value.fetchedAt;
        if (age < ttl) return build(entry.value.groups, amount, 'cache');
        if (age < ttl + swr) {
          background(entry, language);
          return build(entry.value.groups, amount, 'stale');
        }
        // Too old to trust: methods and limits may have changed. Treat as cold.
        entry.value = undefined;
      }
      if (!entry.inflight && backingOff(entry)) return fallback();
      const work = refresh(entry, language);
      work.catch(() => {
        // a cold failure is answered with the fallback below
      });
      const groups = await waitBriefly(work);
      return groups ? build(groups, amount, 'live') : fallback();
    },
    async warm(language = defaultLanguage) {
      await refresh(entryFor(language), language);
    },
    clear() {
      entries.clear();
    },
  };
}
