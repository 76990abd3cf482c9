/**
 * A shop's gateway settings (what the merchant types on the settings page) → a core `Gateway`. The app only ever
 * talks to the port; which protocol sits behind it is this file's business alone.
 */
import type { Gateway } from '@kassa/core';
import { AssistGateway, createAssistConfig } from '@kassa/core/assist';
import { createRobokassaConfig, HASH_ALGORITHMS, RobokassaGateway } from '@kassa/core/robokassa';
import { z } from 'zod';

const optionalText = z
  .string()
  .trim()
  .max(200)
  .optional()
  .transform((v) => (v === '' ? undefined : v));

export const robokassaSettingsSchema = z
  .object({
    gateway: z.literal('robokassa'),
    login: z.string().trim().min(1).max(100),
    password1: z.string().min(1).max(200),
    password2: z.string().min(1).max(200),
    testPassword1: optionalText,
    testPassword2: optionalText,
    password3: optionalText,
    algorithm: z.enum(HASH_ALGORITHMS).default('md5'),
    country: z.enum(['RU', 'KZ']).default('RU'),
    baseUrl: z.string().url().optional(),
    /**
     * Robokassa's ResultUrl2 certificate (jwtsign.cer, PEM). Public, not a secret. With it the app names its hold
     * route in every live authorization, so a hold resolves the session as soon as Robokassa announces it.
     */
    resultUrl2Certificate: z
      .string()
      .trim()
      .max(20_000)
      .optional()
      .transform((v) => (v === '' ? undefined : v)),
  })
  .strict();

export const assistSettingsSchema = z
  .object({
    gateway: z.literal('assist'),
    merchantId: z
      .string()
      .trim()
      .regex(/^\d{1,20}$/),
    secretWord: z.string().min(1).max(200),
    login: optionalText,
    password: optionalText,
    region: z.enum(['RU', 'BY']).default('RU'),
    currency: z.enum(['RUB', 'USD', 'EUR', 'BYN', 'KZT']).optional(),
    testMode: z.boolean().default(false),
    baseUrl: z.string().url().optional(),
  })
  .strict();

export const gatewaySettingsSchema = z.discriminatedUnion('gateway', [robokassaSettingsSchema, assistSettingsSchema]);
export type GatewaySettings = z.output<typeof gatewaySettingsSchema>;

/** The secret keys of each gateway's settings: masked on the page, kept when the merchant leaves them empty. */
export const SECRET_KEYS: Record<GatewaySettings['gateway'], readonly string[]> = {
  robokassa: ['password1', 'password2', 'testPassword1', 'testPassword2', 'password3'],
  assist: ['secretWord', 'password'],
};

export function createGateway(settings: GatewaySettings): Gateway {
  if (settings.gateway === 'robokassa') {
    const { gateway: _g, resultUrl2Certificate, ...rest } = settings;
    return new RobokassaGateway(createRobokassaConfig(stripUndefined(rest)), { resultUrl2Certificate });
  }
  const { gateway: _g, ...rest } = settings;
  return new AssistGateway(createAssistConfig(stripUndefined(rest)));
}

/** What Shopify shows next to the provider (`externalHandle`): the merchant's account id, never a secret. */
export function externalHandle(settings: GatewaySettings): string {
  return settings.gateway === 'robokassa' ? `robokassa:${settings.login}` : `assist:${settings.merchantId}`;
}

/** Where the gateway announces holds on a channel of its own, when the shop's settings make it verifiable. */
export function holdChannel(settings: GatewaySettings): boolean {
  return settings.gateway === 'robokassa' && settings.resultUrl2Certificate !== undefined;
}

function stripUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
