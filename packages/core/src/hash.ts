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

/**
 * Compares a received hex signature with the expected one: case-insensitively (Robokassa accepts and sends any
 * case) and in constant time over the content. Lengths are public (they follow from the algorithm), so a length
 * mismatch may return early, and so may a received value that is not hex (it is the sender's own input).
 *
 * Every verified callback comes through here, and `timingSafeEqual` over two fresh buffers cost more than the rest
 * of the comparison together, so the common case (an ASCII expected value, i.e. any digest) is one pass over the
 * characters that ORs together the XOR of every lower-cased pair: the same accumulate-without-exit technique as
 * `CRYPTO_memcmp` behind `timingSafeEqual`. Nothing in that pass branches on, or indexes memory by, the expected
 * value; the only exit depends on the received value alone.
 */
export function signaturesEqual(expectedHex: string, receivedHex: string): boolean {
  const length = expectedHex.length;
  if (length !== receivedHex.length || length === 0) return false;
  let diff = 0;
  let nonAscii = 0;
  for (let i = 0; i < length; i++) {
    const r = receivedHex.charCodeAt(i);
    // 0-9, A-F, a-f; `| 0x20` lower-cases A-F and leaves digits as they are.
    const lower = r | 0x20;
    if (!((r >= 0x30 && r <= 0x39) || (lower >= 0x61 && lower <= 0x66))) return false;
    const e = expectedHex.charCodeAt(i);
    nonAscii |= e >> 7;
    // `upper` is 1 exactly for A-Z (both differences are negative only there): lower-casing without a branch.
    const upper = ((0x40 - e) & (e - 0x5b)) >>> 31;
    diff |= lower ^ (e | (upper << 5));
  }
  // An expected value outside ASCII never comes from a hash; the general path keeps its meaning for it.
  if (nonAscii !== 0) return signaturesEqualSlow(expectedHex, receivedHex);
  return diff === 0;
}

const HEX = /^[0-9a-fA-F]+$/;

function signaturesEqualSlow(expectedHex: string, receivedHex: string): boolean {
  if (!HEX.test(receivedHex)) return false;
  const a = Buffer.from(expectedHex.toLowerCase(), 'latin1');
  const b = Buffer.from(receivedHex.toLowerCase(), 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}
