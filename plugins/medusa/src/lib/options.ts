import {
  createRobokassaConfig,
  RECEIPT_PAYMENT_METHODS,
  RECEIPT_PAYMENT_OBJECTS,
  RECEIPT_SNO_VALUES,
  RECEIPT_TAXES,
  type RobokassaConfig,
  resultUrl2PublicKey,
  robokassaConfigSchema,
} from '@kassa/core/robokassa';
import { z } from 'zod';
import { type OptionIssue, parseGatewayOptions, settlingFields } from './options-parse';

/**
 * Everything a merchant configures, in one place: Robokassa's own settings (validated by core's schema) plus what is
 * specific to Medusa. One call validates both and names every wrong or missing key in a single error, never a value.
 */

/** Keys owned by core's merchant schema; the rest belong to the Medusa schema below. */
const CORE_KEYS = [
  'login',
  'password1',
  'password2',
  'testPassword1',
  'testPassword2',
  'password3',
  'algorithm',
  'testMode',
  'country',
  'culture',
  'baseUrl',
  'baseUrls',
] as const;

/**
 * Keys that are not Robokassa's: Medusa adds `database` to module and provider options; `assist` holds the Assist
 * options of the plugin entry (lib/options-assist.ts).
 */
const MEDUSA_INJECTED_KEYS = ['database', 'assist'] as const;

const ALL_TAXES = [...new Set([...RECEIPT_TAXES.RU, ...RECEIPT_TAXES.KZ])] as [string, ...string[]];

const url = z.url().transform((v) => v.replace(/\/+$/, ''));

const receiptSchema = z
  .object({
    /** Tax system; omit when the cabinet has exactly one. */
    sno: z.enum(RECEIPT_SNO_VALUES).optional(),
    /** VAT of product lines. */
    tax: z.enum(ALL_TAXES).default('none'),
    /** VAT of shipping lines; defaults to `tax`. */
    shippingTax: z.enum(ALL_TAXES).optional(),
    paymentMethod: z.enum(RECEIPT_PAYMENT_METHODS).default('full_payment'),
    paymentObject: z.enum(RECEIPT_PAYMENT_OBJECTS).default('commodity'),
    shippingPaymentObject: z.enum(RECEIPT_PAYMENT_OBJECTS).default('service'),
  })
  .strict();

const medusaSchema = z
  .object({
    /**
     * Two-stage payments (Robokassa `StepByStep`, cards only, agreed with Robokassa): the money is held and Medusa's
     * capture confirms it, cancel releases it. Default false: payments are captured at once.
     */
    hold: z.boolean().default(false),
    /** 54-FZ receipt settings. When present, every payment carries a receipt built from the cart on the server. */
    receipt: receiptSchema.optional(),
    /** Where the buyer lands after paying / declining; `{cart_id}` and `{order_id}` are filled in. */
    storefront: z
      .object({
        successUrl: z.string().min(1),
        failUrl: z.string().min(1),
      })
      .strict()
      .optional(),
    /** Shown on Robokassa's payment page. */
    description: z.string().min(1).max(100).default('Оплата заказа'),
    /** This Medusa server as Robokassa reaches it (for the URLs shown in the admin). Default: the request's host. */
    backendUrl: url.optional(),
    /**
     * Robokassa's ResultUrl2 certificate (`jwtsign.cer`, PEM). When set (and not in test mode, where Robokassa sends
     * no ResultUrl2), every payment names `{backendUrl}/robokassa/result2`, so a hold gets its order as soon as
     * Robokassa reports it, even when the buyer never returns. Needs `backendUrl`. Without it holds rely on
     * SuccessURL and the reconcile job.
     */
    resultUrl2Certificate: z.string().min(1).optional(),
    ...settlingFields,
  })
  .strict();

export type ReceiptSettings = z.output<typeof receiptSchema>;
export type MedusaSettings = z.output<typeof medusaSchema>;
export type RobokassaPluginOptionsInput = z.input<typeof robokassaConfigSchema> & z.input<typeof medusaSchema>;

export interface RobokassaPluginOptions {
  readonly robokassa: RobokassaConfig;
  readonly medusa: MedusaSettings;
}

/** Validates the plugin's options once (at boot, and again wherever they are read), naming every bad key. */
export function parsePluginOptions(input: unknown): RobokassaPluginOptions {
  const { coreInput, medusa } = parseGatewayOptions(
    {
      gateway: 'Robokassa',
      coreKeys: CORE_KEYS,
      ignoredKeys: MEDUSA_INJECTED_KEYS,
      coreSchema: robokassaConfigSchema,
      medusaSchema,
      check: crossChecks,
    },
    input,
  );
  return { robokassa: createRobokassaConfig(coreInput), medusa };
}

/** Rules across Robokassa's settings and Medusa's: the country's VAT codes, ResultUrl2's needs, holds. */
function crossChecks(core: z.output<typeof robokassaConfigSchema>, medusa: MedusaSettings): OptionIssue[] {
  const issues: OptionIssue[] = [];
  const country = core.country;
  const receipt = medusa.receipt;
  const allowed = RECEIPT_TAXES[country] as readonly string[];
  if (receipt && !allowed.includes(receipt.tax)) {
    issues.push({ key: 'receipt.tax', problem: `not a ${country} VAT code (${allowed.join(', ')})` });
  }
  if (receipt?.shippingTax && !allowed.includes(receipt.shippingTax)) {
    issues.push({ key: 'receipt.shippingTax', problem: `not a ${country} VAT code (${allowed.join(', ')})` });
  }
  if (receipt?.sno && country === 'KZ') {
    issues.push({ key: 'receipt.sno', problem: 'Kazakhstan receipts carry no sno' });
  }
  if (medusa.resultUrl2Certificate !== undefined) {
    try {
      resultUrl2PublicKey(medusa.resultUrl2Certificate);
    } catch {
      issues.push({ key: 'resultUrl2Certificate', problem: 'not a PEM X.509 certificate or RSA public key' });
    }
    if (!medusa.backendUrl) {
      // The provider builds the ResultUrl2 it sends with each payment without a request to take a host from.
      issues.push({ key: 'backendUrl', problem: 'required with resultUrl2Certificate (the public ResultUrl2 base)' });
    }
  }
  if (medusa.hold && core.testMode) {
    // Robokassa does not run holds in test mode (protocol §3.6, §5.1): say so at boot, not at the first capture.
    issues.push({ key: 'hold', problem: 'Robokassa does not support holds (StepByStep) in test mode' });
  }
  return issues;
}
