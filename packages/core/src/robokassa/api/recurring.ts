import { z } from 'zod';
import { KassaError } from '../../errors.js';
import { hashHex } from '../../hash.js';
import { formatMoney } from '../../money.js';
import { passwordsFor, type RobokassaConfig } from '../config.js';
import { normalizeShp } from '../shp.js';
import { invIdSchema, moneySchema, parseInput } from './common.js';
import { receiptParamSchema, signedReceipt } from './hold.js';
import { type ApiCallOptions, excerpt, expectOk, formEncode, type GatewayRequest, sendRequest } from './http.js';

const recurringInput = z.object({
  /** The new child invoice: unique, never reused. */
  invId: invIdSchema,
  /** The parent payment made with `Recurring=true`. Sent, never signed. */
  previousInvId: invIdSchema,
  outSum: moneySchema.refine((m) => m.minor > 0n, 'must be greater than zero'),
  description: z.string().min(1).max(100),
  /** A receipt object, or its encoded string exactly as signed and sent (see `receiptParamSchema`). */
  receipt: receiptParamSchema.optional(),
  /** User parameters (`{ order: '25' }` → `Shp_order=25`), echoed in callbacks; rules as in `normalizeShp`. */
  shp: z.record(z.string(), z.string()).optional(),
  /** Sign with the test Password #1 and send `IsTest=1` (the official SDK refuses recurring in test mode). */
  isTest: z.boolean().optional(),
});
export type ChargeRecurringInput = z.input<typeof recurringInput>;

export interface RecurringResult {
  /** Robokassa took the request (`OK{InvoiceID}`). The money is not taken yet: wait for ResultURL or OpStateExt. */
  accepted: true;
  invId: number;
}

/**
 * Charges a saved subscription (§3.7): POST form `${merchant}/Merchant/Recurring` with OutSum, InvoiceID,
 * PreviousInvoiceID, Description[, Receipt][, Shp_*], MerchantLogin, SignatureValue; signature
 * `MerchantLogin:OutSum:InvoiceID[:Receipt]:Password1[:Shp_…]`. Never retried: a repeat could charge twice
 * under a new InvoiceID and, under the same one, gives an ambiguous answer.
 */
export async function chargeRecurring(
  config: RobokassaConfig,
  input: ChargeRecurringInput,
  options: ApiCallOptions = {},
): Promise<RecurringResult> {
  const endpoint = 'Recurring';
  const parsed = parseInput(endpoint, recurringInput, input);
  const { invId, previousInvId, description, isTest = config.testMode } = parsed;
  const { password1 } = passwordsFor(config, isTest);
  const sum = formatMoney(parsed.outSum);
  const receipt = parsed.receipt === undefined ? undefined : signedReceipt(config, parsed.receipt, parsed.outSum);
  // One spelling (`Shp_`), lower-case names, sorted; values PHP-urlencoded before signing as the official SDK does
  // (`abc 1` → signed `abc+1`, sent `abc%2B1`; vector `1be6746b…`).
  const shp = normalizeShp(parsed.shp).map((p): [string, string] => [p.name, p.received]);
  const base = [
    config.login,
    sum,
    String(invId),
    ...(receipt ? [receipt] : []),
    password1.reveal(),
    ...shp.map(([k, v]) => `${k}=${v}`),
  ].join(':');
  const fields: Array<[string, string]> = [
    ['OutSum', sum],
    ['InvoiceID', String(invId)],
    ['PreviousInvoiceID', String(previousInvId)],
    ['Description', description],
  ];
  if (receipt) fields.push(['Receipt', receipt]);
  fields.push(...shp, ['MerchantLogin', config.login], ['SignatureValue', hashHex(config.algorithm, base)]);
  if (isTest) fields.push(['IsTest', '1']);
  const request: GatewayRequest = {
    endpoint,
    url: `${config.baseUrls.merchant}/Merchant/Recurring`,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: formEncode(fields),
    idempotent: false,
  };
  const response = expectOk(request, await sendRequest(request, options));
  if (response.text.trim() !== `OK${invId}`) {
    throw new KassaError('RECURRING_REJECTED', `Robokassa did not accept the recurring charge for invoice ${invId}`, {
      details: { endpoint, invId, previousInvId, body: excerpt(response.text) },
    });
  }
  return { accepted: true, invId };
}
