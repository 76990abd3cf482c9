import { hash } from 'node:crypto';
import type { HashAlgorithm } from '../hash.js';
import { maskSecrets, type Secret } from '../secret.js';
import { type Country, DEFAULT_BASE_URLS, passwordsFor, type RobokassaConfig } from './config.js';
import { formUrlEncode, formUrlEncodeAgain } from './encoding.js';
import { normalizePayment, type PaymentParams, type RedirectTarget } from './payment-params.js';
import { type ShpEntry, shpSignatureSuffix } from './shp.js';

export {
  CULTURES,
  type Culture,
  formatExpirationDate,
  MAX_DESCRIPTION_LENGTH,
  MAX_INVOICE_ID,
  OUT_SUM_CURRENCIES,
  type OutSumCurrency,
  type PaymentParams,
  paymentParamsSchema,
  type RedirectTarget,
  SHOP_CURRENCY,
} from './payment-params.js';

/**
 * Payment initiation: the signed request that sends a buyer to Robokassa's payment page (protocol §1).
 *
 * One rule drives every encoding decision here: **sign each value exactly as Robokassa receives it after one level of
 * decoding** (protocol §1.2, §4.3). So:
 * - a form field's value *is* that received value (the browser form-encodes it on submit);
 * - the GET URL carries every field value `formUrlEncode`d once;
 * - Shp values and the Receipt are urlencoded once by us before signing (official SDK, DOC-params, DOC-fisc), so
 *   their form values are already encoded and the GET URL has them twice (`Receipt=%257B…`);
 * - ResultUrl2 / SuccessUrl2 / FailUrl2 are signed unencoded (Robokassa support, byBenPuls/robokassa#20, 2025): their
 *   received value is the plain URL.
 */

export interface PaymentFormField {
  readonly name: string;
  /** What the browser should submit (it form-encodes it), i.e. what Robokassa receives after one decoding. */
  readonly value: string;
}

export interface PaymentRequest {
  /** The GET link: `…/Merchant/Index.aspx?…` with every value form-encoded. */
  readonly url: string;
  /** The same request as an HTML form (preferred with a Receipt: URLs have length limits). */
  readonly form: { readonly action: string; readonly method: 'POST'; readonly fields: readonly PaymentFormField[] };
  /** Lower-case hex. */
  readonly signature: string;
  /** The signed base with the password shown as `***`: safe to print. */
  readonly signatureBase: string;
  readonly isTest: boolean;
}

/**
 * The signed parts of a payment, as Robokassa receives them after one level of decoding. Absent or empty optional
 * parts are left out; `invId` keeps its slot even when empty (`login:10.00::pass`, DOC-params).
 */
export interface PaymentSignatureParts {
  login: string;
  outSum: string;
  invId: string | number;
  outSumCurrency?: string | undefined;
  userIp?: string | undefined;
  /** The received Receipt value: `receiptForSignature(receipt)` (urlencoded JSON). */
  receipt?: string | undefined;
  stepByStep?: boolean | undefined;
  resultUrl2?: string | undefined;
  successUrl2?: RedirectTarget | undefined;
  failUrl2?: RedirectTarget | undefined;
  token?: string | undefined;
  password: string | Secret;
  /** Received Shp entries (`{ name: 'Shp_order', value: 'abc+1' }`); sorted by name ignoring case if needed. */
  shp?: ReadonlyArray<ShpEntry> | undefined;
}

/** Everything before the password, with the trailing `:`. One function for the builder and for the CLI. */
function signatureHead(parts: Omit<PaymentSignatureParts, 'password' | 'shp'>): string {
  let head = `${parts.login}:${parts.outSum}:${parts.invId}`;
  if (parts.outSumCurrency) head += `:${parts.outSumCurrency}`;
  if (parts.userIp) head += `:${parts.userIp}`;
  if (parts.receipt) head += `:${parts.receipt}`;
  if (parts.stepByStep) head += ':true';
  if (parts.resultUrl2) head += `:${parts.resultUrl2}`;
  if (parts.successUrl2) head += `:${parts.successUrl2.url}:${parts.successUrl2.method}`;
  if (parts.failUrl2) head += `:${parts.failUrl2.url}:${parts.failUrl2.method}`;
  if (parts.token) head += `:${parts.token}`;
  return `${head}:`;
}

