import { z } from 'zod';
import { assistMerchantSchema, assistRetryScheduleSchema } from './assist/config.js';
import { defaultCatalog } from './catalog.js';
import { faultsSchema } from './faults.js';
import { HASH_ALGORITHMS } from './hash.js';

/**
 * Every shape that crosses a boundary (options, the admin API, the CLI's config file, the persisted state) is
 * declared here once, with zod, so that bad input is refused with a list of what is wrong.
 */

const httpUrl = () => z.url({ protocol: /^https?$/ });
const httpMethod = z.enum(['GET', 'POST']);
export type HttpMethod = z.infer<typeof httpMethod>;

// Passwords are free text in the cabinet; they only have to be non-empty.
const secret = z.string().min(1).max(256);

const methodSchema = z.strictObject({
  label: z.string().min(1).max(100),
  alias: z.string().min(1).max(100),
  name: z.string().min(1).max(200),
  nameEn: z.string().min(1).max(200).optional(),
  minValue: z.number().nonnegative().optional(),
  maxValue: z.number().positive().optional(),
  commissionPercent: z.number().min(0).max(100).optional(),
});

const groupSchema = z.strictObject({
  code: z.string().min(1).max(100),
  description: z.string().min(1).max(200),
  descriptionEn: z.string().min(1).max(200).optional(),
  methods: z.array(methodSchema).min(1),
});

export { type FaultConfig, faultsSchema } from './faults.js';

const merchantShape = {
  /** The shop identifier («Идентификатор магазина»), not a cabinet login (§7.1). */
  login: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[^\s:/?#]+$/, 'no spaces, colons or URL delimiters'),
  shopName: z.string().min(1).max(200).optional(),
  /** An inactive shop can take test payments only; a real one gets error 25. */
  active: z.boolean().default(true),
  country: z.enum(['RU', 'KZ']).default('RU'),
  algorithm: z.enum(HASH_ALGORITHMS).default('md5'),
  password1: secret,
  password2: secret,
  /** Refund API key (§3.5). */
  password3: secret.optional(),
  testPassword1: secret.optional(),
  testPassword2: secret.optional(),
  resultUrl: httpUrl().optional(),
  resultMethod: httpMethod.default('POST'),
  successUrl: httpUrl().optional(),
  successMethod: httpMethod.default('GET'),
  failUrl: httpUrl().optional(),
  failMethod: httpMethod.default('GET'),
  /** The shop's commission, taken from OutSum: `Fee` in ResultURL, CalcOutSumm. */
  commissionPercent: z.number().min(0).max(100).default(0),
  catalog: z.array(groupSchema).min(1).default(defaultCatalog),
  allowRecurring: z.boolean().default(true),
  allowHolds: z.boolean().default(true),
  /**
   * `strict`: a Receipt that breaks a rule is error 30. `lenient`: the payment goes on with a warning, which is
   * what Robokassa reportedly does with a bad Receipt («просто игнорируется», §4.1).
   */
  receiptCheck: z.enum(['strict', 'lenient']).default('strict'),
  /** Where the "e-mail to the merchant" would go after five failed ResultURL attempts. */
  notifyEmail: z.email().optional(),
  faults: faultsSchema.optional(),
};

const bothTestPasswords = (m: { testPassword1?: string | undefined; testPassword2?: string | undefined }) =>
  (m.testPassword1 === undefined) === (m.testPassword2 === undefined);

export const merchantSchema = z
  .strictObject(merchantShape)
  .refine(bothTestPasswords, { message: 'give both test passwords or neither', path: ['testPassword2'] });
export const merchantPatchSchema = z.strictObject(merchantShape).omit({ login: true }).partial();

export type MerchantConfig = z.output<typeof merchantSchema>;
export type MerchantInput = z.input<typeof merchantSchema>;
export type MerchantPatch = z.input<typeof merchantPatchSchema>;

export const sandboxSettingsSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  /** 0 = a free port chosen by the OS. */
  port: z.number().int().min(0).max(65535).default(0),
  merchants: z.array(merchantSchema).default([]),
  /** A JSON file the state is kept in, so a demo survives a restart. */
  persistPath: z.string().min(1).optional(),
  /**
   * Waits before ResultURL attempts 2…5. Robokassa does not document its intervals (§2.1 "Retries"); a number
   * means the same wait every time, a list is used in order (its last value repeats).
   */
  retryBackoffMs: z
    .union([z.number().int().min(0), z.array(z.number().int().min(0)).min(1)])
    .default([1000, 2000, 4000, 8000]),
  /** How long one ResultURL / ResultUrl2 attempt may take before it counts as failed. */
  callbackTimeoutMs: z.number().int().positive().default(10_000),
  /**
   * When the buyer's browser is sent on to SuccessURL: after the first ResultURL attempt (the usual order in
   * real life), after the delivery is over (success or given up), or at once.
   */
  redirectWaitsFor: z.enum(['first-attempt', 'delivery', 'nothing']).default('first-attempt'),
  /**
   * `OutSum` on SuccessURL/FailURL: as the shop sent it («та самая, которую вы прислали», DOC-pay §2.3) or in
   * the 6-decimal format of ResultURL.
   */
  redirectOutSum: z.enum(['as-sent', 'six-decimals']).default('as-sent'),
  /** A hold not confirmed within this time is cancelled (7 days at Robokassa, §3.6). */
  holdTtlMs: z
    .number()
    .int()
    .positive()
    .default(7 * 24 * 60 * 60 * 1000),
  /** The longest a `reorder` fault keeps a notification back when no other one comes. */
  reorderMaxWaitMs: z.number().int().min(0).default(5_000),
  /** When set, the admin API wants `Authorization: Bearer <token>`. */
  adminToken: z.string().min(1).optional(),
  /** Assist merchants (README "Assist"); a config without them is a Robokassa-only sandbox, as before. */
  assistMerchants: z.array(assistMerchantSchema).default([]),
  /**
   * Waits before Assist notification attempts 2…8. Assist repeats «with increasing intervals during the four
   * hours but not more than 8 times» (assist.md §2.3); the default keeps that shape compressed to about two
   * minutes, `'four-hours'` spreads it over four hours, a number or a list works as for `retryBackoffMs`.
   */
  assistRetryBackoffMs: assistRetryScheduleSchema,
  /** An Assist hold (`Delay=1`) not charged within this time is cancelled: 4 days (assist.md §4.3). */
  assistHoldTtlMs: z
    .number()
    .int()
    .positive()
    .default(4 * 24 * 60 * 60 * 1000),
});
export type SandboxSettings = z.output<typeof sandboxSettingsSchema>;
export type SandboxSettingsInput = z.input<typeof sandboxSettingsSchema>;

/** A merchant as the admin API and logs show it: passwords replaced by `***`, never echoed. */
export type MerchantView = Omit<
  MerchantConfig,
  'password1' | 'password2' | 'password3' | 'testPassword1' | 'testPassword2'
> & {
  password1: '***';
  password2: '***';
  password3: '***' | null;
  testPassword1: '***' | null;
  testPassword2: '***' | null;
};

export function maskMerchant(m: MerchantConfig): MerchantView {
  const { password1, password2, password3, testPassword1, testPassword2, ...rest } = m;
  const mask = (v: string | undefined) => (v === undefined ? null : ('***' as const));
  return {
    ...rest,
    password1: '***',
    password2: '***',
    password3: mask(password3),
    testPassword1: mask(testPassword1),
    testPassword2: mask(testPassword2),
  };
}

/** The merchant as input again (for PATCH: merge, then validate the whole). */
export function merchantToInput(m: MerchantConfig): MerchantInput {
  return { ...m };
}
