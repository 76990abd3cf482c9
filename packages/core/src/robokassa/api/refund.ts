import { z } from 'zod';
import { KassaError } from '../../errors.js';
import { CURRENCY_EXPONENTS, type CurrencyCode, type Money, parseGatewayMoney } from '../../money.js';
import type { RobokassaConfig } from '../config.js';
import { moneySchema, parseInput, shopCurrency } from './common.js';
import {
  type ApiCallOptions,
  badResponse,
  expectOk,
  type GatewayRequest,
  type GatewayResponse,
  sendRequest,
} from './http.js';
import {
  compactJson,
  decimalToJsonNumber,
  type JsonNumber,
  moneyToJsonNumber,
  parseJsonKeepingNumbers,
} from './json.js';
import { REFUND_JWT_ALGORITHMS, signJwt } from './jwt.js';

const CURRENCY_CODES = Object.keys(CURRENCY_EXPONENTS) as [CurrencyCode, ...CurrencyCode[]];

const decimalString = z.string().regex(/^\d+(\.\d+)?$/, 'a decimal string such as "100.00"');
const positiveMoney = moneySchema.refine((m) => m.minor > 0n, 'must be greater than zero');

/** One refunded line (§3.5): PascalCase like the Invoice API, unlike the `Receipt` (build it with `toRefundInvoiceItems`). */
export const refundInvoiceItemSchema = z.object({
  Name: z.string().min(1).max(128),
  Quantity: z.union([z.number().positive().finite(), decimalString]),
  /** Unit price. Only its amount is sent (the refund is in the operation's currency), so any known currency reads. */
  Cost: z.union([z.object({ currency: z.enum(CURRENCY_CODES), minor: z.bigint() }), decimalString]),
  Tax: z.string().min(1),
  PaymentMethod: z.string().min(1).optional(),
  PaymentObject: z.string().min(1).optional(),
  NomenclatureCode: z.string().min(1).optional(),
});
export type RefundInvoiceItem = z.input<typeof refundInvoiceItemSchema>;

const createRefundInput = z.object({
  /** From OpStateExt `info.opKey` or ResultUrl2 (the ResultURL callback does not carry it). */
  opKey: z.string().min(1).max(200),
  /** Absent = refund everything that is left. */
  refundSum: positiveMoney.optional(),
  invoiceItems: z.array(refundInvoiceItemSchema).min(1).optional(),
  /** JWT algorithm; Robokassa accepts HS256, HS384 and HS512. */
  algorithm: z.enum(REFUND_JWT_ALGORITHMS).default('HS256'),
});
export type CreateRefundInput = z.input<typeof createRefundInput>;

const createReply = z.object({
  success: z.boolean(),
  message: z.string().nullish(),
  requestId: z.string().nullish(),
});

const stateReply = z.object({
  requestId: z.string().min(1),
  amount: z.string(),
  label: z.enum(['finished', 'processing', 'canceled']),
});
const errorReply = z.object({ message: z.string().min(1) });

export type RefundLabel = z.infer<typeof stateReply>['label'];

export interface RefundState {
  requestId: string;
  amount: Money;
  label: RefundLabel;
}

function asAmount(value: z.output<typeof refundInvoiceItemSchema>['Cost']): JsonNumber {
  return typeof value === 'string' ? decimalToJsonNumber(value) : moneyToJsonNumber(value);
}

/** The compact payload JSON, amounts written from their decimal text (`"RefundSum":1.5`). */
export function refundPayloadJson(input: z.output<typeof createRefundInput>): string {
  return compactJson({
    OpKey: input.opKey,
    RefundSum: input.refundSum && moneyToJsonNumber(input.refundSum),
    InvoiceItems: input.invoiceItems?.map((item) => ({
      Name: item.Name,
      Quantity: typeof item.Quantity === 'string' ? decimalToJsonNumber(item.Quantity) : item.Quantity,
      Cost: asAmount(item.Cost),
      Tax: item.Tax,
      PaymentMethod: item.PaymentMethod,
      PaymentObject: item.PaymentObject,
      NomenclatureCode: item.NomenclatureCode,
    })),
  });
}

