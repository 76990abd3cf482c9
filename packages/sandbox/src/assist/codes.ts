/**
 * Assist's answer codes (assist.md §3.7): `firstcode` says what kind of error, `secondcode` which parameter or
 * object. The sandbox uses the same pair on its order.cfm error page and in every web-service reply.
 */

export const FIRST = {
  ok: 0,
  missing: 3,
  format: 4,
  invalid: 5,
  encryption: 9,
  auth: 7,
  notFound: 10,
  duplicate: 11,
  forbiddenObject: 14,
  forbiddenOperation: 15,
  limits: 17,
} as const;

export const SECOND = {
  none: 0,
  merchantId: 100,
  login: 101,
  password: 102,
  format: 103,
  date: 104,
  currency: 105,
  orderNumber: 107,
  amount: 108,
  delay: 109,
  comment: 110,
  startDate: 129,
  endDate: 130,
  loginPassword: 141,
  billNumber: 143,
  merchant: 200,
  order: 201,
  limit: 211,
  cancelAuthorization: 300,
  refund: 301,
  financialConfirmation: 302,
  recurring: 320,
} as const;

const FIRST_TEXT: Record<number, string> = {
  0: 'success',
  3: 'missing mandatory parameter',
  4: 'parameter format error',
  5: 'invalid parameter value',
  7: 'authentication error',
  9: 'encryption error',
  10: 'object missing',
  11: 'duplicate object',
  14: 'forbidden object',
  15: 'forbidden operation',
  17: 'limits error',
};

const SECOND_TEXT: Record<number, string> = {
  0: '',
  100: 'MERCHANT_ID',
  101: 'LOGIN',
  102: 'PASSWORD',
  103: 'FORMAT',
  104: 'DATE',
  105: 'CURRENCY',
  107: 'ORDERNUMBER',
  108: 'AMOUNT',
  109: 'DELAY',
  110: 'COMMENT',
  129: 'Start date',
  130: 'End date',
  141: 'LOGIN and/or PASSWORD',
  143: 'BILLNUMBER',
  200: 'merchant',
  201: 'order',
  211: 'limit',
  300: 'cancel authorization',
  301: 'refund',
  302: 'financial confirmation',
  320: 'recurring',
};

/** A refusal: the two codes plus what exactly the sandbox found wrong (diagnostics, never a secret). */
export interface AssistError {
  firstcode: number;
  secondcode: number;
  detail: string;
  /** For a wrong checkvalue: the X the sandbox hashed (the secret word is not part of it). */
  expectedString?: string | undefined;
}

export function assistError(firstcode: number, secondcode: number, detail: string, expectedString?: string) {
  return { firstcode, secondcode, detail, expectedString } satisfies AssistError;
}

export function describeCodes(firstcode: number, secondcode: number): string {
  const second = SECOND_TEXT[secondcode];
  return `${FIRST_TEXT[firstcode] ?? 'error'}${second ? `: ${second}` : ''}`;
}
