import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { integer, selfSignedCertificate } from '../src/x509.js';

/**
 * The sandbox's self-signed ResultUrl2 certificate with every shape of serial number: a random serial starting with a
 * zero byte used to make a non-minimal DER INTEGER, which OpenSSL refuses ("illegal padding") — one CI run in ~500.
 */
describe('selfSignedCertificate', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  test.each([
    ['0001020304050607', '01020304050607'],
    ['0080000000000001', '0080000000000001'],
    ['0000000000000005', '05'],
    ['8000000000000000', '008000000000000000'],
    ['7fffffffffffffff', '7FFFFFFFFFFFFFFF'],
  ])('serial %s reads back, and the certificate verifies itself', (hex, expected) => {
    const pem = selfSignedCertificate(privateKey, 'Kassa sandbox test', Buffer.from(hex, 'hex'));
    const certificate = new X509Certificate(pem);
    expect(certificate.serialNumber.toUpperCase().replace(/^0+(?=.)/, '')).toBe(
      expected.toUpperCase().replace(/^0+(?=.)/, ''),
    );
    expect(certificate.verify(certificate.publicKey)).toBe(true);
  });

  test('DER integers are minimal and non-negative', () => {
    expect(integer(Buffer.from([0, 0, 5])).toString('hex')).toBe('020105');
    expect(integer(Buffer.from([0, 0x80])).toString('hex')).toBe('02020080');
    expect(integer(Buffer.from([0x80])).toString('hex')).toBe('02020080');
    expect(integer(Buffer.from([0, 0])).toString('hex')).toBe('020100');
    expect(integer(Buffer.from([2])).toString('hex')).toBe('020102');
  });
});
