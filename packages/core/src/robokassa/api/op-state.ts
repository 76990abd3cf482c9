import { z } from 'zod';
import { isKassaError, KassaError } from '../../errors.js';
import { hashHex } from '../../hash.js';
import { type CurrencyCode, type Money, parseGatewayMoney } from '../../money.js';
import type { Secret } from '../../secret.js';
import { passwordsFor, type RobokassaConfig } from '../config.js';
import { invIdSchema, moneySchema, parseInput, shopCurrency } from './common.js';
import type { ApiCallOptions } from './http.js';
import { badResponse } from './http.js';
import { callXml, checkResult, emptyOr, resultSchema, validateReply } from './xml.js';

/** XML `Result.Code` for a signature Robokassa does not accept. */
const BAD_SIGNATURE = 1;

/** `State.Code` of OpStateExt (§3.1, DOC-xml) → a small status a shop can switch on. */
export const OPERATION_STATE_CODES = {
  5: 'initiated',
  10: 'cancelled',
  20: 'held',
  50: 'processing',
  60: 'refunded',
  80: 'suspended',
  100: 'paid',
} as const;
export type OperationStateCode = keyof typeof OPERATION_STATE_CODES;
export type OperationStatus = (typeof OPERATION_STATE_CODES)[OperationStateCode];

export interface OperationInfo {
  /** The method label the buyer actually used (e.g. `BankCardPSR`). */
  incCurrLabel?: string | undefined;
  /** What the buyer paid, when it is a whole number of kopecks (see `raw.incSum` otherwise). */
  incSum?: Money | undefined;
  /** Masked card number or wallet id. */
  incAccount?: string | undefined;
  paymentMethod?: { code: string; description: string } | undefined;
  outCurrLabel?: string | undefined;
  /** What is credited to the shop, when it is a whole number of kopecks. */
  outSum?: Money | undefined;
  /** The operation key the Refund API needs (§3.5). */
  opKey?: string | undefined;
  bankCardRrn?: string | undefined;
  /** The sums exactly as Robokassa wrote them (`100.000000`). */
  raw: { incSum?: string | undefined; outSum?: string | undefined };
}

export interface OperationStateFound {
  found: true;
  invId: number;
  status: OperationStatus;
  stateCode: OperationStateCode;
  requestDate?: Date | undefined;
  stateDate?: Date | undefined;
  info?: OperationInfo | undefined;
  userFields: Array<{ name: string; value: string }>;
  /** Dates as written (up to 7 fractional digits, with offset). */
  raw: { requestDate?: string | undefined; stateDate?: string | undefined };
}

/**
 * Result code 3: no operation with this InvoiceID. Normal until the buyer confirms the payment details on
 * Robokassa's page (the operation is created only then, §3.1), so it is an answer, not an error.
 */
export interface OperationStateNotFound {
  found: false;
  invId: number;
}

export type OperationStateResult = OperationStateFound | OperationStateNotFound;

const opStateInput = z.object({
  invId: invIdSchema,
  /** Sign with the test Password #2. Defaults to `config.testMode`. */
  isTest: z.boolean().optional(),
  /** Currency of IncSum/OutSum; defaults to the shop's (RUB, or KZT for KZ). */
  currency: moneySchema.shape.currency.optional(),
});
export type OpStateExtInput = z.input<typeof opStateInput>;

const text = z.string();

const opStateReply = z.object({
  Result: resultSchema,
  State: z
    .object({
      Code: z.string().regex(/^\d+$/, 'a non-negative integer').transform(Number),
      RequestDate: text.optional(),
      StateDate: text.optional(),
    })
    .optional(),
  Info: emptyOr(
    z.object({
      IncCurrLabel: text.optional(),
      IncSum: text.optional(),
      IncAccount: text.optional(),
      PaymentMethod: emptyOr(z.object({ Code: text.optional(), Description: text.optional() })),
      OutCurrLabel: text.optional(),
      OutSum: text.optional(),
      OpKey: text.optional(),
      BankCardRRN: text.optional(),
    }),
  ),
  UserField: emptyOr(
    z.object({
      Field: z.array(z.object({ Name: text, Value: text.optional() })).optional(),
    }),
  ),
});

