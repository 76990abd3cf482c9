/** The server's configuration, from the environment, validated once: every missing or wrong key named in one error. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseKeyRing } from './crypto.js';

const schema = z.object({
  SHOPIFY_API_KEY: z.string().min(1),
  SHOPIFY_API_SECRET: z.string().min(1),
  KASSA_APP_URL: z.string().url(),
  DATABASE_URL: z.string().min(1).default('sqlite:kassa-shopify.sqlite'),
  KASSA_SHOPIFY_KEYS: z.string().min(1),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  TLS_KEY_FILE: z.string().optional(),
  TLS_CERT_FILE: z.string().optional(),
  SHOPIFY_CLIENT_CA_FILE: z.string().optional(),
  /** Development only: where shops live, `{shop}` replaced (the emulator: `http://127.0.0.1:9000/store/{shop}`). */
  KASSA_SHOPIFY_ORIGIN: z.string().optional(),
});

export type ServerEnv = z.infer<typeof schema>;

export class EnvError extends Error {
  override readonly name = 'EnvError';
}

export function readServerEnv(env: Record<string, string | undefined> = process.env): ServerEnv {
  const blank = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = schema.safeParse(blank);
  if (!parsed.success) {
    const keys = [...new Set(parsed.error.issues.map((i) => i.path.join('.')))];
    throw new EnvError(`Missing or invalid settings: ${keys.join(', ')} (see env.example)`);
  }
  const tls = [parsed.data.TLS_KEY_FILE, parsed.data.TLS_CERT_FILE, parsed.data.SHOPIFY_CLIENT_CA_FILE];
  if (tls.some(Boolean) && !tls.every(Boolean)) {
    throw new EnvError('TLS_KEY_FILE, TLS_CERT_FILE and SHOPIFY_CLIENT_CA_FILE go together');
  }
  parseKeyRing(parsed.data.KASSA_SHOPIFY_KEYS);
  return parsed.data;
}

export function tlsFrom(env: ServerEnv): { key: string; cert: string; clientCa: string } | undefined {
  if (!env.TLS_KEY_FILE || !env.TLS_CERT_FILE || !env.SHOPIFY_CLIENT_CA_FILE) return undefined;
  return {
    key: readFileSync(env.TLS_KEY_FILE, 'utf8'),
    cert: readFileSync(env.TLS_CERT_FILE, 'utf8'),
    clientCa: readFileSync(env.SHOPIFY_CLIENT_CA_FILE, 'utf8'),
  };
}
