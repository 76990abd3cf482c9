import { createHmac, timingSafeEqual } from 'node:crypto';
import { KassaError } from '../../errors.js';
import type { HashAlgorithm } from '../../hash.js';
import { Secret } from '../../secret.js';
import { passwordsFor, type RobokassaConfig } from '../config.js';

/**
 * JWT `alg` names Robokassa accepts and the HMAC behind each (§1.4 DOC-invoice: `MD5, RIPEMD160, SHA1|HS1,
 * SHA256|HS256, SHA384|HS384, SHA512|HS512`; the Refund API documents HS256/HS384/HS512, §3.5).
 */
export const JWT_ALGORITHMS = {
  HS256: 'sha256',
  HS384: 'sha384',
  HS512: 'sha512',
  HS1: 'sha1',
  MD5: 'md5',
  RIPEMD160: 'ripemd160',
  SHA1: 'sha1',
  SHA256: 'sha256',
  SHA384: 'sha384',
  SHA512: 'sha512',
} as const satisfies Record<string, HashAlgorithm>;
export type JwtAlgorithm = keyof typeof JWT_ALGORITHMS;

/** The Refund API's algorithms (§3.5). */
export const REFUND_JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
export type RefundJwtAlgorithm = (typeof REFUND_JWT_ALGORITHMS)[number];

/** The Invoice API `alg` for a shop's cabinet hash algorithm (`md5` → `MD5`). */
export function invoiceJwtAlgorithm(algorithm: HashAlgorithm): JwtAlgorithm {
  return algorithm.toUpperCase() as JwtAlgorithm;
}

function keyText(key: string | Secret): string {
  return typeof key === 'string' ? key : key.reveal();
}

export interface SignJwtOptions {
  alg: JwtAlgorithm;
  /** The payload JSON exactly as it should be signed (write it with `compactJson`); objects are stringified. */
  payload: string | Record<string, unknown>;
  key: string | Secret;
}

/**
 * `base64url(header).base64url(payload).base64url(HMAC(key, header.payload))`, no `=` padding; header
 * `{"alg":…,"typ":"JWT"}` in that order (as in the docs' tokens and the official SDK's).
 */
export function signJwt({ alg, payload, key }: SignJwtOptions): string {
  const header = Buffer.from(JSON.stringify({ alg, typ: 'JWT' }), 'utf8').toString('base64url');
  const body = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload), 'utf8').toString(
    'base64url',
  );
  const input = `${header}.${body}`;
  const mac = createHmac(JWT_ALGORITHMS[alg], keyText(key)).update(input, 'utf8').digest('base64url');
  return `${input}.${mac}`;
}

export interface VerifiedJwt {
  header: { alg: JwtAlgorithm; typ?: string };
  /** The payload JSON text as signed. */
  payload: string;
}

/**
 * Verifies an HMAC JWT (for emulators and tests of our own requests). Throws JWS_INVALID, without echoing the token,
 * when the shape, the algorithm or the MAC is wrong.
 */
export function verifyJwt(
  token: string,
  options: { key: string | Secret; algorithms: readonly JwtAlgorithm[] },
): VerifiedJwt {
  const fail = (problem: string): KassaError =>
    new KassaError('JWS_INVALID', `Invalid JWT: ${problem}`, { details: { problem } });
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) throw fail('not three base64url parts');
  const [h, p, s] = parts as [string, string, string];
  let header: { alg?: unknown; typ?: unknown };
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as typeof header;
  } catch {
    throw fail('header is not JSON');
  }
  const alg = header.alg;
  if (typeof alg !== 'string' || !Object.hasOwn(JWT_ALGORITHMS, alg) || !options.algorithms.includes(alg as never)) {
    throw fail('algorithm not allowed');
  }
  const expected = createHmac(JWT_ALGORITHMS[alg as JwtAlgorithm], keyText(options.key))
    .update(`${h}.${p}`, 'utf8')
    .digest();
  const received = Buffer.from(s, 'base64url');
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) throw fail('signature mismatch');
  const result: VerifiedJwt = {
    header: { alg: alg as JwtAlgorithm },
    payload: Buffer.from(p, 'base64url').toString('utf8'),
  };
  if (typeof header.typ === 'string') result.header.typ = header.typ;
  return result;
}

/**
 * The Invoice API's HMAC key `MerchantLogin:Password1` (§1.4), test Password #1 when `isTest`; a {@link Secret}
 * so it cannot be printed by accident.
 */
export function invoiceApiKey(config: RobokassaConfig, isTest = config.testMode): Secret {
  return new Secret(`${config.login}:${passwordsFor(config, isTest).password1.reveal()}`);
}
