import { createHash, timingSafeEqual } from 'node:crypto';

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

/** Lower-case hex digest of the UTF-8 bytes of `base` (Robokassa hashes UTF-8; ASCII-only hashing breaks Cyrillic). */
export function hashHex(algorithm: HashAlgorithm, base: string): string {
  return createHash(algorithm).update(base, 'utf8').digest('hex');
}

export function hexLength(algorithm: HashAlgorithm): number {
  return HEX_LENGTH[algorithm];
}

const HEX = /^[0-9a-fA-F]+$/;

/**
 * Compares a received hex signature with the expected one: case-insensitively (Robokassa accepts and sends any
 * case) and in constant time over the content. Lengths are public (they follow from the algorithm), so a length
 * mismatch may return early.
 */
export function signaturesEqual(expectedHex: string, receivedHex: string): boolean {
  if (expectedHex.length !== receivedHex.length || !HEX.test(receivedHex)) return false;
  const a = Buffer.from(expectedHex.toLowerCase(), 'latin1');
  const b = Buffer.from(receivedHex.toLowerCase(), 'latin1');
  return timingSafeEqual(a, b);
}
