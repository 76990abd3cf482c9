import { constants, createPublicKey, type KeyObject, verify, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { KassaError, type KassaErrorCode } from '../../errors.js';
import { type CurrencyCode, type Money, parseGatewayMoney } from '../../money.js';
import { parseInvId } from './params.js';

/**
 * ResultUrl2 (protocol notes §2.2): Robokassa POSTs a compact RS256 JWS, header `{"typ":"JWT","alg":"RS256"}`,
 * payload `{"header":{"type":"PaymentStateNotification","version","timestamp"},"data":{"shop","opKey","invId",
 * "paymentMethod","incSum","state"}}`, signed with the key of the certificate Robokassa publishes (jwtsign.cer).
 * It is the only notice of a successful hold (`state: "HOLD"`) and the only callback carrying `opKey`.
 */

/** A key to verify with: a PEM X.509 certificate, a PEM SPKI public key, or a parsed one. */
export type ResultUrl2KeyInput = string | Buffer | X509Certificate | KeyObject;

/**
 * The public key inside a certificate or a PEM public key, checked to be RSA. Call it once at start-up and pass the
 * result to `verifyResultUrl2`. Only the key is used: Robokassa's certificate is pinned by you, not validated against
 * a chain or its dates (an expired pinned certificate would otherwise silently stop payments).
 */
export function resultUrl2PublicKey(input: ResultUrl2KeyInput): KeyObject {
  let key: KeyObject;
  try {
    if (input instanceof X509Certificate) key = input.publicKey;
    else if (typeof input === 'string' || Buffer.isBuffer(input)) {
      const text = typeof input === 'string' ? input : input.toString('utf8');
      key = text.includes('BEGIN CERTIFICATE') ? new X509Certificate(text).publicKey : createPublicKey(text);
    } else key = input.type === 'public' ? input : createPublicKey(input);
  } catch (cause) {
    throw new KassaError('CONFIG_INVALID', 'The ResultUrl2 key is not a PEM X.509 certificate or a PEM public key', {
      cause,
    });
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new KassaError('CONFIG_INVALID', 'The ResultUrl2 key must be an RSA key (Robokassa signs with RS256)', {
      details: { keyType: key.asymmetricKeyType },
    });
  }
  return key;
}

export const DEFAULT_RESULT_URL2_MAX_AGE_SECONDS = 24 * 60 * 60;
export const DEFAULT_RESULT_URL2_FUTURE_SKEW_SECONDS = 5 * 60;

export interface VerifyResultUrl2Options {
  /** Robokassa's certificate or public key; a `KeyObject` from `resultUrl2PublicKey` saves parsing on every call. */
  publicKey: ResultUrl2KeyInput;
  /** The shop identifier; a notification for another shop is rejected. */
  merchantLogin: string;
  /**
   * How old `header.timestamp` may be. Default 24 h: Robokassa retries a failed delivery up to five times at
   * undocumented intervals, so a day covers the retries while a captured token stops working after it.
   */
  maxAgeSeconds?: number | undefined;
  /** How far in the future `header.timestamp` may be (clock skew). Default 5 min. */
  maxFutureSkewSeconds?: number | undefined;
  /** The currency `incAmount` is expressed in. Default RUB. */
  currency?: CurrencyCode | undefined;
  now?: (() => Date) | undefined;
}

export type ResultUrl2FailureReason =
  | 'malformed'
  | 'unsupported_algorithm'
  | 'signature_mismatch'
  | 'payload_invalid'
  | 'wrong_shop'
  | 'expired'
  | 'timestamp_in_future';

export interface ResultUrl2Failure {
  readonly ok: false;
  readonly reason: ResultUrl2FailureReason;
  readonly code: Extract<KassaErrorCode, 'JWS_INVALID' | 'SIGNATURE_MISMATCH' | 'JWS_EXPIRED'>;
  /** Safe to log: names what is wrong, never echoes the token. */
  readonly detail: string;
}

export interface ResultUrl2Notification {
  readonly kind: 'result_url2';
  readonly version: string;
  readonly timestamp: Date;
  readonly shop: string;
  /** Robokassa's operation key; the Refund API needs it. */
  readonly opKey: string;
  readonly invId: number;
  readonly paymentMethod?: string | undefined;
  /** As received, e.g. `10.00`. */
  readonly incSum: string;
  readonly incAmount: Money;
  /** `OK` = paid, `HOLD` = pre-authorised (StepByStep), waiting for Confirm/Cancel. */
  readonly state: 'OK' | 'HOLD';
}

export type ResultUrl2Verification =
  | { readonly ok: true; readonly notification: ResultUrl2Notification }
  | ResultUrl2Failure;

function failure(reason: ResultUrl2FailureReason, detail: string): ResultUrl2Failure {
  const code =
    reason === 'signature_mismatch'
      ? 'SIGNATURE_MISMATCH'
      : reason === 'expired' || reason === 'timestamp_in_future'
        ? 'JWS_EXPIRED'
        : 'JWS_INVALID';
  return Object.freeze({ ok: false as const, reason, code, detail });
}

/** The biggest token we read: a real notification is well under 2 KiB. */
const MAX_TOKEN_LENGTH = 16 * 1024;
const COMPACT_JWS = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

const jwsHeaderSchema = z.object({ alg: z.string(), typ: z.string().optional(), crit: z.unknown().optional() });

const numericString = (pattern: RegExp) => z.union([z.string().regex(pattern), z.number().int().nonnegative()]);

export const resultUrl2PayloadSchema = z.object({
  header: z.object({
    type: z.literal('PaymentStateNotification'),
    version: z.string().min(1).max(32),
    // Unix seconds; the docs example sends a string ("1691186412").
    timestamp: numericString(/^\d{1,12}$/),
  }),
  data: z.object({
    shop: z.string().min(1).max(100),
    opKey: z.string().min(1).max(200),
    invId: numericString(/^[1-9]\d{0,15}$/),
    paymentMethod: z.string().max(100).optional(),
    incSum: z.string().regex(/^\d{1,12}(\.\d{1,6})?$/),
    state: z.enum(['OK', 'HOLD']),
  }),
});

export type ResultUrl2Payload = z.input<typeof resultUrl2PayloadSchema>;

function decodeJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Verifies a ResultUrl2 body (the compact JWS; surrounding whitespace or JSON quotes are tolerated). Order: shape,
 * header (`alg` must be RS256 — `none`, HS256 and everything else are refused before any key is used), RSA PKCS#1
 * v1.5 signature with SHA-256, then the payload is validated, its `shop` compared with the merchant login and its
 * timestamp with the freshness window. Never throws on bad input.
 */
export function verifyResultUrl2(body: string, options: VerifyResultUrl2Options): ResultUrl2Verification {
  if (typeof body !== 'string' || body.length > MAX_TOKEN_LENGTH) return failure('malformed', 'not a compact JWS');
  let token = body.trim();
  if (token.length >= 2 && token.startsWith('"') && token.endsWith('"')) token = token.slice(1, -1);
  const parts = COMPACT_JWS.exec(token);
  if (!parts) return failure('malformed', 'not a compact JWS');
  const [, headerPart = '', payloadPart = '', signaturePart = ''] = parts;

  const header = jwsHeaderSchema.safeParse(decodeJson(headerPart));
  if (!header.success) return failure('malformed', 'JWS header is not valid JSON');
  if (header.data.alg !== 'RS256') return failure('unsupported_algorithm', 'JWS alg must be RS256');
  if (header.data.crit !== undefined) return failure('unsupported_algorithm', 'JWS crit extensions are not supported');

  const key = resultUrl2PublicKey(options.publicKey);
  let valid = false;
  try {
    valid = verify(
      'sha256',
      Buffer.from(`${headerPart}.${payloadPart}`, 'ascii'),
      { key, padding: constants.RSA_PKCS1_PADDING },
      Buffer.from(signaturePart, 'base64url'),
    );
  } catch {
    valid = false;
  }
  if (!valid) return failure('signature_mismatch', 'JWS signature does not verify with the configured key');

  const payload = resultUrl2PayloadSchema.safeParse(decodeJson(payloadPart));
  if (!payload.success) {
    const fields = [...new Set(payload.error.issues.map((i) => i.path.join('.') || '(root)'))].join(', ');
    return failure('payload_invalid', `payload fields invalid: ${fields}`);
  }
  const { header: meta, data } = payload.data;
  if (data.shop !== options.merchantLogin) return failure('wrong_shop', 'notification is for another shop');

  const nowSeconds = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
  const timestamp = Number(meta.timestamp);
  const maxAge = options.maxAgeSeconds ?? DEFAULT_RESULT_URL2_MAX_AGE_SECONDS;
  const skew = options.maxFutureSkewSeconds ?? DEFAULT_RESULT_URL2_FUTURE_SKEW_SECONDS;
  if (nowSeconds - timestamp > maxAge) return failure('expired', 'notification is older than the freshness window');
  if (timestamp - nowSeconds > skew) return failure('timestamp_in_future', 'notification timestamp is in the future');

  const invId = parseInvId(String(data.invId));
  if (invId === undefined) return failure('payload_invalid', 'payload fields invalid: data.invId');
  let incAmount: Money;
  try {
    incAmount = parseGatewayMoney(data.incSum, options.currency ?? 'RUB');
  } catch {
    return failure('payload_invalid', 'payload fields invalid: data.incSum');
  }
  const notification: ResultUrl2Notification = Object.freeze({
    kind: 'result_url2' as const,
    version: meta.version,
    timestamp: new Date(timestamp * 1000),
    shop: data.shop,
    opKey: data.opKey,
    invId,
    paymentMethod: data.paymentMethod,
    incSum: data.incSum,
    incAmount,
    state: data.state,
  });
  return Object.freeze({ ok: true as const, notification });
}
