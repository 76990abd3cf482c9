import { z } from 'zod';
import { KassaError } from '../../errors.js';
import { type HashAlgorithm, hashHex } from '../../hash.js';
import { parseMoney } from '../../money.js';
import type { Secret } from '../../secret.js';
import type { RobokassaConfig } from '../config.js';
import { moneySchema, parseInput } from './common.js';
import {
  type ApiCallOptions,
  badResponse,
  expectOk,
  type GatewayRequest,
  type GatewayResponse,
  sendRequest,
} from './http.js';
import { compactJson, decimalToJsonNumber, moneyToJsonNumber, parseJsonKeepingNumbers } from './json.js';

/**
 * Which base64 alphabet the RoboFiscal body uses. The docs' example is plain base64 (`+/`), the official SDK sends
 * base64url (`-_`); Robokassa accepts both. We send base64url by default, like the SDK; `=` is stripped either way.
 */
export type FiscalAlphabet = 'base64url' | 'base64';

export interface FiscalBodyOptions {
  /** The payload JSON exactly as it should be signed. */
  json: string;
  password1: Secret | string;
  algorithm: HashAlgorithm;
  alphabet?: FiscalAlphabet;
}

function b64(text: string, alphabet: FiscalAlphabet): string {
  return Buffer.from(text, 'utf8').toString(alphabet).replace(/=+$/, '');
}

/**
 * `base64(payload).base64(hex(hash(base64(payload) + Password1)))`, `=` stripped (§3.9, DOC-2check; pinned by the
 * vectors `3001586…` and `MzAwMTU4…`). The hash covers the payload part exactly as sent.
 */
export function fiscalBody({ json, password1, algorithm, alphabet = 'base64url' }: FiscalBodyOptions): string {
  const payload = b64(json, alphabet);
  const key = typeof password1 === 'string' ? password1 : password1.reveal();
  return `${payload}.${b64(hashHex(algorithm, payload + key), alphabet)}`;
}

const decimalString = z.string().regex(/^\d+(\.\d+)?$/, 'a decimal string such as "100.00"');
const amount = z.union([moneySchema, decimalString]);
const receiptId = z.union([z.string().regex(/^\d+$/), z.number().int().positive()]);

const secondReceiptInput = z.object({
  /** Defaults to the shop's MerchantLogin. */
  merchantId: z.string().min(1).optional(),
  /** A new receipt number, different from `originId`. */
  id: receiptId,
  /** The InvId of the payment whose first receipt this one follows. */
  originId: receiptId,
  sno: z.string().min(1).optional(),
  url: z.string().min(1).optional(),
  total: amount,
  items: z
    .array(
      z.object({
        name: z.string().min(1).max(128),
        quantity: z.union([z.number().positive().finite(), decimalString]),
        sum: amount,
        tax: z.string().min(1),
        /** The final receipt settles the advance: `full_payment` (DOC-2check). */
        payment_method: z.string().min(1).default('full_payment'),
        payment_object: z.string().min(1).optional(),
        nomenclature_code: z.string().min(1).optional(),
      }),
    )
    .min(1),
  client: z.object({ email: z.string().min(1).optional(), phone: z.string().min(1).optional() }).optional(),
  /** Defaults to one prepayment credit (`type: 2`) of the total. */
  payments: z.array(z.object({ type: z.number().int(), sum: amount })).optional(),
  vats: z.array(z.object({ type: z.string().min(1), sum: amount })).optional(),
});
export type SecondReceiptInput = z.input<typeof secondReceiptInput>;

type Amount = z.output<typeof amount>;

function toJsonNumber(value: Amount) {
  return typeof value === 'string' ? decimalToJsonNumber(value) : moneyToJsonNumber(value);
}

function minorOf(value: Amount): bigint {
  return typeof value === 'string' ? parseMoney(value, 'RUB', { allowZero: true }).minor : value.minor;
}

/** The second-receipt payload JSON in the documented key order, amounts written from their decimal text. */
export function secondReceiptJson(config: RobokassaConfig, input: SecondReceiptInput): string {
  const r = parseInput('RoboFiscal/Attach', secondReceiptInput, input);
  const itemsTotal = r.items.reduce((sum, item) => sum + minorOf(item.sum), 0n);
  if (itemsTotal !== minorOf(r.total)) {
    throw new KassaError('RECEIPT_TOTAL_MISMATCH', 'The items of the second receipt do not add up to its total', {
      details: { itemsTotalMinor: String(itemsTotal), totalMinor: String(minorOf(r.total)) },
    });
  }
  return compactJson({
    merchantId: r.merchantId ?? config.login,
    id: String(r.id),
    originId: String(r.originId),
    operation: 'sell',
    sno: r.sno,
    url: r.url,
    total: toJsonNumber(r.total),
    items: r.items.map((item) => ({
      name: item.name,
      quantity: typeof item.quantity === 'string' ? decimalToJsonNumber(item.quantity) : item.quantity,
      sum: toJsonNumber(item.sum),
      tax: item.tax,
      payment_method: item.payment_method,
      payment_object: item.payment_object,
      nomenclature_code: item.nomenclature_code,
    })),
    client: r.client,
    payments: (r.payments ?? [{ type: 2, sum: r.total }]).map((p) => ({ type: p.type, sum: toJsonNumber(p.sum) })),
    vats: r.vats?.map((v) => ({ type: v.type, sum: toJsonNumber(v.sum) })),
  });
}

export interface FiscalCallOptions extends ApiCallOptions {
  alphabet?: FiscalAlphabet;
}

