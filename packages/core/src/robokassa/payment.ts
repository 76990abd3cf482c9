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

import { type HashAlgorithm, hashHex } from '../hash.js';
import { maskSecrets, type Secret } from '../secret.js';
import { type Country, DEFAULT_BASE_URLS, passwordsFor, type RobokassaConfig } from './config.js';
import { formUrlEncode, formUrlEncodeAgain } from './encoding.js';
import { checkPaymentParams, type PaymentParams, parsePaymentParams, type RedirectTarget } from './payment-params.js';
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

/** The optional signed parts, as the builder's validated params and `PaymentSignatureParts` both carry them. */
interface SignedModifiers {
  readonly outSumCurrency?: string | undefined;
  readonly userIp?: string | undefined;
  readonly stepByStep?: boolean | undefined;
  readonly resultUrl2?: string | undefined;
  readonly successUrl2?: RedirectTarget | undefined;
  readonly failUrl2?: RedirectTarget | undefined;
  readonly token?: string | undefined;
}

/**
 * Everything before the password, with the trailing `:` — the one implementation of the order of §1.2, used by the
 * builder and by `paymentSignatureBase` (the CLI). Optional parts are appended only when present and non-empty.
 */
function signatureHead(
  login: string,
  outSum: string,
  invId: string | number,
  receipt: string | undefined,
  m: SignedModifiers,
): string {
  let head = `${login}:${outSum}:${invId}`;
  if (m.outSumCurrency) head += `:${m.outSumCurrency}`;
  if (m.userIp) head += `:${m.userIp}`;
  if (receipt) head += `:${receipt}`;
  if (m.stepByStep) head += ':true';
  if (m.resultUrl2) head += `:${m.resultUrl2}`;
  if (m.successUrl2) head += `:${m.successUrl2.url}:${m.successUrl2.method}`;
  if (m.failUrl2) head += `:${m.failUrl2.url}:${m.failUrl2.method}`;
  if (m.token) head += `:${m.token}`;
  return `${head}:`;
}

/**
 * `MerchantLogin:OutSum:InvId[:OutSumCurrency][:UserIp][:Receipt][:true][:ResultUrl2]
 * [:SuccessUrl2:SuccessUrl2Method][:FailUrl2:FailUrl2Method][:Token]:Password1[:Shp_a=…:Shp_b=…]` (protocol §1.2).
 * Low level: no validation; values must already be what Robokassa receives.
 */
export function paymentSignatureBase(parts: PaymentSignatureParts): string {
  const password = typeof parts.password === 'string' ? parts.password : parts.password.reveal();
  const head = signatureHead(parts.login, parts.outSum, parts.invId, parts.receipt, parts);
  return head + password + shpSignatureSuffix(parts.shp ?? []);
}

