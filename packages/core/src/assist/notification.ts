/**
 * The result notification Assist POSTs to the merchant server after a payment (protocol notes §2.1–§2.3): parse,
 * verify the MD5 checkvalue over the values exactly as posted, and produce the exact reply bytes Assist expects.
 *
 * Retries matter more than anything else here (§2.3): Assist repeats a notification (up to 8 times in 4 hours) only
 * when it gets **no valid answer**. Any `pushpaymentresult` reply — success or failure — stops the retries. So:
 * - a verified notification that was recorded → `assistNotificationReply(n)` (firstcode 0);
 * - forged or malformed input → the failure's `reply` (a `pushpaymentresult` with non-zero codes);
 * - a transient problem on our side (database down) → `ASSIST_RETRY_LATER_REPLY` (HTTP 503, no XML), so that Assist
 *   tries again. Never answer a failure `pushpaymentresult` for a transient problem: the notification is lost.
 */
import { z } from 'zod';
import type { KassaErrorCode } from '../errors.js';
import { type Money, parseGatewayMoney } from '../money.js';
import { verifyNotificationCheckvalue } from './checkvalue.js';
import { ASSIST_CURRENCIES, type AssistConfig, type AssistCurrency } from './config.js';
import { assistEventKind, type GatewayEventKind, isAssistOrderState } from './states.js';

/** Every field of §2.1, lower-case as Assist posts them. */
export const ASSIST_NOTIFICATION_FIELDS = [
  'merchant_id',
  'ordernumber',
  'billnumber',
  'testmode',
  'ordercomment',
  'orderamount',
  'ordercurrency',
  'amount',
  'currency',
  'rate',
  'firstname',
  'lastname',
  'middlename',
  'email',
  'orderdate',
  'orderstate',
  'responsecode',
  'message',
  'customermessage',
  'recommendation',
  'approvalcode',
  'meantypename',
  'meantype_id',
  'meansubtype',
  'meannumber',
  'cardholder',
  'cardexpirationdate',
  'issuebank',
  'bankcountry',
  'ipaddress',
  'protocoltypename',
  'processingname',
  'operationtype',
  'operationdate',
  'slipno',
  'authresult',
  'authrequired',
  'packetdate',
  'signature',
  'checkvalue',
] as const;
export type AssistNotificationField = (typeof ASSIST_NOTIFICATION_FIELDS)[number];

/** A body never carries this many parameters; the cap bounds the work a hostile request can cause. */
const MAX_PARAMETERS = 200;
const MAX_BODY_LENGTH = 64 * 1024;

const amountText = z.string().regex(/^\d{1,13}(\.\d{1,2})?$/, 'an amount such as 100.00');
const optionalText = (max: number) => z.string().max(max).optional();

/** The notification as zod checks it: required fields with their formats, the rest as optional strings. */
export const assistNotificationSchema = z.object({
  merchant_id: z.string().regex(/^\d{1,20}$/, 'digits'),
  ordernumber: z.string().min(1).max(128),
  /** 15–16 digits, optionally `.k` (the operation number): keep as a string, it overflows int32. */
  billnumber: z.string().regex(/^\d{6,20}(\.\d{1,4})?$/, 'digits with an optional .k'),
  amount: amountText,
  currency: z.string().regex(/^[A-Z]{3}$/, 'three capital letters'),
  orderstate: z.string().min(1).max(32),
  /** Echoed back verbatim in the reply; the format (`dd.mm.yyyy hh:mm:ss`) is not enforced. */
  packetdate: z.string().min(1).max(64),
  checkvalue: z.string().regex(/^[0-9A-Fa-f]{32}$/, '32 hex digits'),
  testmode: z.enum(['0', '1']).optional(),
  orderamount: amountText.optional(),
  ordercurrency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  operationtype: z
    .string()
    .regex(/^\d{1,4}$/)
    .optional(),
  responsecode: optionalText(16),
  ordercomment: optionalText(4000),
  rate: optionalText(32),
  firstname: optionalText(256),
  lastname: optionalText(256),
  middlename: optionalText(256),
  email: optionalText(256),
  orderdate: optionalText(64),
  message: optionalText(1024),
  customermessage: optionalText(1024),
  recommendation: optionalText(1024),
  approvalcode: optionalText(64),
  meantypename: optionalText(128),
  meantype_id: optionalText(32),
  meansubtype: optionalText(128),
  meannumber: optionalText(64),
  cardholder: optionalText(256),
  cardexpirationdate: optionalText(16),
  issuebank: optionalText(256),
  bankcountry: optionalText(128),
  ipaddress: optionalText(64),
  protocoltypename: optionalText(128),
  processingname: optionalText(128),
  operationdate: optionalText(64),
  slipno: optionalText(64),
  authresult: optionalText(64),
  authrequired: optionalText(16),
  signature: optionalText(8192),
});
export type AssistNotificationFields = z.output<typeof assistNotificationSchema>;

