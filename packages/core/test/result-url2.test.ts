import { createHmac, generateKeyPairSync, type KeyObject, sign, X509Certificate } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { isKassaError } from '../src/index.js';
import {
  DEFAULT_RESULT_URL2_MAX_AGE_SECONDS,
  resultUrl2PublicKey,
  type VerifyResultUrl2Options,
  verifyResultUrl2,
} from '../src/robokassa/index.js';
import { resultUrl2Payload, signResultUrl2Jws } from '../src/testing/index.js';

/**
 * A throw-away self-signed certificate (stands in for Robokassa's jwtsign.cer), built here with a few lines of DER so
 * that no private key is committed to the repository.
 */
function selfSignedCertificatePem(keys: { publicKey: KeyObject; privateKey: KeyObject }): string {
  const length = (n: number) =>
    n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  const tlv = (tag: number, ...content: Buffer[]) => {
    const body = Buffer.concat(content);
    return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
  };
  const seq = (...c: Buffer[]) => tlv(0x30, ...c);
  const sha256WithRsa = seq(tlv(0x06, Buffer.from('2a864886f70d01010b', 'hex')), tlv(0x05));
  const name = seq(
    tlv(0x31, seq(tlv(0x06, Buffer.from('550403', 'hex')), tlv(0x0c, Buffer.from('kassa test signer')))),
  );
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, Buffer.from([1])),
    sha256WithRsa,
    name,
    seq(tlv(0x17, Buffer.from('250101000000Z')), tlv(0x17, Buffer.from('491231235959Z'))),
    name,
    keys.publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, keys.privateKey);
  const der = seq(tbs, sha256WithRsa, tlv(0x03, Buffer.from([0]), signature));
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

const certKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const TEST_CERT_PEM = selfSignedCertificatePem(certKeys);

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const NOW = new Date('2026-03-01T12:00:00Z');

function options(overrides: Partial<VerifyResultUrl2Options> = {}): VerifyResultUrl2Options {
  return { publicKey, merchantLogin: 'demo', now: () => NOW, ...overrides };
}

