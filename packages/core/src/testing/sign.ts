import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import { formatGatewayMoney, type Money, parseGatewayMoney } from '../money.js';
import type { ResultUrl2Payload } from '../robokassa/callbacks/result-url2.js';
import { callbackSignature } from '../robokassa/callbacks/signature.js';
import { passwordsFor, type RobokassaConfig } from '../robokassa/config.js';
import { compareShpNames } from '../robokassa/shp.js';

/**
 * What Robokassa would send, for tests, the sandbox and local development: callbacks signed with the configured
 * passwords (upper-case hex, `OutSum` with 6 decimals) and ResultUrl2 tokens signed with a key you generate.
 */

export interface SignCallbackOptions {
  /** Money, or a decimal string: both are sent with 6 decimals (`100.000000`) unless `verbatimOutSum` is set. */
  outSum: Money | string;
  invId: number | string;
  /**
   * Shp_ parameters as Robokassa echoes them: names as the shop sent them, values exactly as signed (a shop that
   * urlencodes values first, as the docs say, gets `abc+1` back for `abc 1`). Signed sorted by name.
   */
  shp?: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;
  /** Sign with the test password pair. */
  isTest?: boolean;
  /** Send `outSum` exactly as given (e.g. `10` to reproduce a third-party vector). */
  verbatimOutSum?: boolean;
}

export interface SignResultCallbackOptions extends SignCallbackOptions {
  /** Robokassa's commission; Money is sent with 6 decimals. Omitted by default. */
  fee?: Money | string;
  /** Sent as `EMail`. Robokassa leaves it out in test mode; so does this helper unless you pass one. */
  email?: string;
  /** `PaymentMethod`, default `BankCard`. */
  method?: string;
  /** `IncCurrLabel`, default `BankCardPSR`. */
  incCurrLabel?: string;
}

export interface SignSuccessRedirectOptions extends SignCallbackOptions {
  culture?: string;
}

export interface SignedCallback {
  /** Name/value pairs in the order Robokassa sends them. */
  readonly params: ReadonlyArray<readonly [string, string]>;
  /** Upper-case hex, as Robokassa sends it. */
  readonly signature: string;
  /** The form-encoded query string (for GET), without `?`. */
  readonly query: string;
  /** The same pairs for a POST body (`new Request(url, { method: 'POST', body: form })`). */
  readonly form: URLSearchParams;
  /** `form` as a string (`application/x-www-form-urlencoded`). */
  readonly body: string;
}

function outSumText(options: SignCallbackOptions): string {
  if (typeof options.outSum !== 'string') return formatGatewayMoney(options.outSum);
  return options.verbatimOutSum ? options.outSum : formatGatewayMoney(parseGatewayMoney(options.outSum));
}

function amountText(value: Money | string): string {
  return typeof value === 'string' ? value : formatGatewayMoney(value);
}

function shpPairs(shp: SignCallbackOptions['shp']): Array<readonly [string, string]> {
  if (shp === undefined) return [];
  const pairs = Array.isArray(shp) ? (shp as ReadonlyArray<readonly [string, string]>) : Object.entries(shp);
  // Sent in the order they are signed (robokassa/shp.ts).
  return [...pairs].sort((a, b) => compareShpNames(a[0], b[0]));
}

function finish(pairs: Array<readonly [string, string]>, signature: string): SignedCallback {
  const form = new URLSearchParams(pairs.map(([n, v]) => [n, v]));
  const body = form.toString();
  return Object.freeze({ params: Object.freeze(pairs), signature, query: body, form, body });
}

