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

/** The payment page's language, as a storefront may choose it; anything else is ignored rather than trusted. */
export const cultureChoice = z.enum(['ru', 'en']).optional().catch(undefined);
