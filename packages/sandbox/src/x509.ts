import { createPublicKey, type KeyObject, sign } from 'node:crypto';

/**
 * A minimal DER writer, just enough for one self-signed X.509 v3 certificate (RFC 5280 §4.1), because node:crypto
 * can read certificates but not make them. The sandbox publishes it like Robokassa publishes `jwtsign.cer`.
 */

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const nullValue = () => Buffer.from([0x05, 0x00]);
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const explicit = (tagNumber: number, content: Buffer) => tlv(0xa0 | tagNumber, content);

/** A non-negative DER INTEGER from big-endian bytes (exported for its test). */
export function integer(bytes: Buffer): Buffer {
  // DER wants the shortest form: leading zero bytes go (a random serial starting with 0x00 made OpenSSL refuse the
  // certificate, "illegal padding", about one run in 256)…
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  const minimal = bytes.length === 0 ? Buffer.from([0]) : bytes.subarray(start);
  // …and integers are two's complement: a leading 1 bit needs one zero byte in front to stay positive.
  return tlv(0x02, (minimal[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), minimal]) : minimal);
}

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a + b];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift(0x80 | (n & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function utcTime(date: Date): Buffer {
  // UTCTime YYMMDDHHMMSSZ is required for dates before 2050 (RFC 5280 §4.1.2.5).
  const iso = date.toISOString();
  const text = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return tlv(0x17, Buffer.from(text, 'ascii'));
}

const SHA256_WITH_RSA = sequence(oid('1.2.840.113549.1.1.11'), nullValue());
const COMMON_NAME = '2.5.4.3';
const ORGANIZATION = '2.5.4.10';

function name(commonName: string): Buffer {
  return sequence(
    set(sequence(oid(ORGANIZATION), utf8('Kassa sandbox'))),
    set(sequence(oid(COMMON_NAME), utf8(commonName))),
  );
}

/** A self-signed RSA/SHA-256 certificate for `privateKey`, valid from yesterday for ten years, as PEM. */
export function selfSignedCertificate(privateKey: KeyObject, commonName: string, serial: Buffer): string {
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const now = Date.now();
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    SHA256_WITH_RSA,
    name(commonName),
    sequence(utcTime(new Date(now - 86_400_000)), utcTime(new Date(now + 10 * 365 * 86_400_000))),
    name(commonName),
    spki,
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
