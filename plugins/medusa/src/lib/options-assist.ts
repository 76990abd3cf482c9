import { KassaError } from '@kassa/core';
import { type AssistConfig, assistConfigSchema, createAssistConfig } from '@kassa/core/assist';
import { z } from 'zod';

/**
 * The Assist provider's options, in one place and validated by one call: Assist's own settings (core's schema: the
 * Merchant_ID, the secret word, the web-service user as `Secret`s, the checkvalue mode, region, host, currency) plus
 * what is specific to Medusa. Every wrong or missing key is named in a single CONFIG_INVALID, never a value.
 */

/** Keys owned by core's Assist schema; the rest belong to the Medusa schema below. */
const CORE_KEYS = Object.keys(assistConfigSchema.shape);

/** Keys Medusa itself adds to provider and module options (the module's database settings): not the merchant's. */
const MEDUSA_INJECTED_KEYS = ['database'];

const url = z.url().transform((v) => v.replace(/\/+$/, ''));

const medusaSchema = z
  .object({
    /**
     * Two-stage payments (Assist `Delay=1`, agreed with Assist): the money is held, Medusa's capture charges it
     * (whole or a part), cancel voids it. Default false: payments are taken at once.
     */
    hold: z.boolean().default(false),
    /**
     * The test host when `testMode` is on (default: the region's documented test host). `baseUrl` stays the live
     * host, so switching `testMode` is the only change between the two.
     */
    testBaseUrl: url.optional(),
    /** Where the buyer lands after the return has been confirmed; `{cart_id}`, `{order_id}`, `{inv_id}` are filled in. */
    storefront: z
      .object({ successUrl: z.string().min(1), failUrl: z.string().min(1) })
      .strict()
      .optional(),
    /** `OrderComment` shown on Assist's payment page. */
    description: z.string().min(1).max(255).default('Оплата заказа'),
    /**
     * This Medusa server as Assist and the buyer reach it. When set, every payment names the return URLs
     * (`URL_RETURN_OK` / `URL_RETURN_NO`) itself; the admin shows the URLs to paste from it.
     */
    backendUrl: url.optional(),
    /** Payments still pending after this many minutes are checked with `orderstate` by the reconcile job. */
    reconcileAfterMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(10),
    /**
     * How long a notification waits for Medusa to complete the order before the gateway gets its answer (ms). The
     * payment is already recorded durably when the wait starts; past it the gateway is answered and the settle outbox
     * finishes the order in the background (and the reconcile job after a crash), so a slow cart completion never
     * makes the gateway wait or retry. 0 answers at once.
     */
    settleWaitMs: z.number().int().min(0).max(60_000).default(1000),
    /** Pending payments Assist still does not know after this many hours are marked failed. */
    expireAfterHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(48),
  })
  .strict();

export type AssistMedusaSettings = z.output<typeof medusaSchema>;
export type AssistPluginOptionsInput = z.input<typeof assistConfigSchema> & z.input<typeof medusaSchema>;

export interface AssistPluginOptions {
  readonly assist: AssistConfig;
  readonly medusa: AssistMedusaSettings;
}

interface Issue {
  key: string;
  problem: string;
}

/** One entry per offending key: zod reports unknown keys as one issue on their parent, so it is split here. */
function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.flatMap((i) => {
    const at = i.path.map(String);
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((key) => ({ key: [...at, key].join('.'), problem: 'unknown key' }));
    }
    return [{ key: at.join('.') || '(root)', problem: i.message }];
  });
}

/** Validates the Assist provider's options (at boot, and wherever the routes read them), naming every bad key. */
export function parseAssistOptions(input: unknown): AssistPluginOptions {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new KassaError('CONFIG_INVALID', 'Assist options must be an object (see @kassa/medusa README)', {
      details: { issues: [{ key: '(root)', problem: 'not an object' }] },
    });
  }
  const core: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (MEDUSA_INJECTED_KEYS.includes(key)) continue;
    if (CORE_KEYS.includes(key)) core[key] = value;
    else rest[key] = value;
  }
  const issues: Issue[] = [];
  const coreParsed = assistConfigSchema.safeParse(core);
  if (!coreParsed.success) issues.push(...issuesOf(coreParsed.error));
  const medusaParsed = medusaSchema.safeParse(rest);
  if (!medusaParsed.success) issues.push(...issuesOf(medusaParsed.error));
  if (coreParsed.success && medusaParsed.success) {
    // Without the web-service user nothing can be confirmed: the return is unsigned, holds cannot be charged,
    // refunds cannot be sent and the reconcile job cannot ask. Required here, although core allows it absent.
    if (coreParsed.data.login === undefined) {
      issues.push({ key: 'login', problem: 'required: the web-service login (orderstate, charge, cancel)' });
      issues.push({ key: 'password', problem: 'required: the web-service password' });
    }
  }
  if (issues.length > 0 || !medusaParsed.success) {
    throw new KassaError(
      'CONFIG_INVALID',
      `Invalid Assist options: ${[...new Set(issues.map((i) => `${i.key} (${i.problem})`))].join('; ')}`,
      { details: { issues } },
    );
  }
  const medusa = medusaParsed.data;
  const baseUrl = coreParsed.data?.testMode && medusa.testBaseUrl ? medusa.testBaseUrl : core.baseUrl;
  return { assist: createAssistConfig({ ...core, ...(baseUrl ? { baseUrl } : {}) }), medusa };
}
