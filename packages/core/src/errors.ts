/**
 * One error type for the whole of Kassa. Every failure a merchant or a shop developer can meet carries a stable
 * `code` that is documented in packages/core/README.md ("Error codes") with its cause and its fix.
 *
 * Messages and details never contain a secret (passwords, signatures' bases with passwords, tokens): errors travel
 * into logs and error trackers, so whatever is put here must be safe to print.
 */
export const KASSA_ERROR_CODES = [
  // configuration
  'CONFIG_INVALID',
  'TEST_PASSWORDS_MISSING',
  'PASSWORD3_MISSING',
  // money
  'MONEY_NOT_A_STRING',
  'MONEY_INVALID_FORMAT',
  'MONEY_TOO_PRECISE',
  'MONEY_NEGATIVE',
  'MONEY_ZERO',
  'MONEY_TOO_LARGE',
  'MONEY_CURRENCY_MISMATCH',
  'MONEY_UNKNOWN_CURRENCY',
  // payment request
  'PAYMENT_INVALID',
  'DESCRIPTION_TOO_LONG',
  'INVOICE_ID_OUT_OF_RANGE',
  'EMAIL_INVALID',
  'SHP_NAME_INVALID',
  'SHP_DUPLICATE',
  'SHP_TOO_LONG',
  // fiscal receipt
  'RECEIPT_INVALID',
  'RECEIPT_TOTAL_MISMATCH',
  'RECEIPT_TAX_NOT_ALLOWED',
  // callbacks
  'CALLBACK_MALFORMED',
  'SIGNATURE_MISMATCH',
  'AMOUNT_MISMATCH',
  'CURRENCY_MISMATCH',
  'UNKNOWN_INVOICE',
  'JWS_INVALID',
  'JWS_EXPIRED',
  // ledger / state
  'LEDGER_CONFLICT',
  'INVALID_TRANSITION',
  // gateway APIs
  'API_INPUT_INVALID',
  'GATEWAY_UNREACHABLE',
  'GATEWAY_TIMEOUT',
  'GATEWAY_HTTP_ERROR',
  'GATEWAY_BAD_RESPONSE',
  'GATEWAY_RESULT_CODE',
  'REFUND_REJECTED',
  'HOLD_REJECTED',
  'RECURRING_REJECTED',
  'FISCAL_REJECTED',
  // assist (IPS Assist, paysecure.ru / paysec.by; see docs/assist.md)
  /** A web-service call without the web-service login/password in the settings. */
  'ASSIST_CREDENTIALS_MISSING',
  /** A web-service reply with firstcode ≠ 0 (details: firstCode, secondCode, explanation). */
  'ASSIST_GATEWAY_ERROR',
  /** charge/cancel/rp answered without an error code but the operation did not succeed (responsecode ≠ AS000). */
  'ASSIST_OPERATION_REJECTED',
  /** An orderstate/orderresult reply whose checkvalue does not verify with the secret word. */
  'ASSIST_CHECKVALUE_MISMATCH',
] as const;

export type KassaErrorCode = (typeof KASSA_ERROR_CODES)[number];

/**
 * Codes that mean "the caller's input or the merchant's settings are wrong" (fix the request, do not retry), as
 * opposed to a gateway, state or security outcome. Platforms map these to their own "invalid data" answer; keeping
 * the list here means a new input code cannot be forgotten by a plugin.
 */
export const KASSA_INPUT_ERROR_CODES: readonly KassaErrorCode[] = [
  'CONFIG_INVALID',
  'TEST_PASSWORDS_MISSING',
  'PASSWORD3_MISSING',
  'MONEY_NOT_A_STRING',
  'MONEY_INVALID_FORMAT',
  'MONEY_TOO_PRECISE',
  'MONEY_NEGATIVE',
  'MONEY_ZERO',
  'MONEY_TOO_LARGE',
  'MONEY_CURRENCY_MISMATCH',
  'MONEY_UNKNOWN_CURRENCY',
  'PAYMENT_INVALID',
  'DESCRIPTION_TOO_LONG',
  'INVOICE_ID_OUT_OF_RANGE',
  'EMAIL_INVALID',
  'SHP_NAME_INVALID',
  'SHP_DUPLICATE',
  'SHP_TOO_LONG',
  'RECEIPT_INVALID',
  'RECEIPT_TOTAL_MISMATCH',
  'RECEIPT_TAX_NOT_ALLOWED',
  'API_INPUT_INVALID',
  // assist
  'ASSIST_CREDENTIALS_MISSING',
];

