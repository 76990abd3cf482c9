/**
 * What the providers of every gateway share about a payment session: reading its data, the storefront's choice,
 * the common part of the gateway request, and the signed redirect they give the browser.
 */
import type { Money, PaymentRecord, PaymentRedirect } from '@kassa/core';
import { MedusaError } from '@medusajs/framework/utils';
import { z } from 'zod';

/**
 * Reads one provider's session data (`payment_session.data` / `payment.data`): what does not fit is a payment of
 * another provider — Medusa's INVALID_DATA with `message`, or undefined when the caller asks `{ optional: true }`.
 */
export interface SessionParser<T> {
  (data: unknown): T;
  (data: unknown, options: { optional: true }): T | undefined;
}

export function sessionParser<S extends z.ZodType>(schema: S, message: string): SessionParser<z.output<S>> {
  function parse(data: unknown): z.output<S>;
  function parse(data: unknown, options: { optional: true }): z.output<S> | undefined;
  function parse(data: unknown, options: { optional?: boolean } = {}): z.output<S> | undefined {
    const parsed = schema.safeParse(data);
    if (parsed.success) return parsed.data;
    if (options.optional) return undefined;
    throw new MedusaError(MedusaError.Types.INVALID_DATA, message);
  }
  return parse;
}

const culture = z.enum(['ru', 'en']).optional().catch(undefined);

/** What a storefront chose for the gateway's page. */
export interface StorefrontChoice {
  method?: string;
  language?: 'ru' | 'en';
}

/**
 * The only things a storefront may choose (the `data` it creates the session with): the payment method, under the
 * gateway's own key (`inc_curr_label`, `method`) and as its `method` schema allows, and the page language (`culture`).
 * Amount, currency, receipt and everything else come from the server; anything malformed is ignored, not trusted.
 */
export function storefrontChoice(
  input: Record<string, unknown>,
  methodKey: string,
  method: z.ZodType<string | undefined>,
): StorefrontChoice {
  const chosenMethod = method.optional().catch(undefined).parse(input[methodKey]);
  const language = culture.parse(input.culture);
  return { ...(chosenMethod ? { method: chosenMethod } : {}), ...(language ? { language } : {}) };
}

/**
 * The part of a gateway request every provider builds the same way: the session and its amount, the merchant's
 * description and hold setting, and what the storefront chose (the rest — receipt, e-mail, URLs — is the gateway's).
 */
export function baseRequest(
  input: { reference: string; amount: Money; isTest: boolean; data: Record<string, unknown> | undefined },
  medusa: { description: string; hold: boolean },
  choose: (data: Record<string, unknown>) => StorefrontChoice,
) {
  const choice = choose(input.data ?? {});
  const { reference, amount, isTest } = input;
  return { reference, amount, isTest, description: medusa.description, hold: medusa.hold, ...choice };
}

/**
 * What every provider's session data carries besides its invoice id and amount. The Store API returns it to the
 * browser, so it holds nothing secret: the signed redirect (a signature or checkvalue is not a password).
 */
export interface RedirectSessionData {
  session_id: string;
  currency: string;
  is_test: boolean;
  hold: boolean;
  state: string;
  /** GET link to the gateway's payment page. */
  redirect_url: string;
  /** The same request as a POST form (preferred with long requests: URLs have length limits). */
  form: { action: string; method: 'POST'; fields: Array<{ name: string; value: string }> };
}

/** The session data of a freshly signed redirect, for the session `reference`. */
export function redirectSessionData(
  { record, redirect }: { record: PaymentRecord; redirect: PaymentRedirect },
  reference: string,
  hold: boolean,
): RedirectSessionData {
  return {
    session_id: reference,
    currency: record.amount.currency,
    is_test: record.isTest,
    hold,
    state: record.state,
    redirect_url: redirect.url,
    form: { action: redirect.form.action, method: redirect.form.method, fields: [...redirect.form.fields] },
  };
}