function payload(overrides: Partial<Parameters<typeof resultUrl2Payload>[0]> = {}) {
  return resultUrl2Payload({
    shop: 'demo',
    invId: 1234829,
    incSum: '10.00',
    opKey: 'OP-1',
    timestamp: NOW,
    ...overrides,
  });
}

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('ResultUrl2 (RS256 JWS)', () => {
  test('a token signed like Robokassa verifies, with the payload typed', () => {
    const token = signResultUrl2Jws(privateKey, payload());
    const [header] = token.split('.');
    expect(JSON.parse(Buffer.from(header ?? '', 'base64url').toString())).toEqual({ typ: 'JWT', alg: 'RS256' });
    const result = verifyResultUrl2(token, options());
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.notification).toMatchObject({
        kind: 'result_url2',
        shop: 'demo',
        opKey: 'OP-1',
        invId: 1234829,
        paymentMethod: 'BankCard',
        incSum: '10.00',
        incAmount: { currency: 'RUB', minor: 1000n },
        state: 'OK',
        version: '1.0.0',
      });
      expect(result.notification.timestamp.getTime()).toBe(Math.floor(NOW.getTime() / 1000) * 1000);
    }
  });

  test('HOLD notifications and numeric fields are accepted', () => {
    const p = payload({ state: 'HOLD' });
    const numeric = {
      ...p,
      header: { ...p.header, timestamp: Number(p.header.timestamp) },
      data: { ...p.data, invId: 7 },
    };
    const result = verifyResultUrl2(signResultUrl2Jws(privateKey, numeric), options());
    expect(result.ok && result.notification.state).toBe('HOLD');
    expect(result.ok && result.notification.invId).toBe(7);
  });

  test('the key can be a PEM X.509 certificate, a PEM SPKI key or a KeyObject; whitespace and JSON quotes are tolerated', () => {
    const privatePem = certKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const token = signResultUrl2Jws(privatePem, payload());
    for (const key of [TEST_CERT_PEM, new X509Certificate(TEST_CERT_PEM), resultUrl2PublicKey(TEST_CERT_PEM)]) {
      expect(verifyResultUrl2(token, options({ publicKey: key })).ok).toBe(true);
    }
    const spki = certKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(verifyResultUrl2(`\n${token}\n`, options({ publicKey: spki })).ok).toBe(true);
    expect(verifyResultUrl2(JSON.stringify(token), options({ publicKey: spki })).ok).toBe(true);
  });

  test('a bad key is a configuration error (CONFIG_INVALID), never silently "valid"', () => {
    const token = signResultUrl2Jws(privateKey, payload());
    let thrown: unknown;
    try {
      verifyResultUrl2(token, options({ publicKey: 'not a pem' }));
    } catch (error) {
      thrown = error;
    }
    expect(isKassaError(thrown, 'CONFIG_INVALID')).toBe(true);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => resultUrl2PublicKey(ec.publicKey)).toThrow(/RSA/);
  });

  test('a tampered payload is a signature mismatch', () => {
    const token = signResultUrl2Jws(privateKey, payload());
    const [h, , s] = token.split('.');
    const forged = `${h}.${b64(payload({ incSum: '10000.00' }))}.${s}`;
    expect(verifyResultUrl2(forged, options())).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
      code: 'SIGNATURE_MISMATCH',
    });
  });

  test('a token signed by another key is a signature mismatch', () => {
    const token = signResultUrl2Jws(other.privateKey, payload());
    expect(verifyResultUrl2(token, options())).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  test('alg none is refused', () => {
    const token = `${b64({ typ: 'JWT', alg: 'none' })}.${b64(payload())}.`;
    expect(verifyResultUrl2(token, options()).ok).toBe(false);
    const withSig = `${b64({ typ: 'JWT', alg: 'none' })}.${b64(payload())}.${b64('x')}`;
    expect(verifyResultUrl2(withSig, options())).toMatchObject({
      ok: false,
      reason: 'unsupported_algorithm',
      code: 'JWS_INVALID',
    });
  });

  test('HS256 signed with the public key as the HMAC secret (algorithm confusion) is refused', () => {
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const signingInput = `${b64({ typ: 'JWT', alg: 'HS256' })}.${b64(payload())}`;
    const mac = createHmac('sha256', pem).update(signingInput).digest('base64url');
    expect(verifyResultUrl2(`${signingInput}.${mac}`, options())).toMatchObject({
      ok: false,
      reason: 'unsupported_algorithm',
    });
  });

  test('RS512 and crit headers are refused', () => {
    const rs512 = `${b64({ typ: 'JWT', alg: 'RS512' })}.${b64(payload())}.${b64('x')}`;
    expect(verifyResultUrl2(rs512, options())).toMatchObject({ ok: false, reason: 'unsupported_algorithm' });
    const crit = `${b64({ typ: 'JWT', alg: 'RS256', crit: ['exp'] })}.${b64(payload())}.${b64('x')}`;
    expect(verifyResultUrl2(crit, options())).toMatchObject({ ok: false, reason: 'unsupported_algorithm' });
  });

  test('a notification for another shop is refused', () => {
    const token = signResultUrl2Jws(privateKey, payload({ shop: 'someone-else' }));
    expect(verifyResultUrl2(token, options())).toMatchObject({ ok: false, reason: 'wrong_shop' });
  });

  test('freshness: older than the window (24 h by default) or from the future is refused', () => {
    expect(DEFAULT_RESULT_URL2_MAX_AGE_SECONDS).toBe(86400);
    const old = new Date(NOW.getTime() - (86400 + 1) * 1000);
    expect(verifyResultUrl2(signResultUrl2Jws(privateKey, payload({ timestamp: old })), options())).toMatchObject({
      ok: false,
      reason: 'expired',
      code: 'JWS_EXPIRED',
    });
    const recent = new Date(NOW.getTime() - 86400 * 1000 + 60_000);
    expect(verifyResultUrl2(signResultUrl2Jws(privateKey, payload({ timestamp: recent })), options()).ok).toBe(true);
    const tight = signResultUrl2Jws(privateKey, payload({ timestamp: new Date(NOW.getTime() - 600_000) }));
    expect(verifyResultUrl2(tight, options({ maxAgeSeconds: 300 }))).toMatchObject({ ok: false, reason: 'expired' });
    const future = new Date(NOW.getTime() + 3600_000);
    expect(verifyResultUrl2(signResultUrl2Jws(privateKey, payload({ timestamp: future })), options())).toMatchObject({
      ok: false,
      reason: 'timestamp_in_future',
    });
  });

  test('a validly signed but invalid payload is refused with the failing fields named', () => {
    const bad = { ...payload(), data: { ...payload().data, state: 'PAID', incSum: '1e3' } };
    const result = verifyResultUrl2(signResultUrl2Jws(privateKey, bad), options());
    expect(result).toMatchObject({ ok: false, reason: 'payload_invalid', code: 'JWS_INVALID' });
    if (!result.ok) expect(result.detail).toContain('data.state');
    const wrongType = { ...payload(), header: { ...payload().header, type: 'Other' } };
    expect(verifyResultUrl2(signResultUrl2Jws(privateKey, wrongType), options())).toMatchObject({
      reason: 'payload_invalid',
    });
  });

  test.each([
    ['empty', ''],
    ['two segments', 'a.b'],
    ['not base64url', 'a.b.c$'],
    ['header not JSON', `${b64('not json')}.${b64(payload())}.${b64('x')}`],
    ['huge', 'a'.repeat(20_000)],
  ])('malformed token (%s) is refused without throwing', (_, token) => {
    expect(verifyResultUrl2(token, options())).toMatchObject({ ok: false, reason: 'malformed' });
  });
});