function parseJsonBody(endpoint: string, response: GatewayResponse): unknown {
  try {
    return parseJsonKeepingNumbers(response.text);
  } catch (cause) {
    throw badResponse(endpoint, 'not JSON', { body: response.text, cause, details: { status: response.status } });
  }
}

function rejected(endpoint: string, message: string, status: number): KassaError {
  // Robokassa's messages are codes such as NotEnoughOperationFunds: safe to show and to branch on.
  return new KassaError('REFUND_REJECTED', `Robokassa rejected ${endpoint}: ${message}`, {
    details: { endpoint, message, status },
  });
}

/**
 * Refund API, create (§3.5): POST `${services}/RefundService/Refund/Create`, body = the JWT as a JSON string,
 * `Content-Type: application/json`, signed with Password #3. Never retried: the request may have reached Robokassa
 * even when the reply was lost, and a second Create is a second refund. After GATEWAY_TIMEOUT/UNREACHABLE, check the
 * operation (OpStateExt, the cabinet) before trying again.
 */
export async function createRefund(
  config: RobokassaConfig,
  input: CreateRefundInput,
  options: ApiCallOptions = {},
): Promise<{ requestId: string }> {
  const endpoint = 'Refund/Create';
  const parsed = parseInput(endpoint, createRefundInput, input);
  if (!config.password3) {
    throw new KassaError(
      'PASSWORD3_MISSING',
      'The Refund API needs Password #3 (request «Доступ к API возвратов» in the cabinet and set password3)',
    );
  }
  const token = signJwt({ alg: parsed.algorithm, payload: refundPayloadJson(parsed), key: config.password3 });
  const request: GatewayRequest = {
    endpoint,
    url: `${config.baseUrls.services}/RefundService/Refund/Create`,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(token),
    idempotent: false,
  };
  const response = await sendRequest(request, options);
  const ok = response.status >= 200 && response.status < 300;
  let json: unknown;
  try {
    json = parseJsonKeepingNumbers(response.text);
  } catch (cause) {
    if (!ok) expectOk(request, response);
    throw badResponse(endpoint, 'not JSON', { body: response.text, cause });
  }
  const reply = createReply.safeParse(json);
  if (reply.success && !reply.data.success)
    throw rejected(endpoint, reply.data.message ?? 'no message', response.status);
  expectOk(request, response);
  if (!reply.success || !reply.data.requestId) {
    throw badResponse(endpoint, 'expected {"success":true,"requestId":…}', { body: response.text });
  }
  return { requestId: reply.data.requestId };
}

const stateInput = z.object({
  requestId: z.string().min(1).max(200),
  /** Currency of `amount`; defaults to the shop's. */
  currency: moneySchema.shape.currency.optional(),
});
export type RefundStateInput = z.input<typeof stateInput>;

/** Refund API, state (§3.5): GET `${services}/RefundService/Refund/GetState?id=`. A read: retried when transient. */
export async function getRefundState(
  config: RobokassaConfig,
  input: RefundStateInput,
  options: ApiCallOptions = {},
): Promise<RefundState> {
  const endpoint = 'Refund/GetState';
  const { requestId, currency = shopCurrency(config) } = parseInput(endpoint, stateInput, input);
  const request: GatewayRequest = {
    endpoint,
    url: `${config.baseUrls.services}/RefundService/Refund/GetState?id=${encodeURIComponent(requestId)}`,
    method: 'GET',
    headers: { accept: 'application/json' },
    idempotent: true,
  };
  const response = await sendRequest(request, options);
  const ok = response.status >= 200 && response.status < 300;
  if (!ok && !response.contentType.includes('json')) expectOk(request, response);
  const json = parseJsonBody(endpoint, response);
  const state = stateReply.safeParse(json);
  if (!state.success) {
    const error = errorReply.safeParse(json);
    if (error.success) throw rejected(endpoint, error.data.message, response.status);
    expectOk(request, response);
    throw badResponse(endpoint, 'expected {"requestId","amount","label"}', { body: response.text });
  }
  expectOk(request, response);
  let amount: Money;
  try {
    amount = parseGatewayMoney(state.data.amount, currency, { allowZero: true });
  } catch (cause) {
    throw badResponse(endpoint, 'amount is not a decimal in whole minor units', { body: response.text, cause });
  }
  return { requestId: state.data.requestId, amount, label: state.data.label };
}
