import { z } from 'zod';
import { faultsSchema } from '../faults.js';

/**
 * An Assist merchant as the sandbox plays it: what Assist's personal account («личный кабинет») would hold for it
 * (assist.md §11 "Config per merchant"). Declared once with zod, like the Robokassa merchant.
 */

const httpUrl = () => z.url({ protocol: /^https?$/ }).max(256);
const secret = z.string().min(1).max(256);

/** The payment methods the sandbox's Assist page can offer, and the order.cfm flag that allows or denies each. */
export const ASSIST_METHODS = ['card', 'sbp', 'ym', 'wm', 'qiwi'] as const;
export type AssistMethod = (typeof ASSIST_METHODS)[number];
export const METHOD_FLAGS: Record<AssistMethod, string> = {
  card: 'CardPayment',
  // SBP is «FastPayPayment», not "SBPPayment" (assist.md §1.1).
  sbp: 'FastPayPayment',
  ym: 'YMPayment',
  wm: 'WMPayment',
  qiwi: 'QIWIPayment',
};

const merchantShape = {
  /** `Merchant_ID`: a number given by Assist. */
  merchantId: z.string().regex(/^\d{1,12}$/, 'digits only'),
  name: z.string().min(1).max(200).optional(),
  /** The secret word («секретное слово», the SALT of every checkvalue, §1.2). */
  secretWord: secret,
  /** `;`-joined request string (current) or the legacy one without delimiters (§1.2, a per-merchant setting). */
  checkvalueMode: z.enum(['semicolon', 'concat']).default('semicolon'),
  /** «Required when "check value" is enabled for the merchant» (§1.1); the sandbox enables it by default. */
  requireCheckvalue: z.boolean().default(true),
  /** The web-service user: «8-20 characters, Latin letters, digits and _» (§3.0). */
  login: z.string().regex(/^\w{8,20}$/, '8-20 Latin letters, digits or _'),
  password: secret,
  /** Where the result notification is POSTed («Настройка отправки результатов платежей», §2.1). */
  notifyUrl: httpUrl().optional(),
  /** «send only successful payments» (§2.1): Approved and Delayed only. */
  notifyOnlySuccess: z.boolean().default(false),
  /**
   * `strict`: a reply counts only when it echoes the notification's billnumber and packetdate; `lenient`:
   * `firstcode="0"` is enough. No source says whether Assist checks the echo (§12).
   */
  notifyReplyCheck: z.enum(['strict', 'lenient']).default('strict'),
  /** "Go to the shop's page" (§2.4): without it the buyer stays on Assist's result page. */
  returnEnabled: z.boolean().default(true),
  /** The personal account's return URLs, used when the request names none. */
  returnUrl: httpUrl().optional(),
  returnUrlOk: httpUrl().optional(),
  returnUrlNo: httpUrl().optional(),
  /** Accepted `OrderCurrency` values; the first is the default when none is sent. */
  currencies: z
    .array(z.string().regex(/^[A-Z]{3}$/))
    .min(1)
    .default(['RUB']),
  methods: z.array(z.enum(ASSIST_METHODS)).min(1).default(['card', 'sbp', 'ym', 'wm']),
  /** `Delay=1` «must be enabled by Assist support first» (§1.1). */
  delayAllowed: z.boolean().default(true),
  /**
   * A partial charge of a hold: `partial-delayed` ends in PartialDelayed (§11), `approved` in Approved for the
   * charged sum, `forbidden` is refused (partial confirmation depends on the processing, §3.3).
   */
  partialCharge: z.enum(['partial-delayed', 'approved', 'forbidden']).default('partial-delayed'),
  /** Card numbers that are declined, with their responsecode (§6: the card number chooses the outcome). */
  declineCards: z
    .record(z.string().regex(/^\d{12,19}$/), z.string().regex(/^AS\d{3}$/))
    .default({ '4000000000000002': 'AS100', '4000000000009995': 'AS102' }),
  /** A merchant on the test server: `testmode=1`, `processingname=Fake` (§6). */
  testMode: z.boolean().default(true),
  faults: faultsSchema.optional(),
};

export const assistMerchantSchema = z.strictObject(merchantShape);
export const assistMerchantPatchSchema = z.strictObject(merchantShape).omit({ merchantId: true }).partial();
export type AssistMerchantConfig = z.output<typeof assistMerchantSchema>;
export type AssistMerchantInput = z.input<typeof assistMerchantSchema>;
export type AssistMerchantPatch = z.input<typeof assistMerchantPatchSchema>;

/** 5 + 10 + 15 + 25 + 40 + 60 + 85 minutes = four hours, eight attempts (§2.3). */
export const FOUR_HOURS_SCHEDULE = [5, 10, 15, 25, 40, 60, 85].map((minutes) => minutes * 60_000);

export const assistRetryScheduleSchema = z
  .union([z.literal('four-hours'), z.number().int().min(0), z.array(z.number().int().min(0)).min(1)])
  .default([1000, 2000, 4000, 8000, 16_000, 32_000, 64_000]);

export type AssistMerchantView = Omit<AssistMerchantConfig, 'secretWord' | 'password'> & {
  secretWord: '***';
  password: '***';
};

/** Secrets are never shown: the secret word and the web-service password come back as `***`. */
export function maskAssistMerchant(m: AssistMerchantConfig): AssistMerchantView {
  return { ...m, secretWord: '***', password: '***' };
}
