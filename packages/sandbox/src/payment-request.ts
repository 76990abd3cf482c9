import { isIP } from 'node:net';
import type { HttpMethod, MerchantConfig } from './config.js';
import { parseExpirationDate } from './dates.js';
import { type PaymentError, paymentError } from './error-codes.js';
import { resolveCulture } from './i18n.js';
import { parseAmount } from './money.js';
import type { ParamBag } from './params.js';
import { checkReceipt } from './receipt.js';
import { type PaymentSignatureFields, paymentSignatureBase, paymentSignatureMatches } from './signature.js';
import type { Culture, Currency, SandboxStore } from './store.js';

/** The largest InvId the sandbox takes: 2^31−1, what older docs and libraries say (§1.1; newer docs allow int64). */
export const MAX_INV_ID = 2_147_483_647;

/** States in which an invoice counts as paid for error 40 (§1.6: "repeated payment of the same InvId"). */
const PAID_STATES = new Set([20, 50, 60, 80, 100]);

/** A payment request that passed every check of Index.aspx (or /Merchant/Recurring). */
export interface PaymentRequest {
  merchant: MerchantConfig;
  invIdSent: string;
  /** Undefined when the shop sent none or 0: Robokassa assigns the number. */
  invId: number | undefined;
  outSumSent: string;
  amount: number;
  currency: Currency;
  description: string;
  isTest: boolean;
  culture: Culture;
  email: string | undefined;
  incCurrLabel: string | undefined;
  paymentMethods: string[];
  receipt: string | undefined;
  hold: boolean;
  recurring: boolean;
  resultUrl2: string | undefined;
  successUrl2: string | undefined;
  successUrl2Method: HttpMethod | undefined;
  failUrl2: string | undefined;
  failUrl2Method: HttpMethod | undefined;
  userIp: string | undefined;
  token: string | undefined;
  expiresAt: Date | undefined;
  shp: Array<[string, string]>;
  warnings: string[];
}

export type PaymentRequestResult =
  | { ok: true; request: PaymentRequest }
  | { ok: false; error: PaymentError; culture: Culture };

