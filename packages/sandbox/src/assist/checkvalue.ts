import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Assist's MD5 checkvalues, computed here with node:crypto and nothing shared with @kassa/core or with the
 * sandbox's Robokassa signatures, so that a bug in either cannot hide.
 *
 * `checkvalue = UPPER(md5hex(UPPER(md5hex(SALT) + md5hex(X))))` over UTF-8 bytes (assist.md §1.2); only X differs
 * between the request, the notification and the web-service answers.
 */

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

export function checkvalue(secretWord: string, x: string): string {
  return md5(`${md5(secretWord)}${md5(x)}`.toUpperCase()).toUpperCase();
}

/** What order.cfm signs. `orderCurrency` is undefined when the shop sent none (it then drops out of X, §1.2). */
export interface RequestFields {
  merchantId: string;
  orderNumber: string;
  orderAmount: string;
  orderCurrency?: string | undefined;
  /** OrderMaxPoints, CustomerNumber, Disable3DS, Prepayment, in that order, as sent (absent = undefined). */
  optional: Array<string | undefined>;
}

/**
 * The request's X (§1.2): variant A joins with `;` and appends each optional field only when it was sent and is
 * not zero, in the SDK's order; variant B (the legacy per-merchant setting) concatenates the four order fields.
 * The legacy mode predates the optional fields, so nothing else is appended there (a guess: no source says).
 */
export function requestString(mode: 'semicolon' | 'concat', f: RequestFields): string {
  const head = [f.merchantId, f.orderNumber, f.orderAmount];
  if (f.orderCurrency !== undefined && f.orderCurrency !== '') head.push(f.orderCurrency);
  if (mode === 'concat') return head.join('');
  const tail = f.optional.filter((v): v is string => v !== undefined && v !== '' && v !== '0');
  return [...head, ...tail].join(';');
}

/** The notification's X: merchant_id, ordernumber, amount, currency, orderstate «без разделителей» (§2.2). */
export function notificationString(
  merchantId: string,
  orderNumber: string,
  amount: string,
  currency: string,
  orderState: string,
): string {
  return `${merchantId}${orderNumber}${amount}${currency}${orderState}`;
}

/** A checkvalue from the shop, compared in any letter case (§11), in constant time; nothing is trimmed. */
export function checkvalueEquals(expected: string, received: string): boolean {
  const a = Buffer.from(expected.toUpperCase(), 'utf8');
  const b = Buffer.from(received.toUpperCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
