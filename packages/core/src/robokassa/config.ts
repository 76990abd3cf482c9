import { z } from 'zod';
import { KassaError, kassaErrorFromZod } from '../errors.js';
import { HASH_ALGORITHMS, type HashAlgorithm } from '../hash.js';
import { Secret } from '../secret.js';

export const COUNTRIES = ['RU', 'KZ'] as const;
export type Country = (typeof COUNTRIES)[number];

/** Where Robokassa lives. Tests, the demo and a merchant's developer point these at the sandbox; nothing else changes. */
export interface RobokassaBaseUrls {
  /** Payment page, XML web service, hold Confirm/Cancel, Recurring: `https://auth.robokassa.ru` (`.kz` for KZ). */
  merchant: string;
  /** Refund API and Invoice API: `https://services.robokassa.ru`. */
  services: string;
  /** Second receipt (RoboFiscal): `https://ws.roboxchange.com`. */
  fiscal: string;
}

export const DEFAULT_BASE_URLS: Record<Country, RobokassaBaseUrls> = {
  RU: {
    merchant: 'https://auth.robokassa.ru',
    services: 'https://services.robokassa.ru',
    fiscal: 'https://ws.roboxchange.com',
  },
  KZ: {
    merchant: 'https://auth.robokassa.kz',
    services: 'https://services.robokassa.ru',
    fiscal: 'https://ws.roboxchange.com',
  },
};

const secretString = z
  .union([z.string().min(1, 'must not be empty'), z.instanceof(Secret)])
  .transform((v) => (v instanceof Secret ? v : new Secret(v)));

const url = z
  .string()
  .url()
  .transform((v) => v.replace(/\/+$/, ''));

export const robokassaConfigSchema = z
  .object({
    /** The shop identifier from «Технические настройки», not the cabinet login (the usual cause of error 26/29). */
    login: z.string().min(1, 'must not be empty').max(100),
    password1: secretString,
    password2: secretString,
    testPassword1: secretString.optional(),
    testPassword2: secretString.optional(),
    /** Issued on request for the Refund API (JWT signing key). */
    password3: secretString.optional(),
    algorithm: z.enum(HASH_ALGORITHMS).default('md5'),
    /** When true every payment is sent with `IsTest=1` and signed with the test passwords. */
    testMode: z.boolean().default(false),
    country: z.enum(COUNTRIES).default('RU'),
    culture: z.enum(['ru', 'en']).optional(),
    /** One URL for all three hosts (the sandbox serves them all), or each host separately. */
    baseUrl: url.optional(),
    baseUrls: z.object({ merchant: url.optional(), services: url.optional(), fiscal: url.optional() }).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.testMode && (!c.testPassword1 || !c.testPassword2)) {
      ctx.addIssue({
        code: 'custom',
        path: [c.testPassword1 ? 'testPassword2' : 'testPassword1'],
        message: 'test mode needs the test Password #1 and #2 from the cabinet (Robokassa error 23 otherwise)',
      });
    }
  });

export type RobokassaConfigInput = z.input<typeof robokassaConfigSchema>;

export interface RobokassaConfig {
  readonly login: string;
  readonly password1: Secret;
  readonly password2: Secret;
  readonly testPassword1?: Secret | undefined;
  readonly testPassword2?: Secret | undefined;
  readonly password3?: Secret | undefined;
  readonly algorithm: HashAlgorithm;
  readonly testMode: boolean;
  readonly country: Country;
  readonly culture?: 'ru' | 'en' | undefined;
  readonly baseUrls: RobokassaBaseUrls;
}

/**
 * Validates merchant settings once, naming every wrong or missing key in one error (never their values).
 */
export function createRobokassaConfig(input: unknown): RobokassaConfig {
  const parsed = robokassaConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw kassaErrorFromZod('CONFIG_INVALID', 'Invalid Robokassa settings', parsed.error, {
      pathKey: 'key',
      issueCodes: false,
    });
  }
  const c = parsed.data;
  const defaults = DEFAULT_BASE_URLS[c.country];
  const baseUrls: RobokassaBaseUrls = {
    merchant: c.baseUrls?.merchant ?? c.baseUrl ?? defaults.merchant,
    services: c.baseUrls?.services ?? c.baseUrl ?? defaults.services,
    fiscal: c.baseUrls?.fiscal ?? c.baseUrl ?? defaults.fiscal,
  };
  return {
    login: c.login,
    password1: c.password1,
    password2: c.password2,
    testPassword1: c.testPassword1,
    testPassword2: c.testPassword2,
    password3: c.password3,
    algorithm: c.algorithm,
    testMode: c.testMode,
    country: c.country,
    culture: c.culture,
    baseUrls,
  };
}

export interface PasswordPair {
  password1: Secret;
  password2: Secret;
}

/** Test payments (`IsTest=1`) are signed and verified with the test passwords; real ones with the real pair. */
export function passwordsFor(config: RobokassaConfig, isTest: boolean): PasswordPair {
  if (!isTest) return { password1: config.password1, password2: config.password2 };
  if (!config.testPassword1 || !config.testPassword2) {
    throw new KassaError(
      'TEST_PASSWORDS_MISSING',
      'IsTest=1 needs the test Password #1 and #2 from the cabinet (Robokassa answers error 23 without them)',
    );
  }
  return { password1: config.testPassword1, password2: config.testPassword2 };
}
