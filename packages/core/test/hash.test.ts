import { describe, expect, test } from 'vitest';
import { HASH_ALGORITHMS, hashHex, hexLength, isHashAlgorithm, signaturesEqual } from '../src/hash.js';
import { signatureBaseVectors } from './support/vectors.js';

describe('hashHex pinned by the public vectors', () => {
  const vectors = signatureBaseVectors();

  test('the vectors file has signature-base vectors for all six algorithms', () => {
    const algorithms = new Set(vectors.map((v) => v.inputs.algorithm));
    expect([...algorithms].sort()).toEqual([...HASH_ALGORITHMS].sort());
  });

  test.each(vectors.map((v) => [v.inputs.algorithm, v.inputs.signature_base, v.expected] as const))(
    '%s(%s)',
    (algorithm, base, expected) => {
      if (!isHashAlgorithm(algorithm)) throw new Error(`unknown algorithm ${algorithm}`);
      const hex = hashHex(algorithm, base);
      expect(hex).toBe(expected.toLowerCase());
      expect(hex).toHaveLength(hexLength(algorithm));
    },
  );
});

describe('signaturesEqual', () => {
  const md5 = hashHex('md5', 'login:10:20:p1');

  test('accepts any letter case', () => {
    expect(signaturesEqual(md5, md5.toUpperCase())).toBe(true);
    expect(signaturesEqual(md5.toUpperCase(), md5)).toBe(true);
  });

  test('rejects a one-character change, a different length and non-hex input', () => {
    const flipped = (md5[0] === 'a' ? 'b' : 'a') + md5.slice(1);
    expect(signaturesEqual(md5, flipped)).toBe(false);
    expect(signaturesEqual(md5, md5.slice(1))).toBe(false);
    expect(signaturesEqual(md5, `${md5}0`)).toBe(false);
    expect(signaturesEqual(md5, 'z'.repeat(32))).toBe(false);
    expect(signaturesEqual(md5, '')).toBe(false);
  });

  test('hashes UTF-8 bytes, so Cyrillic signs as Robokassa computes it (value from Python hashlib)', () => {
    expect(hashHex('md5', 'Тест')).toBe('16497fa0c8e13ce8fab874d959db91b9');
  });
});