/** A ResultURL notification as Robokassa sends it: `OutSum:InvId:Password#2[:Shp_…]`, Password #2 of the pair. */
export function signResultCallback(config: RobokassaConfig, options: SignResultCallbackOptions): SignedCallback {
  const outSum = outSumText(options);
  const invId = String(options.invId);
  const shp = shpPairs(options.shp);
  const { password2 } = passwordsFor(config, options.isTest ?? false);
  const signature = callbackSignature({
    algorithm: config.algorithm,
    outSum,
    invId,
    password: password2,
    shp,
  }).toUpperCase();
  const pairs: Array<readonly [string, string]> = [
    ['OutSum', outSum],
    ['InvId', invId],
  ];
  if (options.fee !== undefined) pairs.push(['Fee', amountText(options.fee)]);
  if (options.email !== undefined) pairs.push(['EMail', options.email]);
  pairs.push(['SignatureValue', signature]);
  pairs.push(['PaymentMethod', options.method ?? 'BankCard']);
  pairs.push(['IncCurrLabel', options.incCurrLabel ?? 'BankCardPSR']);
  pairs.push(...shp);
  return finish(pairs, signature);
}

/** A SuccessURL redirect as Robokassa sends it: Password #1, `IsTest=1` for test payments, `Culture`. */
export function signSuccessRedirect(config: RobokassaConfig, options: SignSuccessRedirectOptions): SignedCallback {
  const outSum = outSumText(options);
  const invId = String(options.invId);
  const shp = shpPairs(options.shp);
  const { password1 } = passwordsFor(config, options.isTest ?? false);
  const signature = callbackSignature({
    algorithm: config.algorithm,
    outSum,
    invId,
    password: password1,
    shp,
  }).toUpperCase();
  const pairs: Array<readonly [string, string]> = [
    ['OutSum', outSum],
    ['InvId', invId],
    ['SignatureValue', signature],
  ];
  if (options.isTest) pairs.push(['IsTest', '1']);
  pairs.push(['Culture', options.culture ?? 'ru']);
  pairs.push(...shp);
  return finish(pairs, signature);
}

/** A FailURL redirect: `OutSum`, `InvId`, `Culture`, Shp_ — and no signature, as in the real protocol. */
export function failRedirectParams(options: Omit<SignSuccessRedirectOptions, 'isTest'>): {
  query: string;
  form: URLSearchParams;
} {
  const pairs: Array<readonly [string, string]> = [
    ['OutSum', outSumText(options)],
    ['InvId', String(options.invId)],
    ['Culture', options.culture ?? 'ru'],
    ...shpPairs(options.shp),
  ];
  const form = new URLSearchParams(pairs.map(([n, v]) => [n, v]));
  return { query: form.toString(), form };
}

export interface ResultUrl2PayloadOptions {
  shop: string;
  invId: number;
  incSum: Money | string;
  opKey?: string;
  state?: 'OK' | 'HOLD';
  paymentMethod?: string;
  timestamp?: Date;
}

/** A ResultUrl2 payload shaped like the docs example (strings for timestamp, invId and incSum). */
export function resultUrl2Payload(options: ResultUrl2PayloadOptions): ResultUrl2Payload {
  const incSum =
    typeof options.incSum === 'string'
      ? options.incSum
      : formatGatewayMoney(options.incSum).replace(/(\.\d\d)0+$/, '$1');
  return {
    header: {
      type: 'PaymentStateNotification',
      version: '1.0.0',
      timestamp: String(Math.floor((options.timestamp ?? new Date()).getTime() / 1000)),
    },
    data: {
      shop: options.shop,
      opKey: options.opKey ?? `TEST-OPKEY-${options.invId}`,
      invId: String(options.invId),
      paymentMethod: options.paymentMethod ?? 'BankCard',
      incSum,
      state: options.state ?? 'OK',
    },
  };
}

/** Signs a ResultUrl2 payload as Robokassa does: compact JWS, header `{"typ":"JWT","alg":"RS256"}`. */
export function signResultUrl2Jws(privateKey: KeyObject | string, payload: unknown): string {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  const header = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'RS256' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = sign('sha256', Buffer.from(`${header}.${body}`, 'ascii'), key).toString('base64url');
  return `${header}.${body}.${signature}`;
}