export interface ValidationContext {
  store: SandboxStore;
  now: Date;
  acceptLanguage?: string | undefined;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CURRENCIES = new Set(['USD', 'EUR', 'KZT']);

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The fields of the Password #1 signature, read from the request (§1.2). */
export function signatureFields(bag: ParamBag, login: string): PaymentSignatureFields {
  return {
    login,
    outSum: bag.get('OutSum') ?? '',
    invId: bag.get('InvId', 'InvoiceID') ?? '',
    outSumCurrency: bag.nonEmpty('OutSumCurrency'),
    userIp: bag.nonEmpty('UserIp'),
    receipt: bag.nonEmpty('Receipt'),
    stepByStep: bag.nonEmpty('StepByStep'),
    resultUrl2: bag.nonEmpty('ResultUrl2'),
    successUrl2: bag.nonEmpty('SuccessUrl2'),
    successUrl2Method: bag.nonEmpty('SuccessUrl2Method'),
    failUrl2: bag.nonEmpty('FailUrl2'),
    failUrl2Method: bag.nonEmpty('FailUrl2Method'),
    token: bag.nonEmpty('Token'),
    shp: bag.shp(),
  };
}

/**
 * Validates a payment request the way the payment page does (§1.1, §1.2, §1.6, §8 "Emulator checklist").
 * Checked in this order: shop (26/25), test settings (23), amount (31), signature (29), then the other parameters
 * (30, 33, 64/65, 34) and finally a paid InvId reused outside test mode (40).
 */
export function validatePaymentRequest(bag: ParamBag, ctx: ValidationContext): PaymentRequestResult {
  const culture = resolveCulture(bag.get('Culture'), ctx.acceptLanguage);
  const fail = (error: PaymentError): PaymentRequestResult => ({ ok: false, error, culture });

  const login = bag.get('MerchantLogin', 'MrchLogin');
  if (login === undefined || login === '') return fail(paymentError(26, 'MerchantLogin is missing'));
  const merchant = ctx.store.merchants.get(login);
  if (!merchant) return fail(paymentError(26, `no shop with MerchantLogin "${login}" in the sandbox`));

  // IsTest=1 and only 1 switches to test mode; anything else is a real payment (§5.1).
  const isTest = bag.get('IsTest') === '1';
  if (!isTest && !merchant.active) return fail(paymentError(25, 'the shop is not active; only IsTest=1 works'));
  const password = isTest ? merchant.testPassword1 : merchant.password1;
  if (password === undefined) return fail(paymentError(23, 'IsTest=1 but the shop has no test passwords'));

  const outSumSent = bag.get('OutSum') ?? '';
  const amount = parseAmount(outSumSent);
  if (amount === undefined || amount <= 0) {
    return fail(paymentError(31, `OutSum "${outSumSent}" is not a positive amount with "." as the decimal point`));
  }

  const fields = signatureFields(bag, login);
  const received = bag.get('SignatureValue') ?? '';
  if (!paymentSignatureMatches(merchant.algorithm, fields, password, received)) {
    const placeholder = isTest ? '[test Password#1]' : '[Password#1]';
    return fail(
      paymentError(
        29,
        received === ''
          ? 'SignatureValue is missing'
          : `SignatureValue does not match (algorithm ${merchant.algorithm})`,
        paymentSignatureBase(fields, placeholder),
      ),
    );
  }

  const warnings: string[] = [];
  const invIdSent = fields.invId;
  let invId: number | undefined;
  if (invIdSent !== '' && invIdSent !== '0') {
    if (!/^\d{1,10}$/.test(invIdSent) || Number(invIdSent) < 1 || Number(invIdSent) > MAX_INV_ID) {
      return fail(paymentError(30, `InvId "${invIdSent}" must be an integer from 1 to ${MAX_INV_ID}`));
    }
    invId = Number(invIdSent);
  }

  const description = bag.get('Description', 'Desc') ?? '';
  // Counted in UTF-16 code units, like .NET's string.Length and @kassa/core: an emoji counts twice.
  if (description.length > 100) {
    return fail(paymentError(30, `Description is ${description.length} UTF-16 code units long; at most 100`));
  }
  if (/[^\p{Script=Latin}\p{Script=Cyrillic}\p{N}\p{P}\p{Zs}\p{Sm}\p{Sc}№]/u.test(description)) {
    warnings.push('Description has characters other than Latin/Cyrillic letters, digits and punctuation (§1.1)');
  }

  const email = bag.nonEmpty('Email');
  if (email !== undefined && !EMAIL.test(email)) return fail(paymentError(30, `Email "${email}" is not an e-mail`));

  const currencySent = fields.outSumCurrency;
  if (currencySent !== undefined && !CURRENCIES.has(currencySent)) {
    return fail(paymentError(30, `OutSumCurrency "${currencySent}" must be USD, EUR or KZT`));
  }
  const currency = (currencySent ?? 'RUB') as Currency;

  if (fields.userIp !== undefined && isIP(fields.userIp) === 0) {
    return fail(paymentError(30, `UserIp "${fields.userIp}" is not an IP address`));
  }

  let expiresAt: Date | undefined;
  const expiration = bag.nonEmpty('ExpirationDate');
  if (expiration !== undefined) {
    expiresAt = parseExpirationDate(expiration);
    if (!expiresAt) return fail(paymentError(30, `ExpirationDate "${expiration}" is not an ISO 8601 date`));
    if (expiresAt.getTime() <= ctx.now.getTime()) {
      return fail(paymentError(33, `ExpirationDate ${expiration} has passed`));
    }
  }

  if (fields.receipt !== undefined) {
    const check = checkReceipt(fields.receipt, merchant.country, amount);
    if (!check.ok) {
      if (merchant.receiptCheck === 'strict') return fail(paymentError(30, check.problem));
      warnings.push(`${check.problem} (accepted: the merchant's receiptCheck is lenient)`);
    }
  }

  const hold = fields.stepByStep !== undefined;
  if (hold) {
    if (fields.stepByStep?.toLowerCase() !== 'true') {
      return fail(paymentError(65, `StepByStep "${fields.stepByStep}" must be "true"`));
    }
    if (!merchant.allowHolds) return fail(paymentError(64, 'holds (StepByStep) are not enabled for this shop'));
  }

  const recurring = bag.get('Recurring')?.toLowerCase() === 'true';
  if (recurring && !merchant.allowRecurring) {
    return fail(paymentError(34, 'Recurring=true but recurring payments are not enabled for this shop'));
  }
  if (recurring && hold) return fail(paymentError(65, 'a hold cannot be the parent of a subscription'));

  for (const [url, urlName] of [
    [fields.resultUrl2, 'ResultUrl2'],
    [fields.successUrl2, 'SuccessUrl2'],
    [fields.failUrl2, 'FailUrl2'],
  ] as const) {
    if (url !== undefined && !isHttpUrl(url)) {
      return fail(paymentError(30, `${urlName} "${url}" is not an http(s) URL (send it unencoded after decoding)`));
    }
  }
  const methodOf = (url: string | undefined, method: string | undefined, name: string) => {
    if (url === undefined && method === undefined) return { ok: true as const, method: undefined };
    if (url === undefined) return { ok: false as const, detail: `${name}Method is given without ${name}` };
    if (method !== 'GET' && method !== 'POST') {
      return { ok: false as const, detail: `${name}Method must be GET or POST in upper case, got "${method ?? ''}"` };
    }
    return { ok: true as const, method: method as HttpMethod };
  };
  const successMethod = methodOf(fields.successUrl2, fields.successUrl2Method, 'SuccessUrl2');
  if (!successMethod.ok) return fail(paymentError(30, successMethod.detail));
  const failMethod = methodOf(fields.failUrl2, fields.failUrl2Method, 'FailUrl2');
  if (!failMethod.ok) return fail(paymentError(30, failMethod.detail));

  // Test payments are not logged and never cause error 40 (§1.6).
  if (!isTest && invId !== undefined) {
    const paid = ctx.store
      .byInvoiceId(merchant.login, invId)
      .some((op) => !op.isTest && op.state !== null && PAID_STATES.has(op.state));
    if (paid) return fail(paymentError(40, `InvId ${invId} of shop "${merchant.login}" is already paid`));
  }

  const encoding = bag.get('Encoding');
  if (encoding === undefined || encoding.toLowerCase() !== 'utf-8') {
    warnings.push('Encoding=utf-8 is not sent; older Robokassa pages default to Windows-1251 (§7.7)');
  }
  const incCurrLabel = bag.nonEmpty('IncCurrLabel');

  return {
    ok: true,
    request: {
      merchant,
      invIdSent,
      invId,
      outSumSent,
      amount,
      currency,
      description,
      isTest,
      culture,
      email,
      incCurrLabel,
      paymentMethods: bag.all('PaymentMethods').filter((v) => v !== ''),
      receipt: fields.receipt,
      hold,
      recurring,
      resultUrl2: fields.resultUrl2,
      successUrl2: fields.successUrl2,
      successUrl2Method: successMethod.method,
      failUrl2: fields.failUrl2,
      failUrl2Method: failMethod.method,
      userIp: fields.userIp,
      token: fields.token,
      expiresAt,
      shp: fields.shp.map(([n, v]) => [n, v]),
      warnings,
    },
  };
}
