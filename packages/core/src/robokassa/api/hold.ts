import { z } from 'zod';
import { KassaError } from '../../errors.js';
import { hashHex } from '../../hash.js';
import { formatMoney, type Money } from '../../money.js';
import { passwordsFor, type RobokassaConfig } from '../config.js';
import { checkReceiptTotal, createReceipt, type ReceiptInput, receiptForSignature } from '../receipt.js';
import { invIdSchema, moneySchema, parseInput } from './common.js';
import { type ApiCallOptions, badResponse, expectOk, formEncode, type GatewayRequest, sendRequest } from './http.js';

const positiveMoney = moneySchema.refine((m) => m.minor > 0n, 'must be greater than zero');

/**
 * A `Receipt` for Confirm/Recurring: either a receipt object (validated with `createReceipt` for the shop's country,
 * its total checked against OutSum, then encoded with `receiptForSignature`) or the already-encoded string exactly
 * as it is signed and sent as a form field (`formUrlEncode(JSON)`, starting `%7B`).
 */
export const receiptParamSchema = z.union([
  z.string().min(1).max(32_000),
  z.custom<ReceiptInput>((v) => typeof v === 'object' && v !== null, 'a receipt object or its encoded string'),
]);
export type ReceiptParam = z.infer<typeof receiptParamSchema>;

/** The `Receipt` value to sign and send (§4.3: URL-encoded JSON, encoded once more by the form). */
export function signedReceipt(config: RobokassaConfig, receipt: ReceiptParam, outSum: Money): string {
  if (typeof receipt === 'string') return receipt;
  const valid = createReceipt(receipt, { country: config.country, currency: outSum.currency });
  // Robokassa drops a receipt whose lines do not add up to OutSum silently (DOC-fisc): refuse before sending.
  checkReceiptTotal(valid, outSum);
  return receiptForSignature(valid);
}

const confirmInput = z.object({
  invId: invIdSchema,
  /**
   * The amount to capture (at most the held amount). Less than the held amount is a partial capture: the ResultURL
   * that follows carries this amount, which `handleResultUrl` accepts only for a record in state `held`.
   */
  outSum: positiveMoney,
  /** A new cart for the final receipt, when it differs from the one sent with the payment. */
  receipt: receiptParamSchema.optional(),
  /** Sign with the test Password #1 and send `IsTest=1`. Defaults to `config.testMode`. */
  isTest: z.boolean().optional(),
});
export type ConfirmHoldInput = z.input<typeof confirmInput>;

const cancelInput = z.object({
  invId: invIdSchema,
  /** Sent when given (the official form sends it); never signed (§3.6: the OutSum slot is empty). */
  outSum: positiveMoney.optional(),
  isTest: z.boolean().optional(),
});
export type CancelHoldInput = z.input<typeof cancelInput>;

export interface HoldResult {
  /** Always true: a `success: false` reply is thrown as HOLD_REJECTED. */
  success: true;
  invId: number;
}

/**
 * Reads the Confirm/Cancel reply. The official SDK parses a JSON string `"success: true"` (§3.6, moderate
 * confidence); we also accept it unquoted and a `{"success":true}` object, and refuse everything else.
 */
export function parseHoldReply(endpoint: string, text: string): boolean {
  let value: unknown = text.trim();
  try {
    value = JSON.parse(text);
  } catch {
    // not JSON: the bare `success: true` form
  }
  if (typeof value === 'object' && value !== null && typeof (value as { success?: unknown }).success === 'boolean') {
    return (value as { success: boolean }).success;
  }
  const match = typeof value === 'string' ? /^success\s*:\s*(true|false)$/i.exec(value.trim()) : null;
  if (!match) throw badResponse(endpoint, 'expected "success: true" or "success: false"', { body: text });
  return match[1]?.toLowerCase() === 'true';
}

async function postHold(
  config: RobokassaConfig,
  endpoint: 'Payment/Confirm' | 'Payment/Cancel',
  fields: Array<[string, string]>,
  invId: number,
  options: ApiCallOptions,
): Promise<HoldResult> {
  // Never retried: Confirm is allowed once, and a retried Confirm after a lost reply would only obscure the outcome.
  const request: GatewayRequest = {
    endpoint,
    url: `${config.baseUrls.merchant}/Merchant/${endpoint}`,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: formEncode(fields),
    idempotent: false,
  };
  const response = expectOk(request, await sendRequest(request, options));
  if (!parseHoldReply(endpoint, response.text)) {
    throw new KassaError('HOLD_REJECTED', `Robokassa refused ${endpoint} for invoice ${invId}`, {
      details: { endpoint, invId },
    });
  }
  return { success: true, invId };
}

/**
 * Captures a held (StepByStep) payment (§3.6): POST form `${merchant}/Merchant/Payment/Confirm` with MerchantLogin,
 * InvoiceID, OutSum, SignatureValue[, Receipt]; signature `MerchantLogin:OutSum:InvoiceID[:Receipt]:Password1`.
 * Allowed once; afterwards Robokassa sends the normal ResultURL notification, for the captured `outSum`. For a
 * partial capture, move the ledger record to `held` first (docs/api.md, "Hold"): a `pending` record needs the exact
 * amount.
 */
export async function confirmHold(
  config: RobokassaConfig,
  input: ConfirmHoldInput,
  options: ApiCallOptions = {},
): Promise<HoldResult> {
  const endpoint = 'Payment/Confirm';
  const { invId, outSum, isTest = config.testMode, ...rest } = parseInput(endpoint, confirmInput, input);
  const { password1 } = passwordsFor(config, isTest);
  const receipt = rest.receipt === undefined ? undefined : signedReceipt(config, rest.receipt, outSum);
  const sum = formatMoney(outSum);
  const base = [config.login, sum, String(invId), ...(receipt ? [receipt] : []), password1.reveal()].join(':');
  const fields: Array<[string, string]> = [
    ['MerchantLogin', config.login],
    ['InvoiceID', String(invId)],
    ['OutSum', sum],
    ['SignatureValue', hashHex(config.algorithm, base)],
  ];
  if (receipt) fields.push(['Receipt', receipt]);
  if (isTest) fields.push(['IsTest', '1']);
  return postHold(config, endpoint, fields, invId, options);
}

/**
 * Releases a held payment (§3.6): POST form `${merchant}/Merchant/Payment/Cancel`; signature
 * `MerchantLogin::InvoiceID:Password1` (the OutSum slot stays empty even when OutSum is sent).
 */
export async function cancelHold(
  config: RobokassaConfig,
  input: CancelHoldInput,
  options: ApiCallOptions = {},
): Promise<HoldResult> {
  const endpoint = 'Payment/Cancel';
  const { invId, outSum, isTest = config.testMode } = parseInput(endpoint, cancelInput, input);
  const { password1 } = passwordsFor(config, isTest);
  const fields: Array<[string, string]> = [
    ['MerchantLogin', config.login],
    ['InvoiceID', String(invId)],
  ];
  if (outSum) fields.push(['OutSum', formatMoney(outSum)]);
  fields.push(['SignatureValue', hashHex(config.algorithm, `${config.login}::${invId}:${password1.reveal()}`)]);
  if (isTest) fields.push(['IsTest', '1']);
  return postHold(config, endpoint, fields, invId, options);
}
