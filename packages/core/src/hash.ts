import { hash, timingSafeEqual } from 'node:crypto';

/** The algorithms a Robokassa shop can choose in its cabinet («Алгоритм расчёта хэша»). */
export const HASH_ALGORITHMS = ['md5', 'ripemd160', 'sha1', 'sha256', 'sha384', 'sha512'] as const;
export type HashAlgorithm = (typeof HASH_ALGORITHMS)[number];

const HEX_LENGTH: Record<HashAlgorithm, number> = {
  md5: 32,
  ripemd160: 40,
  sha1: 40,
  sha256: 64,
  sha384: 96,
  sha512: 128,
};

export function isHashAlgorithm(value: unknown): value is HashAlgorithm {
  return typeof value === 'string' && (HASH_ALGORITHMS as readonly string[]).includes(value);
}

/**
 * Lower-case hex digest of the UTF-8 bytes of `base` (Robokassa hashes UTF-8; ASCII-only hashing breaks Cyrillic).
 * Node's one-shot `crypto.hash` gives the same bytes as `createHash().update(base, 'utf8').digest('hex')` without a
 * Hash object per call, which is most of the cost of signing or verifying a short base (issue #2, bench/signing.ts).
 */
export function hashHex(algorithm: HashAlgorithm, base: string): string {
  return hash(algorithm, base, 'hex');
}

export function hexLength(algorithm: HashAlgorithm): number {
  return HEX_LENGTH[algorithm];
}

const HEX = /^[0-9a-f]+$/;

/**
 * Compares a received hex signature with the expected one: case-insensitively (Robokassa accepts and sends any
 * case) and in constant time over the content (`crypto.timingSafeEqual`). Lengths are public (they follow from the
 * algorithm), so a length mismatch returns early, and so does a received value that is not hex (it is the sender's
 * own input).
 */
export function signaturesEqual(expectedHex: string, receivedHex: string): boolean {
  const expected = expectedHex.toLowerCase();
  const received = receivedHex.toLowerCase();
  if (received.length !== expected.length || !HEX.test(received)) return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
