import { createPrivateKey, generateKeyPair, type KeyObject, randomBytes, sign, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import type { SigningKeyRecord } from './store.js';
import { selfSignedCertificate } from './x509.js';

const generateRsa = promisify(generateKeyPair);

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/**
 * The sandbox's own ResultUrl2 signer: an RSA key made at first use (or loaded from the persisted state) and a
 * self-signed certificate for it, served at `/jwtsign.cer` like Robokassa's (§2.2).
 */
export class JwsSigner {
  private key: Promise<{ privateKey: KeyObject; record: SigningKeyRecord }> | undefined;

  constructor(
    private readonly load: () => SigningKeyRecord | undefined,
    private readonly save: (record: SigningKeyRecord) => void,
  ) {}

  private ensure() {
    this.key ??= (async () => {
      const saved = this.load();
      if (saved) return { privateKey: createPrivateKey(saved.privateKeyPem), record: saved };
      const { privateKey } = await generateRsa('rsa', { modulusLength: 2048 });
      const record = {
        privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        certificatePem: selfSignedCertificate(privateKey, 'Kassa sandbox ResultUrl2 signing', randomBytes(8)),
      };
      this.save(record);
      return { privateKey, record };
    })();
    return this.key;
  }

  async certificatePem(): Promise<string> {
    return (await this.ensure()).record.certificatePem;
  }

  async publicKeyPem(): Promise<string> {
    const pem = await this.certificatePem();
    return new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  /** A compact RS256 JWS with Robokassa's header `{"typ":"JWT","alg":"RS256"}` (§2.2). */
  async sign(payload: unknown): Promise<string> {
    const { privateKey } = await this.ensure();
    const input = `${base64url('{"typ":"JWT","alg":"RS256"}')}.${base64url(JSON.stringify(payload))}`;
    return `${input}.${base64url(sign('sha256', Buffer.from(input, 'ascii'), privateKey))}`;
  }
}