/**
 * `MerchantLogin:OutSum:InvId[:OutSumCurrency][:UserIp][:Receipt][:true][:ResultUrl2]
 * [:SuccessUrl2:SuccessUrl2Method][:FailUrl2:FailUrl2Method][:Token]:Password1[:Shp_a=…:Shp_b=…]` (protocol §1.2).
 * Low level: no validation; values must already be what Robokassa receives.
 */
export function paymentSignatureBase(parts: PaymentSignatureParts): string {
  const password = typeof parts.password === 'string' ? parts.password : parts.password.reveal();
  return signatureHead(parts) + password + shpSignatureSuffix(parts.shp ?? []);
}

/** Lower-case hex signature of `paymentSignatureBase(parts)`. */
export function paymentSignature(parts: PaymentSignatureParts, algorithm: HashAlgorithm): string {
  return signHex(algorithm, paymentSignatureBase(parts));
}

/**
 * `hashHex` with Node's one-shot `crypto.hash` (no Hash object per call): identical output (UTF-8 input, lower-case
 * hex; checked for all six algorithms in the tests) and noticeably cheaper on the payment hot path.
 */
function signHex(algorithm: HashAlgorithm, base: string): string {
  return hash(algorithm, base, 'hex');
}

/**
 * The base with the password shown as `***`. The password's own slot is known, so it is replaced positionally;
 * `maskSecrets` runs only in the odd case where the password also appears elsewhere (say, inside a Shp value) or
 * contains `*`, so a printed base can never reveal it.
 */
function maskedBase(head: string, tail: string, password: Secret): string {
  const value = password.reveal();
  const masked = `${head}***${tail}`;
  return head.includes(value) || tail.includes(value) || value.includes('*') ? maskSecrets(masked, [password]) : masked;
}

interface ConfigConstants {
  rawLogin: string;
  merchant: string;
  login: string;
  indexAction: string;
  cofAction: string;
}

/** Per-config strings that every request repeats; rebuilt if the config object was changed in place. */
const constantsByConfig = new WeakMap<RobokassaConfig, ConfigConstants>();

function configConstants(config: RobokassaConfig): ConfigConstants {
  let c = constantsByConfig.get(config);
  if (c === undefined || c.rawLogin !== config.login || c.merchant !== config.baseUrls.merchant) {
    c = {
      rawLogin: config.login,
      merchant: config.baseUrls.merchant,
      login: formUrlEncode(config.login),
      indexAction: `${config.baseUrls.merchant}/Merchant/Index.aspx`,
      cofAction: `${config.baseUrls.merchant}/Merchant/Payment/CoFPayment`,
    };
    constantsByConfig.set(config, c);
  }
  return c;
}

/** The payment host of a country: `https://auth.robokassa.ru` / `https://auth.robokassa.kz`. */
export function hostFor(country: Country): string {
  return DEFAULT_BASE_URLS[country].merchant;
}

// ---------------------------------------------------------------------------------------------------------------
// The request

/**
 * Builds the signed payment request: a GET URL and the equivalent POST form, the signature and a printable base.
 * Every parameter is validated first (typed errors, nothing is sent).
 *
 * @throws KassaError INVOICE_ID_OUT_OF_RANGE, DESCRIPTION_TOO_LONG, EMAIL_INVALID, SHP_NAME_INVALID, SHP_DUPLICATE,
 *   SHP_TOO_LONG, MONEY_* (outSum), MONEY_CURRENCY_MISMATCH, RECEIPT_INVALID, RECEIPT_TAX_NOT_ALLOWED,
 *   RECEIPT_TOTAL_MISMATCH, TEST_PASSWORDS_MISSING, PAYMENT_INVALID (anything else, or several problems at once;
 *   `details.issues` lists each with its own code).
 */
