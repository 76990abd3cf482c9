/**
 * What Shopify sends (shopify-payments-app.md §1.2, §1.6), validated at the boundary. Lenient about unknown keys
 * (Shopify adds fields between versions: `transaction_metadata`, `localized_fields`…), strict about the ones we use.
 */
import { z } from 'zod';

export const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
const decimal = z.string().regex(/^\d{1,12}(\.\d{1,6})?$/, 'a decimal string with a dot');
const sessionId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);

export const sessionHeadersSchema = z.object({
  'shopify-shop-domain': z.string().regex(SHOP_DOMAIN),
  'shopify-request-id': z.string().min(1).max(128),
  'shopify-api-version': z.string().regex(/^(\d{4}-\d{2}|unstable)$/),
});

const address = z
  .object({
    given_name: z.string().nullish(),
    family_name: z.string().nullish(),
    line1: z.string().nullish(),
    line2: z.string().nullish(),
    city: z.string().nullish(),
    postal_code: z.string().nullish(),
    province: z.string().nullish(),
    province_code: z.string().nullish(),
    country_code: z.string().nullish(),
    phone_number: z.string().nullish(),
    company: z.string().nullish(),
  })
  .passthrough();

export const paymentSessionSchema = z
  .object({
    id: sessionId,
    gid: z.string().regex(/^gid:\/\/shopify\/PaymentSession\/[A-Za-z0-9_-]+$/),
    group: z.string().max(256).optional(),
    session_id: z.string().max(256).optional(),
    amount: decimal,
    currency: z.string().regex(/^[A-Z]{3}$/),
    test: z.boolean(),
    merchant_locale: z.string().max(35).optional(),
    payment_method: z.object({
      type: z.literal('offsite'),
      data: z.object({ cancel_url: z.string().url() }).passthrough(),
    }),
    proposed_at: z.string().max(64),
    kind: z.enum(['sale', 'authorization']),
    customer: z
      .object({
        email: z.string().nullish(),
        phone_number: z.string().nullish(),
        locale: z.string().nullish(),
        billing_address: address.nullish(),
        shipping_address: address.nullish(),
      })
      .passthrough()
      .nullish(),
  })
  .passthrough();
export type PaymentSessionRequest = z.infer<typeof paymentSessionSchema>;

const operationBase = {
  id: sessionId,
  payment_id: sessionId,
  test: z.boolean().optional(),
  merchant_locale: z.string().max(35).optional(),
  proposed_at: z.string().max(64),
};

export const refundSessionSchema = z
  .object({
    ...operationBase,
    gid: z.string().regex(/^gid:\/\/shopify\/RefundSession\/[A-Za-z0-9_-]+$/),
    amount: decimal,
    currency: z.string().regex(/^[A-Z]{3}$/),
  })
  .passthrough();
export const captureSessionSchema = z
  .object({
    ...operationBase,
    gid: z.string().regex(/^gid:\/\/shopify\/CaptureSession\/[A-Za-z0-9_-]+$/),
    amount: decimal,
    currency: z.string().regex(/^[A-Z]{3}$/),
  })
  .passthrough();
export const voidSessionSchema = z
  .object({ ...operationBase, gid: z.string().regex(/^gid:\/\/shopify\/VoidSession\/[A-Za-z0-9_-]+$/) })
  .passthrough();

export type OperationKind = 'refund' | 'capture' | 'void';
export const OPERATION_SCHEMAS = {
  refund: refundSessionSchema,
  capture: captureSessionSchema,
  void: voidSessionSchema,
} as const;
