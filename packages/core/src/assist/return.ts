/**
 * The buyer's return from the payment page to URL_RETURN_OK / URL_RETURN_NO / URL_RETURN (protocol notes §2.4).
 *
 * **Never trusted.** Assist does not sign the redirect: anyone can open `…/ok?billnumber=…&ordernumber=…`. Neither
 * which URL was hit nor anything in the query proves a payment (NOP-S marked orders paid this way). Use the result
 * only to know which order to look at, then confirm with a verified notification or a server-side
 * `getOrderState`/`getOrderResult` call (§2.4: «an additional request about the authorization result»). A return to
 * the NO/plain URL may carry any state, including `In Process`.
 */

/** Which return URL the buyer came back to; the shop knows it from its own route, Assist says nothing. */
export type AssistReturnOutcome = 'ok' | 'no' | 'unknown';

export interface AssistReturn {
  /** Always false: a reminder in the type that nothing here is proof. */
  readonly trusted: false;
  readonly outcome: AssistReturnOutcome;
  /** The order number as the query carries it (URL-decoded once), if present and plausible. */
  readonly orderNumber?: string | undefined;
  /** The bill number (digits, optional `.k`), if present and well-formed. */
  readonly billNumber?: string | undefined;
  /** `payerdenial=1` (seen in the wild): the buyer cancelled on the page. Informational. */
  readonly payerDenial?: boolean | undefined;
}

const BILLNUMBER = /^\d{6,20}(\.\d{1,4})?$/;

/**
 * Reads a return query string (or `URLSearchParams`). Malformed or missing values become `undefined`; nothing
 * throws, because the input is whatever the buyer's browser (or anyone) sent.
 */
export function parseAssistReturn(
  query: string | URLSearchParams,
  outcome: AssistReturnOutcome = 'unknown',
): AssistReturn {
  const params =
    typeof query === 'string'
      ? new URLSearchParams(query.includes('?') ? query.slice(query.indexOf('?') + 1) : query)
      : query;
  // Names case-insensitively, first occurrence wins: the values are hints, not evidence.
  let orderNumber: string | undefined;
  let billNumber: string | undefined;
  let payerDenial: boolean | undefined;
  for (const [rawName, value] of params) {
    const name = rawName.toLowerCase();
    if (name === 'ordernumber' && orderNumber === undefined) {
      if (value.length >= 1 && value.length <= 128) orderNumber = value;
    } else if (name === 'billnumber' && billNumber === undefined) {
      if (BILLNUMBER.test(value)) billNumber = value;
    } else if (name === 'payerdenial' && payerDenial === undefined) {
      payerDenial = value === '1';
    }
  }
  return { trusted: false, outcome, orderNumber, billNumber, payerDenial };
}
