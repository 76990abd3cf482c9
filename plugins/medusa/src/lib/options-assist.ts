import { type AssistConfig, assistConfigSchema, createAssistConfig } from '@kassa/core/assist';
import { z } from 'zod';
import { parseGatewayOptions, settlingFields } from './options-parse';

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
    ...settlingFields,
  })
  .strict();

export type AssistMedusaSettings = z.output<typeof medusaSchema>;
export type AssistPluginOptionsInput = z.input<typeof assistConfigSchema> & z.input<typeof medusaSchema>;

export interface AssistPluginOptions {
  readonly assist: AssistConfig;
  readonly medusa: AssistMedusaSettings;
}

/** Validates the Assist provider's options (at boot, and wherever the routes read them), naming every bad key. */
export function parseAssistOptions(input: unknown): AssistPluginOptions {
  const { coreInput, core, medusa } = parseGatewayOptions(
    {
      gateway: 'Assist',
      coreKeys: CORE_KEYS,
      ignoredKeys: MEDUSA_INJECTED_KEYS,
      coreSchema: assistConfigSchema,
      medusaSchema,
      // Without the web-service user nothing can be confirmed: the return is unsigned, holds cannot be charged,
      // refunds cannot be sent and the reconcile job cannot ask. Required here, although core allows it absent.
      check: (parsed) =>
        parsed.login === undefined
          ? [
              { key: 'login', problem: 'required: the web-service login (orderstate, charge, cancel)' },
              { key: 'password', problem: 'required: the web-service password' },
            ]
          : [],
    },
    input,
  );
  const baseUrl = core.testMode && medusa.testBaseUrl ? medusa.testBaseUrl : coreInput.baseUrl;
  return { assist: createAssistConfig({ ...coreInput, ...(baseUrl ? { baseUrl } : {}) }), medusa };
}
