import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The six hash algorithms a merchant can pick in the Robokassa cabinet (protocol notes §1.2, "Algorithms").
 * The sandbox hashes on its own, with node:crypto, so that a bug in @kassa/core cannot hide behind a shared helper.
 */
export const HASH_ALGORITHMS = ['md5', 'ripemd160', 'sha1', 'sha256', 'sha384', 'sha512'] as const;
export type HashAlgorithm = (typeof HASH_ALGORITHMS)[number];

/** Lower-case hex digest of the UTF-8 bytes of `text` (notifications are "always UTF-8", §1.2 "Charset"). */
export function hashHex(algorithm: HashAlgorithm, text: string): string {
  return createHash(algorithm).update(text, 'utf8').digest('hex');
}

/**
 * Compares a hex signature with the expected one, ignoring letter case («в любом регистре», §1.2 "Hex case"),
 * in constant time for equal lengths. Nothing is trimmed: a value with surrounding whitespace is refused, as by
 * Robokassa and @kassa/core. A length mismatch is answered at once: the length of a hex digest is public.
 */
export function hexEquals(expectedHex: string, received: string): boolean {
  const expected = Buffer.from(expectedHex.toLowerCase(), 'utf8');
  const actual = Buffer.from(received.toLowerCase(), 'utf8');
  if (expected.length !== actual.length) return false;
  return timingSafeEqual(expected, actual);
}