/** .NET writes 7 fractional digits (`.0500029`); JS dates keep milliseconds. */
function parseDate(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function optionalMoney(value: string | undefined, currency: CurrencyCode): Money | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    return parseGatewayMoney(value, currency, { allowZero: true });
  } catch {
    // Sums in a converted currency can carry sub-kopeck digits; they stay available in `raw`.
    return undefined;
  }
}

function blank(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * OpStateExt (§3.1): the state of one invoice. GET `…/Service.asmx/OpStateExt?MerchantLogin=&InvoiceID=&Signature=`
 * with `Signature = hash(MerchantLogin:InvoiceID:Password2)`.
 *
 * For test payments (`isTest`, default `config.testMode`) we sign with the test Password #2 first; if Robokassa
 * answers result code 1 (bad signature), we ask once more signed with the production Password #2. No source says
 * which pair Robokassa expects for a test operation (the XML docs only mention Password #2): see docs/api.md.
 * Real invoices are only ever asked about with the production pair.
 */
export async function opStateExt(
  config: RobokassaConfig,
  input: OpStateExtInput,
  options: ApiCallOptions = {},
): Promise<OperationStateResult> {
  const endpoint = 'OpStateExt';
  const {
    invId,
    isTest = config.testMode,
    currency = shopCurrency(config),
  } = parseInput(endpoint, opStateInput, input);
  const ask = async (password2: Secret) => {
    const signature = hashHex(config.algorithm, `${config.login}:${invId}:${password2.reveal()}`);
    const { element, text } = await callXml(
      config,
      {
        endpoint,
        method: 'OpStateExt',
        params: [
          ['MerchantLogin', config.login],
          ['InvoiceID', String(invId)],
          ['Signature', signature],
        ],
        root: 'OperationStateResponse',
      },
      options,
    );
    return { reply: validateReply(endpoint, opStateReply, element, text), body: text };
  };
  // Test invoices: the test Password #2 first, then — only if Robokassa says "bad signature" (result code 1) — the
  // production one. Which pair Robokassa expects here is undocumented; see docs/api.md.
  let { reply, body } = await ask(passwordsFor(config, isTest).password2);
  const fellBack = isTest && reply.Result.Code === BAD_SIGNATURE;
  if (fellBack) ({ reply, body } = await ask(config.password2));
  if (reply.Result.Code === 3) return { found: false, invId };
  try {
    checkResult(endpoint, reply.Result);
  } catch (error) {
    if (fellBack && isKassaError(error)) {
      throw new KassaError(error.code, `${error.message} (with the test and the production Password #2)`, {
        details: { ...error.details, passwordPairs: ['test', 'production'] },
      });
    }
    throw error;
  }
  if (!reply.State) throw badResponse(endpoint, 'result code 0 without a <State>', { body });
  const stateCode = reply.State.Code;
  if (!Object.hasOwn(OPERATION_STATE_CODES, stateCode)) {
    throw badResponse(endpoint, `undocumented State.Code ${stateCode}`, { body, details: { stateCode } });
  }
  const code = stateCode as OperationStateCode;
  const info = reply.Info || undefined;
  const method = info?.PaymentMethod || undefined;
  return {
    found: true,
    invId,
    status: OPERATION_STATE_CODES[code],
    stateCode: code,
    requestDate: parseDate(reply.State.RequestDate),
    stateDate: parseDate(reply.State.StateDate),
    info: info && {
      incCurrLabel: blank(info.IncCurrLabel),
      incSum: optionalMoney(info.IncSum, currency),
      incAccount: blank(info.IncAccount),
      paymentMethod: method?.Code ? { code: method.Code, description: method.Description ?? '' } : undefined,
      outCurrLabel: blank(info.OutCurrLabel),
      outSum: optionalMoney(info.OutSum, currency),
      opKey: blank(info.OpKey),
      bankCardRrn: blank(info.BankCardRRN),
      raw: { incSum: blank(info.IncSum), outSum: blank(info.OutSum) },
    },
    userFields: (reply.UserField || undefined)?.Field?.map((f) => ({ name: f.Name, value: f.Value ?? '' })) ?? [],
    raw: { requestDate: blank(reply.State.RequestDate), stateDate: blank(reply.State.StateDate) },
  };
}
