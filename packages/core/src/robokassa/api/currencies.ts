import { z } from 'zod';
import type { RobokassaConfig } from '../config.js';
import { type ApiLanguage, languageSchema, parseInput } from './common.js';
import type { ApiCallOptions } from './http.js';
import { callXml, checkResult, emptyOr, resultSchema, validateReply } from './xml.js';

/** A decimal as Robokassa writes limits (`40000`, `10`, `0.01`): kept as a string, compared as a decimal. */
const decimalText = z.string().regex(/^\d+(\.\d+)?$/, 'a decimal such as 40000 or 10.50');

export interface PaymentCurrency {
  /** The value for `IncCurrLabel` in a payment request (e.g. `BankCardPSR`). */
  label: string;
  /** A stable, label-independent name (`BankCard`, `SBP`); absent in older replies. */
  alias?: string | undefined;
  /** Display name in the requested language. */
  name: string;
  /** Smallest amount this method accepts, a decimal string in the shop's currency. */
  minValue?: string | undefined;
  /** Largest amount this method accepts, a decimal string in the shop's currency. */
  maxValue?: string | undefined;
}

export interface PaymentCurrencyGroup {
  /** `BankCard`, `EMoney`, `Terminals`, `Mobile`, `Bank`, `Other`… */
  code: string;
  description: string;
  items: PaymentCurrency[];
}

const languageInput = z.object({ language: languageSchema.optional() });
export type LanguageInput = z.input<typeof languageInput>;

const currenciesReply = z.object({
  Result: resultSchema,
  Groups: emptyOr(
    z.object({
      Group: z
        .array(
          z.object({
            Code: z.string().min(1),
            Description: z.string().default(''),
            Items: emptyOr(
              z.object({
                Currency: z
                  .array(
                    z.object({
                      Label: z.string().min(1),
                      Alias: z.string().optional(),
                      Name: z.string().default(''),
                      MinValue: decimalText.optional(),
                      MaxValue: decimalText.optional(),
                    }),
                  )
                  .optional(),
              }),
            ),
          }),
        )
        .optional(),
    }),
  ),
});

function language(config: RobokassaConfig, input: LanguageInput, endpoint: string): ApiLanguage {
  return parseInput(endpoint, languageInput, input).language ?? config.culture ?? 'ru';
}

/**
 * GetCurrencies (§3.2): the methods enabled for this shop, grouped, with per-method amount limits. Unsigned:
 * `MerchantLogin` and `Language` only. Use it through the cached catalog (`createMethodCatalog`) on checkout paths.
 */
export async function getCurrencies(
  config: RobokassaConfig,
  input: LanguageInput = {},
  options: ApiCallOptions = {},
): Promise<PaymentCurrencyGroup[]> {
  const endpoint = 'GetCurrencies';
  const { element, text } = await callXml(
    config,
    {
      endpoint,
      method: 'GetCurrencies',
      params: [
        ['MerchantLogin', config.login],
        ['Language', language(config, input, endpoint)],
      ],
      root: 'CurrenciesList',
    },
    options,
  );
  const reply = validateReply(endpoint, currenciesReply, element, text);
  checkResult(endpoint, reply.Result);
  return (
    (reply.Groups || undefined)?.Group?.map((g) => ({
      code: g.Code,
      description: g.Description,
      items:
        (g.Items || undefined)?.Currency?.map((c) => ({
          label: c.Label,
          alias: c.Alias || undefined,
          name: c.Name,
          minValue: c.MinValue,
          maxValue: c.MaxValue,
        })) ?? [],
    })) ?? []
  );
}

export interface PaymentMethodInfo {
  code: string;
  description: string;
}

const methodsReply = z.object({
  Result: resultSchema,
  Methods: emptyOr(
    z.object({
      Method: z.array(z.object({ Code: z.string().min(1), Description: z.string().default('') })).optional(),
    }),
  ),
});

/** GetPaymentMethods (§3.3): the method groups (`BankCard`, `SBP`…) without labels or limits. Unsigned. */
export async function getPaymentMethods(
  config: RobokassaConfig,
  input: LanguageInput = {},
  options: ApiCallOptions = {},
): Promise<PaymentMethodInfo[]> {
  const endpoint = 'GetPaymentMethods';
  const { element, text } = await callXml(
    config,
    {
      endpoint,
      method: 'GetPaymentMethods',
      params: [
        ['MerchantLogin', config.login],
        ['Language', language(config, input, endpoint)],
      ],
      root: 'PaymentMethodsList',
    },
    options,
  );
  const reply = validateReply(endpoint, methodsReply, element, text);
  checkResult(endpoint, reply.Result);
  return (reply.Methods || undefined)?.Method?.map((m) => ({ code: m.Code, description: m.Description })) ?? [];
}