export function buildPaymentRequest(config: RobokassaConfig, params: PaymentParams): PaymentRequest {
  const p = normalizePayment(config, params);
  const isTest = p.isTest ?? config.testMode;
  const password1 = passwordsFor(config, isTest).password1;

  const head = signatureHead({
    login: config.login,
    outSum: p.outSum,
    invId: p.invId,
    outSumCurrency: p.outSumCurrency,
    userIp: p.userIp,
    receipt: p.receipt,
    stepByStep: p.stepByStep,
    resultUrl2: p.resultUrl2,
    successUrl2: p.successUrl2,
    failUrl2: p.failUrl2,
    token: p.token,
  });
  let tail = '';
  for (const s of p.shp) tail += `:${s.name}=${s.received}`;
  const signature = signHex(config.algorithm, head + password1.reveal() + tail);

  // Fields in a fixed order, Shp_ last and sorted as signed. `query` is built alongside: values that validation
  // already restricts to `[A-Za-z0-9._-]` (amounts, ids, labels, hex, constants) are copied as they are, the rest
  // encoded. Field names are fixed ASCII or `Shp_[a-z0-9_]`: nothing in them needs encoding.
  const constants = configConstants(config);
  const fields: PaymentFormField[] = [
    { name: 'MerchantLogin', value: config.login },
    { name: 'OutSum', value: p.outSum },
    { name: 'InvId', value: p.invId },
    { name: 'Description', value: p.description },
    { name: 'SignatureValue', value: signature },
  ];
  let query = `MerchantLogin=${constants.login}&OutSum=${p.outSum}&InvId=${p.invId}&Description=${formUrlEncode(p.description)}&SignatureValue=${signature}`;
  const add = (name: string, value: string, inUrl: string): void => {
    fields.push({ name, value });
    query += `&${name}=${inUrl}`;
  };
  if (p.outSumCurrency) add('OutSumCurrency', p.outSumCurrency, p.outSumCurrency);
  if (p.userIp) add('UserIp', p.userIp, formUrlEncode(p.userIp));
  if (p.incCurrLabel) add('IncCurrLabel', p.incCurrLabel, p.incCurrLabel);
  if (p.paymentMethods) for (const m of p.paymentMethods) add('PaymentMethods', m, m);
  const culture = p.culture ?? config.culture;
  if (culture) add('Culture', culture, culture);
  // Older docs default to Windows-1251, which garbles UTF-8 descriptions and Shp values (protocol §7.7).
  add('Encoding', 'utf-8', 'utf-8');
  if (p.email) add('Email', p.email, formUrlEncode(p.email));
  if (p.expirationDate) add('ExpirationDate', p.expirationDate, formUrlEncode(p.expirationDate));
  if (isTest) add('IsTest', '1', '1');
  if (p.receipt) add('Receipt', p.receipt, formUrlEncodeAgain(p.receipt));
  if (p.stepByStep) add('StepByStep', 'true', 'true');
  if (p.recurring) add('Recurring', 'true', 'true');
  if (p.resultUrl2) add('ResultUrl2', p.resultUrl2, formUrlEncode(p.resultUrl2));
  if (p.successUrl2) {
    add('SuccessUrl2', p.successUrl2.url, formUrlEncode(p.successUrl2.url));
    add('SuccessUrl2Method', p.successUrl2.method, p.successUrl2.method);
  }
  if (p.failUrl2) {
    add('FailUrl2', p.failUrl2.url, formUrlEncode(p.failUrl2.url));
    add('FailUrl2Method', p.failUrl2.method, p.failUrl2.method);
  }
  if (p.token) add('Token', p.token, p.token);
  for (const s of p.shp) add(s.name, s.received, formUrlEncodeAgain(s.received));

  // Card-on-file payments have their own entry point (DOC-pay «Оплата по сохраненной карте»).
  const action = p.token ? constants.cofAction : constants.indexAction;
  let masked: string | undefined;
  return {
    url: `${action}?${query}`,
    form: { action, method: 'POST', fields },
    signature,
    // Computed on first read: most callers never print it, and masking is a good part of the hot path's cost.
    get signatureBase(): string {
      masked ??= maskedBase(head, tail, password1);
      return masked;
    },
    isTest,
  };
}