/** Lower-case hex signature of `paymentSignatureBase(parts)`. */
export function paymentSignature(parts: PaymentSignatureParts, algorithm: HashAlgorithm): string {
  return hashHex(algorithm, paymentSignatureBase(parts));
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
  const p = parsePaymentParams(params);
  const receipt = checkPaymentParams(config, p);
  const outSum = p.outSum.text;
  const isTest = p.isTest ?? config.testMode;
  // IsTest=1 is signed with the test Password #1 (passwordsFor throws TEST_PASSWORDS_MISSING without the test pair).
  const password1 = isTest ? passwordsFor(config, true).password1 : config.password1;

  const head = signatureHead(config.login, outSum, p.invId, receipt, p);
  const tail = shpSignatureSuffix(p.shp.map((s) => ({ name: s.name, value: s.received })));
  const signature = hashHex(config.algorithm, head + password1.reveal() + tail);

  // Fields in a fixed order, Shp_ last and sorted as signed. The query is built alongside: values that validation
  // already restricts to `[A-Za-z0-9._-]` (amounts, ids, labels, hex, constants) are copied as they are, the rest
  // encoded. Field names are fixed ASCII or `Shp_[a-z0-9_]`: nothing in them needs encoding.
  const constants = configConstants(config);
  const fields: PaymentFormField[] = [
    { name: 'MerchantLogin', value: config.login },
    { name: 'OutSum', value: outSum },
    { name: 'InvId', value: p.invId },
    { name: 'Description', value: p.description },
    { name: 'SignatureValue', value: signature },
  ];
  let query = `MerchantLogin=${constants.login}&OutSum=${outSum}&InvId=${p.invId}&Description=${formUrlEncode(p.description)}&SignatureValue=${signature}`;
  if (p.outSumCurrency) {
    fields.push({ name: 'OutSumCurrency', value: p.outSumCurrency });
    query += `&OutSumCurrency=${p.outSumCurrency}`;
  }
  if (p.userIp) {
    fields.push({ name: 'UserIp', value: p.userIp });
    query += `&UserIp=${formUrlEncode(p.userIp)}`;
  }
  if (p.incCurrLabel) {
    fields.push({ name: 'IncCurrLabel', value: p.incCurrLabel });
    query += `&IncCurrLabel=${p.incCurrLabel}`;
  }
  if (p.paymentMethods) {
    for (const m of p.paymentMethods) {
      fields.push({ name: 'PaymentMethods', value: m });
      query += `&PaymentMethods=${m}`;
    }
  }
  const culture = p.culture ?? config.culture;
  if (culture) {
    fields.push({ name: 'Culture', value: culture });
    query += `&Culture=${culture}`;
  }
  // Older docs default to Windows-1251, which garbles UTF-8 descriptions and Shp values (protocol §7.7).
  fields.push({ name: 'Encoding', value: 'utf-8' });
  query += '&Encoding=utf-8';
  if (p.email) {
    fields.push({ name: 'Email', value: p.email });
    query += `&Email=${formUrlEncode(p.email)}`;
  }
  if (p.expirationDate) {
    fields.push({ name: 'ExpirationDate', value: p.expirationDate });
    query += `&ExpirationDate=${formUrlEncode(p.expirationDate)}`;
  }
  if (isTest) {
    fields.push({ name: 'IsTest', value: '1' });
    query += '&IsTest=1';
  }
  if (receipt) {
    fields.push({ name: 'Receipt', value: receipt });
    query += `&Receipt=${formUrlEncodeAgain(receipt)}`;
  }
  if (p.stepByStep) {
    fields.push({ name: 'StepByStep', value: 'true' });
    query += '&StepByStep=true';
  }
  if (p.recurring) {
    fields.push({ name: 'Recurring', value: 'true' });
    query += '&Recurring=true';
  }
  if (p.resultUrl2) {
    fields.push({ name: 'ResultUrl2', value: p.resultUrl2 });
    query += `&ResultUrl2=${formUrlEncode(p.resultUrl2)}`;
  }
  if (p.successUrl2) {
    const { url, method } = p.successUrl2;
    fields.push({ name: 'SuccessUrl2', value: url }, { name: 'SuccessUrl2Method', value: method });
    query += `&SuccessUrl2=${formUrlEncode(url)}&SuccessUrl2Method=${method}`;
  }
  if (p.failUrl2) {
    const { url, method } = p.failUrl2;
    fields.push({ name: 'FailUrl2', value: url }, { name: 'FailUrl2Method', value: method });
    query += `&FailUrl2=${formUrlEncode(url)}&FailUrl2Method=${method}`;
  }
  if (p.token) {
    fields.push({ name: 'Token', value: p.token });
    query += `&Token=${p.token}`;
  }
  for (const s of p.shp) {
    fields.push({ name: s.name, value: s.received });
    query += `&${s.name}=${formUrlEncodeAgain(s.received)}`;
  }

  // Card-on-file payments have their own entry point (DOC-pay «Оплата по сохраненной карте»).
  const action = p.token ? constants.cofAction : constants.indexAction;
  return new SignedPaymentRequest(`${action}?${query}`, { action, method: 'POST', fields }, signature, isTest, {
    head,
    tail,
    password: password1,
  });
}

interface BaseParts {
  readonly head: string;
  readonly tail: string;
  readonly password: Secret;
}

/**
 * The `PaymentRequest` the builder returns. `signatureBase` is masked on first read: most callers never print it,
 * and checking the base for stray copies of the password is a good share of the hot path's cost otherwise.
 */
class SignedPaymentRequest implements PaymentRequest {
  readonly url: string;
  readonly form: PaymentRequest['form'];
  readonly signature: string;
  readonly isTest: boolean;
  #parts: BaseParts | undefined;
  #masked: string | undefined;

  constructor(url: string, form: PaymentRequest['form'], signature: string, isTest: boolean, parts: BaseParts) {
    this.url = url;
    this.form = form;
    this.signature = signature;
    this.isTest = isTest;
    this.#parts = parts;
  }

  get signatureBase(): string {
    if (this.#masked === undefined) {
      const parts = this.#parts as BaseParts;
      this.#masked = maskedBase(parts.head, parts.tail, parts.password);
      this.#parts = undefined;
    }
    return this.#masked;
  }

  toJSON(): Omit<PaymentRequest, never> {
    return {
      url: this.url,
      form: this.form,
      signature: this.signature,
      signatureBase: this.signatureBase,
      isTest: this.isTest,
    };
  }
}
