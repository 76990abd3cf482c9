import { z } from 'zod';
import { KassaError } from '../errors.js';
import { Secret } from '../secret.js';

/**
 * Merchant settings for Assist (IPS Assist / АПК Ассист). Validated once by one schema that names every bad key and
 * never a value; secrets become `Secret`s that print as `***`.
 */

/** Where the merchant's contract is: Russia (paysecure.ru) or Belarus (paysec.by). */
export const ASSIST_REGIONS = ['RU', 'BY'] as const;
export type AssistRegion = (typeof ASSIST_REGIONS)[number];

/**
 * Default hosts (protocol notes §0). Assist gives each merchant its own "server URL" (often `paymentsNNN.…`); put it
 * in `baseUrl` and these are not used. Live RU is the official SDK's default; test RU is the SDK's
 * `payments.demo.paysecure.ru` (the older `test.paysecure.ru` still works through `baseUrl`). Belarus: the generic
 * `payments.paysec.by` and `test.paysec.by`.
 */
export const ASSIST_DEFAULT_HOSTS: Readonly<Record<AssistRegion, { readonly live: string; readonly test: string }>> = {
  RU: { live: 'https://payments.paysecure.ru', test: 'https://payments.demo.paysecure.ru' },
  BY: { live: 'https://payments.paysec.by', test: 'https://test.paysec.by' },
};

/** Currencies Assist documents for `OrderCurrency` (§1.1). All have two decimals. */
export const ASSIST_CURRENCIES = ['RUB', 'USD', 'EUR', 'BYN', 'KZT'] as const;
export type AssistCurrency = (typeof ASSIST_CURRENCIES)[number];

/** Payment-page languages: RU and EN are documented; BY and UK come from the official iOS SDK. */
export const ASSIST_LANGUAGES = ['RU', 'EN', 'BY', 'UK'] as const;
export type AssistLanguage = (typeof ASSIST_LANGUAGES)[number];

/**
 * How the request Checkvalue joins its fields (§1.2). A per-merchant setting on Assist's side that the merchant cannot
 * see: `semicolon` is the current documented form, `concat` the legacy "without delimiters" one.
 */
export const CHECKVALUE_MODES = ['semicolon', 'concat'] as const;
export type CheckvalueMode = (typeof CHECKVALUE_MODES)[number];

/** Which cancel endpoint to call (§3.4): both take the same form fields with `Format=3`. */
export const CANCEL_ENDPOINTS = ['cancel', 'wscancel'] as const;
export type CancelEndpoint = (typeof CANCEL_ENDPOINTS)[number];

/** The name of the recurring-period field (§4.4): documented as RecurringPeriod, one newer revision says RecurringCount. */
export const RECURRING_PERIOD_FIELDS = ['RecurringPeriod', 'RecurringCount'] as const;
export type RecurringPeriodField = (typeof RECURRING_PERIOD_FIELDS)[number];

const secretString = z
  .union([z.string().min(1, 'must not be empty'), z.instanceof(Secret)])
  .refine((v) => !(v instanceof Secret) || v.length > 0, 'must not be empty')
  .transform((v) => (v instanceof Secret ? v : new Secret(v)));