export interface AssistNotification {
  /** Every §2.1 field as received (after one level of form decoding), checked by `assistNotificationSchema`. */
  readonly fields: AssistNotificationFields;
  readonly orderNumber: string;
  readonly billNumber: string;
  /** `orderstate` as received; `knownState` says whether it is one of §4.1. */
  readonly orderState: string;
  readonly knownState: boolean;
  /** The gateway-neutral meaning of `orderState` (`ASSIST_ORDER_STATE_EVENTS`). */
  readonly event: GatewayEventKind;
  /** The operation's `amount`/`currency` as money, when the currency is one Kassa knows. */
  readonly amount?: Money | undefined;
  /** `testmode=1`; undefined when Assist did not send the field. */
  readonly testMode?: boolean | undefined;
  /** `operationtype` as a number (100 payment, 200 charge, 300 cancel, 500 accrual). */
  readonly operationType?: number | undefined;
}

export type AssistNotificationFailureReason =
  | 'malformed'
  | 'merchant_mismatch'
  | 'signature_mismatch'
  | 'test_mode_mismatch';

const FAILURE_CODES = {
  malformed: 'CALLBACK_MALFORMED',
  merchant_mismatch: 'CALLBACK_MALFORMED',
  signature_mismatch: 'SIGNATURE_MISMATCH',
  test_mode_mismatch: 'CALLBACK_MALFORMED',
} as const satisfies Record<AssistNotificationFailureReason, KassaErrorCode>;

/** An HTTP answer as plain data: the caller's framework turns it into a response. */
export interface AssistReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface AssistNotificationFailure {
  readonly ok: false;
  readonly reason: AssistNotificationFailureReason;
  readonly code: (typeof FAILURE_CODES)[AssistNotificationFailureReason];
  /** Safe to log: names fields, never values. */
  readonly detail: string;
  /** The `pushpaymentresult` failure reply for this reason (it stops Assist's retries). */
  readonly reply: AssistReply;
  /** Read for a log line; proves nothing. */
  readonly orderNumber?: string | undefined;
}

export type AssistNotificationResult =
  | { readonly ok: true; readonly notification: AssistNotification }
  | AssistNotificationFailure;

export type AssistNotificationInput =
  | string
  | URLSearchParams
  | Readonly<Record<string, string | readonly string[] | undefined>>;

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
const REPLY_CONTENT_TYPE = 'text/xml; charset=UTF-8';

function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The success reply (§2.3): billnumber and packetdate echoed exactly as received. Bytes:
 *
 * ```
 * <?xml version="1.0" encoding="UTF-8"?>
 * <pushpaymentresult firstcode="0" secondcode="0">
 *   <order><billnumber>…</billnumber><packetdate>…</packetdate></order>
 * </pushpaymentresult>
 * ```
 *
 * (LF line ends, two-space indent, no trailing newline: the layout of the documentation's example.)
 */
export function assistNotificationReply(notification: {
  readonly billNumber: string;
  readonly fields: { readonly packetdate: string };
}): AssistReply {
  const body =
    `${XML_DECLARATION}\n<pushpaymentresult firstcode="0" secondcode="0">\n  ` +
    `<order><billnumber>${xmlText(notification.billNumber)}</billnumber>` +
    `<packetdate>${xmlText(notification.fields.packetdate)}</packetdate></order>\n</pushpaymentresult>`;
  return { status: 200, contentType: REPLY_CONTENT_TYPE, body };
}

/**
 * A failure reply with the §3.7 codes. Assist records it as refused and **does not retry** (§2.3): use it only for
 * input that will never become valid (forged, malformed, another merchant's).
 */
export function assistNotificationErrorReply(firstCode: number, secondCode: number): AssistReply {
  if (!Number.isInteger(firstCode) || firstCode < 1 || !Number.isInteger(secondCode) || secondCode < 0) {
    throw new RangeError('firstCode must be a positive integer and secondCode a non-negative integer');
  }
  const body = `${XML_DECLARATION}\n<pushpaymentresult firstcode="${firstCode}" secondcode="${secondCode}"></pushpaymentresult>`;
  return { status: 200, contentType: REPLY_CONTENT_TYPE, body };
}

/**
 * For a transient problem on the merchant's side: no `pushpaymentresult`, so Assist delivers the notification again
 * later (an inference from "no answer → repeat", §2.3).
 */
export const ASSIST_RETRY_LATER_REPLY: AssistReply = Object.freeze({
  status: 503,
  contentType: 'text/plain; charset=UTF-8',
  body: 'retry later',
});

/** The codes each failure answers with: 3 missing, 4 format, 5/100 wrong merchant, 5/212 test mode, 9 checkvalue. */
function failure(
  reason: AssistNotificationFailureReason,
  detail: string,
  codes: readonly [number, number],
  orderNumber?: string,
): AssistNotificationFailure {
  return Object.freeze({
    ok: false as const,
    reason,
    code: FAILURE_CODES[reason],
    detail,
    reply: assistNotificationErrorReply(codes[0], codes[1]),
    orderNumber,
  });
}

/** Secondcodes of §3.7 for the fields that have one. */
const FIELD_SECONDCODES: Partial<Record<string, number>> = {
  merchant_id: 100,
  currency: 105,
  ordernumber: 107,
  amount: 108,
  billnumber: 143,
  orderstate: 164,
};

type Pairs = Array<[string, string]>;

function toPairs(input: AssistNotificationInput): Pairs | string {
  if (typeof input === 'string') {
    if (input.length > MAX_BODY_LENGTH) return 'the body is too large';
    return [...new URLSearchParams(input.startsWith('?') ? input.slice(1) : input)];
  }
  if (input instanceof URLSearchParams) return [...input];
  const pairs: Pairs = [];
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (typeof value === 'string') pairs.push([name, value]);
    else for (const v of value as readonly string[]) pairs.push([name, String(v)]);
  }
  return pairs;
}