async function postFiscal(
  config: RobokassaConfig,
  endpoint: 'Receipt/Attach' | 'Receipt/Status',
  json: string,
  options: FiscalCallOptions,
): Promise<{ reply: unknown; response: GatewayResponse }> {
  const body = fiscalBody({
    json,
    // RoboFiscal has no test mode: the receipt is real, so is the password.
    password1: config.password1,
    algorithm: config.algorithm,
    alphabet: options.alphabet ?? 'base64url',
  });
  const request: GatewayRequest = {
    endpoint: `RoboFiscal/${endpoint}`,
    url: `${config.baseUrls.fiscal}/RoboFiscal/${endpoint}`,
    method: 'POST',
    // The official SDK labels the dotted body application/json (§3.9); it is sent as is, not JSON-quoted.
    headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
    body,
    // Status is a read; Attach issues a fiscal document and is never repeated automatically.
    idempotent: endpoint === 'Receipt/Status',
  };
  const response = expectOk(request, await sendRequest(request, options));
  try {
    return { reply: parseJsonKeepingNumbers(response.text), response };
  } catch (cause) {
    throw badResponse(request.endpoint, 'not JSON', { body: response.text, cause });
  }
}

function rejected(endpoint: string, code: string, description: string | undefined): KassaError {
  return new KassaError('FISCAL_REJECTED', `RoboFiscal ${endpoint} answered code ${code}`, {
    details: { endpoint, code: Number(code), description },
  });
}

const attachReply = z.object({
  ResultCode: z.string().regex(/^\d+$/),
  ResultDescription: z.string().nullish(),
  OpKey: z.string().nullish(),
});

export interface AttachResult {
  /** 0 accepted; 1 waiting and 2 registered are also success. */
  resultCode: number;
  description?: string | undefined;
  opKey?: string | undefined;
}

/**
 * Issues the second (final) receipt (§3.9): POST `${fiscal}/RoboFiscal/Receipt/Attach`. `payload` is either the
 * structured receipt (validated, totals checked) or a JSON string sent verbatim. Never retried.
 */
export async function attachSecondReceipt(
  config: RobokassaConfig,
  payload: SecondReceiptInput | string,
  options: FiscalCallOptions = {},
): Promise<AttachResult> {
  const json = typeof payload === 'string' ? payload : secondReceiptJson(config, payload);
  const { reply, response } = await postFiscal(config, 'Receipt/Attach', json, options);
  const parsed = attachReply.safeParse(reply);
  if (!parsed.success)
    throw badResponse('RoboFiscal/Receipt/Attach', 'expected {"ResultCode",…}', { body: response.text });
  const code = Number(parsed.data.ResultCode);
  if (code > 2) throw rejected('Receipt/Attach', parsed.data.ResultCode, parsed.data.ResultDescription ?? undefined);
  return {
    resultCode: code,
    description: parsed.data.ResultDescription ?? undefined,
    opKey: parsed.data.OpKey ?? undefined,
  };
}

const statusInput = z.object({ id: receiptId, merchantId: z.string().min(1).optional() });
export type ReceiptStatusInput = z.input<typeof statusInput>;

const nullableText = z.string().nullish();
const statusReply = z.object({
  Code: z.string().regex(/^\d+$/),
  Description: nullableText,
  FnNumber: nullableText,
  FiscalDocumentNumber: nullableText,
  FiscalDocumentAttribute: nullableText,
  FiscalDate: nullableText,
  FiscalType: nullableText,
});

const STATUS_BY_CODE = { 1: 'waiting', 2: 'registered', 3: 'failed' } as const;
export type ReceiptStatus = (typeof STATUS_BY_CODE)[keyof typeof STATUS_BY_CODE];

export interface ReceiptStatusResult {
  status: ReceiptStatus;
  code: number;
  description?: string | undefined;
  fnNumber?: string | undefined;
  fiscalDocumentNumber?: string | undefined;
  fiscalDocumentAttribute?: string | undefined;
  fiscalDate?: string | undefined;
  fiscalType?: string | undefined;
}

/**
 * The state of a receipt (§3.9): POST `${fiscal}/RoboFiscal/Receipt/Status` with `{merchantId, id}` signed like
 * Attach. Code 1 waiting, 2 registered, 3 failed; anything else (1000…) is FISCAL_REJECTED. A read: retried.
 */
export async function getReceiptStatus(
  config: RobokassaConfig,
  input: ReceiptStatusInput,
  options: FiscalCallOptions = {},
): Promise<ReceiptStatusResult> {
  const { id, merchantId = config.login } = parseInput('RoboFiscal/Status', statusInput, input);
  const json = compactJson({ merchantId, id: String(id) });
  const { reply, response } = await postFiscal(config, 'Receipt/Status', json, options);
  const parsed = statusReply.safeParse(reply);
  if (!parsed.success) throw badResponse('RoboFiscal/Receipt/Status', 'expected {"Code",…}', { body: response.text });
  const r = parsed.data;
  const code = Number(r.Code);
  const status = STATUS_BY_CODE[code as keyof typeof STATUS_BY_CODE];
  if (!status) throw rejected('Receipt/Status', r.Code, r.Description ?? undefined);
  return {
    status,
    code,
    description: r.Description ?? undefined,
    fnNumber: r.FnNumber ?? undefined,
    fiscalDocumentNumber: r.FiscalDocumentNumber ?? undefined,
    fiscalDocumentAttribute: r.FiscalDocumentAttribute ?? undefined,
    fiscalDate: r.FiscalDate ?? undefined,
    fiscalType: r.FiscalType ?? undefined,
  };
}