/** True for a code in `KASSA_INPUT_ERROR_CODES`: the request or settings must change before trying again. */
export function isInputErrorCode(code: KassaErrorCode): boolean {
  return KASSA_INPUT_ERROR_CODES.includes(code);
}

export interface KassaErrorOptions {
  /** Safe, non-secret facts that help a developer (field names, expected formats, gateway result codes). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class KassaError extends Error {
  override readonly name = 'KassaError';
  readonly code: KassaErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: KassaErrorCode, message: string, options: KassaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  /** A link-friendly key for the README's error table, e.g. `SIGNATURE_MISMATCH` → `#signature_mismatch`. */
  get docsAnchor(): string {
    return `#${this.code.toLowerCase()}`;
  }

  toJSON(): { name: string; code: KassaErrorCode; message: string; details: Record<string, unknown> } {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

export function isKassaError(value: unknown, code?: KassaErrorCode): value is KassaError {
  return value instanceof KassaError && (code === undefined || value.code === code);
}

/** One problem with an input, as `details.issues` lists it: where, what, and its own code. */
export interface KassaIssue {
  readonly path: string;
  readonly problem: string;
  readonly code: KassaErrorCode;
}

/** What `kassaErrorFromZod` reads of a zod error (any zod version's `ZodError` fits). */
export interface ZodErrorLike {
  readonly issues: ReadonlyArray<{ readonly path: ReadonlyArray<PropertyKey>; readonly message: string }>;
}

export interface KassaErrorFromIssuesOptions {
  /** Extra facts for `details`, beside `issues`. */
  details?: Record<string, unknown>;
  /** How `details.issues` names the location: `path` (default) or `key` (settings and API input, as documented). */
  pathKey?: 'path' | 'key';
  /** Whether `details.issues` lists each issue's code (default true). */
  issueCodes?: boolean;
  /** The message for the code the error ends up with; default: `message` as given. */
  messageFor?: (code: KassaErrorCode) => string;
}

/**
 * The one `KassaError` for a list of input problems: message `<message>: a.b (problem); c (problem)`, `details.issues`
 * listing each. When every issue carries the same code the error takes it (one kind of problem keeps its own code,
 * e.g. DESCRIPTION_TOO_LONG); otherwise it is `code`.
 */
export function kassaErrorFromIssues(
  code: KassaErrorCode,
  message: string,
  issues: readonly KassaIssue[],
  options: KassaErrorFromIssuesOptions = {},
): KassaError {
  const first = issues[0];
  const errorCode = first !== undefined && issues.every((i) => i.code === first.code) ? first.code : code;
  const list = issues.map((i) => `${i.path} (${i.problem})`).join('; ');
  const where = options.pathKey ?? 'path';
  const listed = issues.map((i) => ({
    [where]: i.path,
    problem: i.problem,
    ...(options.issueCodes === false ? {} : { code: i.code }),
  }));
  return new KassaError(errorCode, `${options.messageFor?.(errorCode) ?? message}: ${list}`, {
    details: { ...options.details, issues: listed },
  });
}

export interface KassaErrorFromZodOptions extends KassaErrorFromIssuesOptions {
  /** How an issue about the whole input is located (default `(root)`). */
  root?: string;
  /** An issue's code when a refinement did not tag it with `params.kassaCode`; default: the error's `code`. */
  issueCode?: (path: ReadonlyArray<PropertyKey>) => KassaErrorCode | undefined;
}

/**
 * The zod issues of a failed `safeParse` as one `KassaError` (see `kassaErrorFromIssues`). A refinement can give its
 * issue a code with `ctx.addIssue({ …, params: { kassaCode } })`. Messages name paths, never values.
 */
export function kassaErrorFromZod(
  code: KassaErrorCode,
  message: string,
  error: ZodErrorLike,
  options: KassaErrorFromZodOptions = {},
): KassaError {
  const issues = error.issues.map((issue): KassaIssue => {
    const tagged = (issue as { params?: { kassaCode?: KassaErrorCode } }).params?.kassaCode;
    return {
      path: issue.path.length === 0 ? (options.root ?? '(root)') : issue.path.map(String).join('.'),
      problem: issue.message,
      code: tagged ?? options.issueCode?.(issue.path) ?? code,
    };
  });
  return kassaErrorFromIssues(code, message, issues, options);
}
