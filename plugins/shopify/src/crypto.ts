/**
 * Merchant credentials at rest: AES-256-GCM (authenticated), a fresh 96-bit IV per value, the key id in the
 * envelope so keys can rotate. `KASSA_SHOPIFY_KEYS="k2:BASE64,k1:BASE64"`: the first key encrypts, every key
 * decrypts; `reencrypt` moves a value to the first key (run `rotateShopSettings` after adding a key, then drop the old
 * one). Envelope: `v1.{keyId}.{iv}.{ciphertext}.{tag}` (base64url parts). The shop domain is bound as associated data,
 * so a ciphertext copied to another shop's row does not decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface KeyRing {
  readonly primary: string;
  encrypt(plaintext: string, aad: string): string;
  decrypt(envelope: string, aad: string): string;
  /** The key id an envelope was written with. */
  keyIdOf(envelope: string): string;
}

export class CredentialsKeyError extends Error {
  override readonly name = 'CredentialsKeyError';
}

/** Parses `id:base64key,id2:base64key`; every key must be exactly 32 bytes. Never echoes a key. */
export function parseKeyRing(spec: string): KeyRing {
  const keys = new Map<string, Buffer>();
  let primary: string | undefined;
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const colon = part.indexOf(':');
    const id = colon > 0 ? part.slice(0, colon) : '';
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      throw new CredentialsKeyError('Each key is "id:base64": the id is 1-32 of [A-Za-z0-9_-]');
    }
    const key = Buffer.from(part.slice(colon + 1), 'base64');
    if (key.length !== 32) throw new CredentialsKeyError(`Key ${id} is not 32 bytes of base64 (AES-256)`);
    if (keys.has(id)) throw new CredentialsKeyError(`Key ${id} appears twice`);
    keys.set(id, key);
    primary ??= id;
  }
  if (primary === undefined) throw new CredentialsKeyError('No encryption key: set KASSA_SHOPIFY_KEYS');
  const first = primary;
  const b64 = (b: Buffer) => b.toString('base64url');
  return {
    primary: first,
    encrypt(plaintext, aad) {
      const key = keys.get(first) as Buffer;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', first, b64(iv), b64(body), b64(cipher.getAuthTag())].join('.');
    },
    decrypt(envelope, aad) {
      const [version, id, iv, body, tag] = envelope.split('.');
      if (version !== 'v1' || !id || iv === undefined || body === undefined || tag === undefined) {
        throw new CredentialsKeyError('Not a credentials envelope');
      }
      const key = keys.get(id);
      if (!key) throw new CredentialsKeyError(`Key ${id} is not in KASSA_SHOPIFY_KEYS (was it removed too early?)`);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new CredentialsKeyError('Credentials do not decrypt (wrong key, other shop, or tampered)');
      }
    },
    keyIdOf(envelope) {
      return envelope.split('.')[1] ?? '';
    },
  };
}

/** A fresh key spec for `KASSA_SHOPIFY_KEYS` (the CLI prints it; tests use it). */
export function generateKeySpec(id = `k${Date.now().toString(36)}`): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}
