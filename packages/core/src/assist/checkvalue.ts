/**
 * Assist's MD5 "checkvalue" (protocol notes §1.2, §2.2, §3.1):
 *
 *   checkvalue = UPPER( md5hex( UPPER( md5hex(SALT) + md5hex(X) ) ) )
 *
 * SALT is the merchant's secret word, md5hex is lower-case hex over UTF-8 bytes, and both inner digests are
 * upper-cased together before the outer MD5. What X is differs per message:
 *
 * - payment request: `Merchant_ID;OrderNumber;OrderAmount;OrderCurrency[;OrderMaxPoints][;CustomerNumber]
 *   [;Disable3DS][;Prepayment]`, optional parts only when sent and non-zero; or, for legacy merchants, the same
 *   values without delimiters;
 * - result notification: `merchant_id + ordernumber + amount + currency + orderstate`, no delimiters, values as
 *   POSTed (the operation's amount/currency);
 * - orderstate/orderresult order: `merchant_id + ordernumber + orderamount + ordercurrency + orderstate`.
 *
 * Every function takes the values exactly as they travel: the checkvalue is over strings, never over parsed amounts.
 */
import { hashHex, signaturesEqual } from '../hash.js';
import type { Secret } from '../secret.js';
import type { CheckvalueMode } from './config.js';

/** The checkvalue of an already-built X. */
export function assistCheckvalue(secretWord: Secret | string, x: string): string {
  const salt = typeof secretWord === 'string' ? secretWord : secretWord.reveal();
  return hashHex('md5', (hashHex('md5', salt) + hashHex('md5', x)).toUpperCase()).toUpperCase();
}

/**
 * Compares a received checkvalue with the expected one: any hex case, constant time over the content (a length
 * mismatch or a non-hex value returns early; both are the sender's own input).
 */
export function checkvaluesEqual(expected: string, received: string): boolean {
  return signaturesEqual(expected, received);
}

/** The values of a payment request that enter X, as sent. Optional parts count only when present and not zero. */
export interface PaymentCheckvalueParts {
  merchantId: string;
  orderNumber: string;
  orderAmount: string;
  /** Always send a currency; it is optional here only to reproduce integrations that leave it out (vector 1). */
  orderCurrency?: string | undefined;
  orderMaxPoints?: string | undefined;
  customerNumber?: string | undefined;
  disable3DS?: string | undefined;
  prepayment?: string | undefined;
}

/** "Sent and non-zero" (official SDK: PHP truthiness drops `''` and `'0'`). */
function present(value: string | undefined): value is string {
  return value !== undefined && value !== '' && value !== '0';
}

/**
 * X of a payment request. In `concat` mode the optional parts are appended without a delimiter too: no source shows
 * a legacy merchant using them, and that is the only reading consistent with "without delimiters" (docs/assist.md).
 */
export function paymentCheckvalueBase(parts: PaymentCheckvalueParts, mode: CheckvalueMode): string {
  const separator = mode === 'semicolon' ? ';' : '';
  const values = [parts.merchantId, parts.orderNumber, parts.orderAmount];
  if (parts.orderCurrency !== undefined && parts.orderCurrency !== '') values.push(parts.orderCurrency);
  for (const optional of [parts.orderMaxPoints, parts.customerNumber, parts.disable3DS, parts.prepayment]) {
    if (present(optional)) values.push(optional);
  }
  return values.join(separator);
}

export function paymentCheckvalue(
  secretWord: Secret | string,
  parts: PaymentCheckvalueParts,
  mode: CheckvalueMode,
): string {
  return assistCheckvalue(secretWord, paymentCheckvalueBase(parts, mode));
}

/** The notification fields that enter X (§2.2), exactly as POSTed. */
export interface NotificationCheckvalueParts {
  merchant_id: string;
  ordernumber: string;
  amount: string;
  currency: string;
  orderstate: string;
}

export function notificationCheckvalueBase(p: NotificationCheckvalueParts): string {
  return p.merchant_id + p.ordernumber + p.amount + p.currency + p.orderstate;
}

export function notificationCheckvalue(secretWord: Secret | string, parts: NotificationCheckvalueParts): string {
  return assistCheckvalue(secretWord, notificationCheckvalueBase(parts));
}

/** True when the notification's `checkvalue` matches (constant-time, any hex case). */
export function verifyNotificationCheckvalue(
  secretWord: Secret | string,
  parts: NotificationCheckvalueParts,
  received: string,
): boolean {
  return checkvaluesEqual(notificationCheckvalue(secretWord, parts), received);
}

/** The fields of an orderstate/orderresult `<order>` that enter X (§3.1): the order's, not an operation's. */
export interface OrderCheckvalueParts {
  merchant_id: string;
  ordernumber: string;
  orderamount: string;
  ordercurrency: string;
  orderstate: string;
}

export function orderCheckvalueBase(p: OrderCheckvalueParts): string {
  return p.merchant_id + p.ordernumber + p.orderamount + p.ordercurrency + p.orderstate;
}

export function orderCheckvalue(secretWord: Secret | string, parts: OrderCheckvalueParts): string {
  return assistCheckvalue(secretWord, orderCheckvalueBase(parts));
}

export function verifyOrderCheckvalue(
  secretWord: Secret | string,
  parts: OrderCheckvalueParts,
  received: string,
): boolean {
  return checkvaluesEqual(orderCheckvalue(secretWord, parts), received);
}
