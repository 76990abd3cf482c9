import { z } from 'zod';
import { formatMoney, type Money, parseGatewayMoney } from '../../money.js';
import type { RobokassaConfig } from '../config.js';
import { moneySchema, parseInput } from './common.js';
import type { ApiCallOptions } from './http.js';
import { badResponse } from './http.js';
import { callXml, checkResult, resultSchema, validateReply } from './xml.js';

const calcInput = z.object({
  /** A `label` from GetCurrencies (e.g. `BankCardPSR`). */
  incCurrLabel: z.string().min(1).max(100),
  /** What the buyer pays. */
  incSum: moneySchema,
});
export type CalcOutSummInput = z.input<typeof calcInput>;

const calcReply = z.object({ Result: resultSchema, OutSum: z.string().optional() });

/**
 * CalcOutSumm (§3.4): how much reaches the shop when the buyer pays `incSum` with `incCurrLabel`. Unsigned, as every
 * real-world caller sends it. The reply's `OutSum` (`93.200000`) is returned in the currency of `incSum`; a reply with
 * sub-kopeck digits is reported as GATEWAY_BAD_RESPONSE rather than rounded.
 */
export async function calcOutSumm(
  config: RobokassaConfig,
  input: CalcOutSummInput,
  options: ApiCallOptions = {},
): Promise<Money> {
  const endpoint = 'CalcOutSumm';
  const { incCurrLabel, incSum } = parseInput(endpoint, calcInput, input);
  const { element, text } = await callXml(
    config,
    {
      endpoint,
      method: 'CalcOutSumm',
      params: [
        ['MerchantLogin', config.login],
        ['IncCurrLabel', incCurrLabel],
        ['IncSum', formatMoney(incSum)],
      ],
      root: 'CalcSummsResponseData',
    },
    options,
  );
  const reply = validateReply(endpoint, calcReply, element, text);
  checkResult(endpoint, reply.Result);
  if (reply.OutSum === undefined) throw badResponse(endpoint, 'result code 0 without <OutSum>', { body: text });
  try {
    return parseGatewayMoney(reply.OutSum, incSum.currency, { allowZero: true });
  } catch (cause) {
    throw badResponse(endpoint, 'OutSum is not an amount in whole minor units', { body: text, cause });
  }
}
