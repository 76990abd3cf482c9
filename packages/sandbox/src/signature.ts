import { type HashAlgorithm, hashHex, hexEquals } from './hash.js';
import type { ParamEntry } from './params.js';

/**
 * The values of a payment request that go into its Password #1 signature, exactly as received after one level
 * of form/query decoding (§1.2 "Encoding of values in the signature": sign what the server receives).
 */
export interface PaymentSignatureFields {
  login: string;
  outSum: string;
  /** Raw, and kept even when empty: `login:OutSum::Password1` (§1.2 "Only the InvId slot is kept when empty"). */
  invId: string;
  outSumCurrency?: string | undefined;
  userIp?: string | undefined;
  receipt?: string | undefined;
  stepByStep?: string | undefined;
  resultUrl2?: string | undefined;
  successUrl2?: string | undefined;
  successUrl2Method?: string | undefined;
  failUrl2?: string | undefined;
  failUrl2Method?: string | undefined;
  token?: string | undefined;
  shp: readonly ParamEntry[];
}

/** The optional modifiers in their documented order (§1.2 "Order of the modifiers"); each only when present. */
const MODIFIERS = [
  'outSumCurrency',
  'userIp',
  'receipt',
  'stepByStep',
  'resultUrl2',
  'successUrl2',
  'successUrl2Method',
  'failUrl2',
  'failUrl2Method',
  'token',
] as const;

const ordinal = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `Shp_a=1:Shp_b=2`, sorted by name. Robokassa runs on .NET, whose case-insensitive ordinal comparison folds to
 * upper case; that is the order the sandbox signs with and checks first (§1.2 "Shp_ parameters").
 */
export function shpSuffix(shp: readonly ParamEntry[]): string {
  return [...shp]
    .sort(([a], [b]) => ordinal(a.toUpperCase(), b.toUpperCase()) || ordinal(a, b))
    .map(([n, v]) => `${n}=${v}`)
    .join(':');
}

/**
 * Other orders that libraries in the wild produce and that the notes advise to accept too: plain ordinal by name
 * (Ruby, most hand-written code) and PHP `sort()` over `name=value` strings (the official SDK).
 */
function alternativeShpSuffixes(shp: readonly ParamEntry[]): string[] {
  const byName = [...shp].sort(([a], [b]) => ordinal(a, b)).map(([n, v]) => `${n}=${v}`);
  const byPair = shp.map(([n, v]) => `${n}=${v}`).sort(ordinal);
  return [byName.join(':'), byPair.join(':')];
}

function join(parts: Array<string | undefined>): string {
  return parts.filter((p): p is string => p !== undefined && p !== '').join(':');
}

/**
 * `login:OutSum:InvId[:OutSumCurrency][:UserIp][:Receipt][:StepByStep][:ResultUrl2][:SuccessUrl2:…][:Token]
 * :Password1[:Shp_…]`. The password is a parameter so that diagnostics can pass a placeholder instead.
 */
export function paymentSignatureBase(fields: PaymentSignatureFields, password: string, shp = shpSuffix(fields.shp)) {
  const head = `${fields.login}:${fields.outSum}:${fields.invId}`;
  const modifiers = join(MODIFIERS.map((key) => fields[key]));
  return join([head, modifiers, password, shp]);
}

/** Checks a received payment signature; any accepted Shp order counts (see `alternativeShpSuffixes`). */
export function paymentSignatureMatches(
  algorithm: HashAlgorithm,
  fields: PaymentSignatureFields,
  password: string,
  received: string,
): boolean {
  const suffixes = new Set([shpSuffix(fields.shp), ...alternativeShpSuffixes(fields.shp)]);
  let ok = false;
  for (const suffix of suffixes) {
    // No early exit: every candidate is hashed, so timing does not tell which order matched.
    if (hexEquals(hashHex(algorithm, paymentSignatureBase(fields, password, suffix)), received)) ok = true;
  }
  return ok;
}

/** Upper-case hex signature of a ResultURL or SuccessURL: `OutSum:InvId:Password[:Shp_…]` (§2.1, §2.3). */
export function callbackSignature(
  algorithm: HashAlgorithm,
  outSum: string,
  invId: string,
  password: string,
  shp: readonly ParamEntry[],
): string {
  return hashHex(algorithm, join([`${outSum}:${invId}`, password, shpSuffix(shp)])).toUpperCase();
}

/** Confirm and Cancel of a hold share the payment formula; Cancel leaves the OutSum slot empty (§3.6). */
export function holdSignatureBase(
  login: string,
  outSum: string,
  invoiceId: string,
  receipt: string | undefined,
  password: string,
): string {
  return join([`${login}:${outSum}:${invoiceId}`, receipt, password]);
}

/** Second receipt and receipt status: hex(hash(base64(payload) + Password1)) (§3.9). */
export function fiscalSignatureHex(algorithm: HashAlgorithm, payloadBase64: string, password: string): string {
  return hashHex(algorithm, payloadBase64 + password);
}

/** OpStateExt / OpState: `MerchantLogin:InvoiceID:Password2` (§3.1). */
export function opStateSignatureBase(login: string, invoiceId: string, password: string): string {
  return `${login}:${invoiceId}:${password}`;
}