/**
 * Reads a notification body (`application/x-www-form-urlencoded`, or pairs a framework already decoded) without
 * verifying it. Names are matched case-insensitively; a known field given twice is malformed (which one would Assist
 * have signed?). Unknown fields are ignored. Never throws.
 */
export function parseAssistNotification(
  input: AssistNotificationInput,
): { ok: true; fields: AssistNotificationFields } | AssistNotificationFailure {
  const pairs = toPairs(input);
  if (typeof pairs === 'string') return failure('malformed', pairs, [4, 0]);
  if (pairs.length > MAX_PARAMETERS) return failure('malformed', 'too many parameters', [4, 0]);
  const known = new Set<string>(ASSIST_NOTIFICATION_FIELDS);
  const values: Record<string, string> = {};
  for (const [rawName, value] of pairs) {
    const name = rawName.toLowerCase();
    if (!known.has(name)) continue;
    if (Object.hasOwn(values, name)) return failure('malformed', `${name} is given more than once`, [4, 0]);
    values[name] = value;
  }
  const parsed = assistNotificationSchema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? '(root)');
    const missing = values[field] === undefined;
    const second = FIELD_SECONDCODES[field] ?? 0;
    const orderNumber = typeof values.ordernumber === 'string' ? values.ordernumber : undefined;
    return failure(
      'malformed',
      missing ? `${field} is missing` : `${field} is not in the expected format`,
      [missing ? 3 : 4, second],
      orderNumber,
    );
  }
  return { ok: true, fields: parsed.data };
}

export interface VerifyAssistNotificationOptions {
  /**
   * Refuse a notification whose `testmode` differs (MAGE-BY does this). Pass the shop record's mode, or
   * `config.testMode`; omitted = not checked.
   */
  expectTestMode?: boolean | undefined;
}

function moneyOf(amount: string, currency: string): Money | undefined {
  if (!(ASSIST_CURRENCIES as readonly string[]).includes(currency)) return undefined;
  try {
    return parseGatewayMoney(amount, currency as AssistCurrency, { allowZero: true });
  } catch {
    return undefined;
  }
}

/**
 * Parses and verifies a notification: the fields' formats, `merchant_id` = ours, then the checkvalue over
 * `merchant_id + ordernumber + amount + currency + orderstate` as posted (constant-time, any hex case).
 *
 * A verified notification proves that Assist reports this state for this bill. The caller still checks the amount
 * and currency against its own record of the order before fulfilling it.
 */
export function verifyAssistNotification(
  config: AssistConfig,
  input: AssistNotificationInput,
  options: VerifyAssistNotificationOptions = {},
): AssistNotificationResult {
  const read = parseAssistNotification(input);
  if (!read.ok) return read;
  const f = read.fields;
  if (f.merchant_id !== config.merchantId) {
    return failure('merchant_mismatch', 'merchant_id is not this merchant', [5, 100], f.ordernumber);
  }
  if (!verifyNotificationCheckvalue(config.secretWord, f, f.checkvalue)) {
    return failure('signature_mismatch', 'checkvalue does not verify (check secretWord)', [9, 0], f.ordernumber);
  }
  const testMode = f.testmode === undefined ? undefined : f.testmode === '1';
  if (options.expectTestMode !== undefined && testMode !== undefined && testMode !== options.expectTestMode) {
    return failure('test_mode_mismatch', 'testmode differs from the expected mode', [5, 212], f.ordernumber);
  }
  const orderState = f.orderstate.trim();
  const notification: AssistNotification = {
    fields: f,
    orderNumber: f.ordernumber,
    billNumber: f.billnumber,
    orderState,
    knownState: isAssistOrderState(orderState),
    event: assistEventKind(orderState),
    amount: moneyOf(f.amount, f.currency),
    testMode,
    operationType: f.operationtype === undefined ? undefined : Number(f.operationtype),
  };
  return { ok: true, notification };
}
