import { z } from 'zod';
import { kassaErrorFromZod } from '../../errors.js';
import type { CurrencyCode } from '../../money.js';
import type { RobokassaConfig } from '../config.js';

/**
 * The currency Robokassa reports sums in when the reply does not say (`OutCurrLabel` is `BNR`, a bank transfer
 * label, not a currency): the shop's own, RUB for robokassa.ru shops and KZT for robokassa.kz shops.
 */
export function shopCurrency(config: RobokassaConfig): CurrencyCode {
  return config.country === 'KZ' ? 'KZT' : 'RUB';
}

/** Languages the web service answers in (DOC-xml: `ru` | `en`). */
export const languageSchema = z.enum(['ru', 'en']);
export type ApiLanguage = z.infer<typeof languageSchema>;

export const invIdSchema = z
  .number()
  .int()
  .min(1)
  .max(2 ** 31 - 1);

/** Validates caller input at the boundary; the message names fields, never values (they may be secrets). */
export function parseInput<T extends z.ZodType>(endpoint: string, schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw kassaErrorFromZod('API_INPUT_INVALID', `Invalid ${endpoint} input`, parsed.error, {
      details: { endpoint },
      pathKey: 'key',
      issueCodes: false,
    });
  }
  return parsed.data as z.output<T>;
}

/** A Money value as given by callers: `{ currency, minor: bigint }`. */
export const moneySchema = z.object({
  currency: z.enum(['RUB', 'KZT', 'USD', 'EUR']),
  minor: z.bigint(),
});