const url = z
  .string()
  .url()
  .refine((v) => /^https?:\/\//i.test(v), 'must be an http(s) URL')
  .transform((v) => v.replace(/\/+$/, ''));

export const assistConfigSchema = z
  .object({
    /** `Merchant_ID` from the personal account: digits. A number is accepted and kept as its decimal string. */
    merchantId: z
      .union([z.string(), z.number().int().nonnegative()])
      .transform((v) => String(v))
      .pipe(z.string().regex(/^\d{1,20}$/, 'must be the numeric Merchant_ID')),
    /** «Секретное слово» (the SALT of every checkvalue). */
    secretWord: secretString,
    checkvalueMode: z.enum(CHECKVALUE_MODES).default('semicolon'),
    /**
     * Send `Checkvalue` with every payment request. On by default: harmless when the merchant has "check value" off,
     * required when it is on (an unsigned request is then refused).
     */
    signRequests: z.boolean().default(true),
    /** Web-service user (8–20 characters per DOC-BY); needed for orderstate, orderresult, charge, cancel and rp. */
    login: secretString.optional(),
    password: secretString.optional(),
    region: z.enum(ASSIST_REGIONS).default('RU'),
    /** Use the region's test host (unless `baseUrl` is set). Test mode is a property of the merchant on that host. */
    testMode: z.boolean().default(false),
    /** The merchant's own server (`https://payments148.paysecure.ru`), a test host, or the sandbox. */
    baseUrl: url.optional(),
    /** `OrderCurrency` when a payment does not say; defaults to RUB (RU) or BYN (BY). */
    currency: z.enum(ASSIST_CURRENCIES).optional(),
    /** Payment-page language when a payment does not say; absent = Assist's default. */
    language: z.enum(ASSIST_LANGUAGES).optional(),
    /**
     * Also send the undocumented `TestMode=1|0` hint that many CMS modules send (§1.1, §6). Off by default: the
     * official SDKs do not send it and its effect is unknown.
     */
    sendTestModeParam: z.boolean().default(false),
    /** Maximum OrderComment length: 4000 per current docs, 256 on older revisions (some servers may still enforce it). */
    orderCommentMaxLength: z.union([z.literal(4000), z.literal(256)]).default(4000),
    cancelEndpoint: z.enum(CANCEL_ENDPOINTS).default('cancel'),
    recurringPeriodField: z.enum(RECURRING_PERIOD_FIELDS).default('RecurringPeriod'),
    /**
     * Verify the `checkvalue` of every orderstate/orderresult order (§3.1). On by default; turn it off only if Assist
     * sends an empty checkvalue for this merchant, knowing the reply is then trusted on TLS alone.
     */
    verifyResponseCheckvalue: z.boolean().default(true),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.login === undefined) !== (c.password === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [c.login === undefined ? 'login' : 'password'],
        message: 'the web-service login and password go together',
      });
    }
  });

export type AssistConfigInput = z.input<typeof assistConfigSchema>;

export interface AssistConfig {
  readonly merchantId: string;
  readonly secretWord: Secret;
  readonly checkvalueMode: CheckvalueMode;
  readonly signRequests: boolean;
  readonly login?: Secret | undefined;
  readonly password?: Secret | undefined;
  readonly region: AssistRegion;
  readonly testMode: boolean;
  /** The resolved host every request goes to, without a trailing slash. */
  readonly baseUrl: string;
  readonly currency: AssistCurrency;
  readonly language?: AssistLanguage | undefined;
  readonly sendTestModeParam: boolean;
  readonly orderCommentMaxLength: 4000 | 256;
  readonly cancelEndpoint: CancelEndpoint;
  readonly recurringPeriodField: RecurringPeriodField;
  readonly verifyResponseCheckvalue: boolean;
}

/** Validates Assist settings once, naming every wrong or missing key in one error (never their values). */
export function createAssistConfig(input: unknown): AssistConfig {
  const parsed = assistConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ key: i.path.join('.') || '(root)', problem: i.message }));
    throw new KassaError(
      'CONFIG_INVALID',
      `Invalid Assist settings: ${issues.map((i) => `${i.key} (${i.problem})`).join('; ')}`,
      { details: { issues } },
    );
  }
  const c = parsed.data;
  const hosts = ASSIST_DEFAULT_HOSTS[c.region];
  return {
    merchantId: c.merchantId,
    secretWord: c.secretWord,
    checkvalueMode: c.checkvalueMode,
    signRequests: c.signRequests,
    login: c.login,
    password: c.password,
    region: c.region,
    testMode: c.testMode,
    baseUrl: c.baseUrl ?? (c.testMode ? hosts.test : hosts.live),
    currency: c.currency ?? (c.region === 'BY' ? 'BYN' : 'RUB'),
    language: c.language,
    sendTestModeParam: c.sendTestModeParam,
    orderCommentMaxLength: c.orderCommentMaxLength,
    cancelEndpoint: c.cancelEndpoint,
    recurringPeriodField: c.recurringPeriodField,
    verifyResponseCheckvalue: c.verifyResponseCheckvalue,
  };
}
