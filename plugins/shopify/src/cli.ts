#!/usr/bin/env node
/**
 * `kassa-shopify serve` (default): the app, configured from the environment (env.example).
 * `kassa-shopify keygen`: a fresh credentials key for KASSA_SHOPIFY_KEYS.
 * `kassa-shopify rotate-keys`: re-encrypt every shop's credentials with the first key of KASSA_SHOPIFY_KEYS.
 * `kassa-shopify download --out DIR [--app-url URL]`: the deployable copy (same as `kassa download shopify`).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateKeySpec } from './crypto.js';
import { writeDeployableApp } from './download.js';
import { EnvError, readServerEnv, tlsFrom } from './env.js';
import { startShopifyApp } from './server.js';

export async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  try {
    if (command === 'keygen') {
      process.stdout.write(`${generateKeySpec()}\n`);
      return 0;
    }
    if (command === 'download') {
      const { values } = parseArgs({ args: rest, options: { out: { type: 'string' }, 'app-url': { type: 'string' } } });
      if (!values.out) throw new EnvError('--out DIR is required');
      for (const f of writeDeployableApp({ out: values.out, appUrl: values['app-url'] }))
        process.stdout.write(`${f}\n`);
      return 0;
    }
    const env = readServerEnv();
    const origin = env.KASSA_SHOPIFY_ORIGIN;
    const options = {
      apiKey: env.SHOPIFY_API_KEY,
      apiSecretKey: env.SHOPIFY_API_SECRET,
      appUrl: env.KASSA_APP_URL,
      databaseUrl: env.DATABASE_URL,
      encryptionKeys: env.KASSA_SHOPIFY_KEYS,
      ...(origin ? { shopOrigin: (shop: string) => origin.replace('{shop}', shop) } : {}),
    };
    if (command === 'rotate-keys') {
      const running = await startShopifyApp({ ...options, startOutbox: false }, { port: 0, host: '127.0.0.1' });
      const moved = await running.app.shops.rotate();
      await running.stop();
      process.stdout.write(`re-encrypted ${moved} shop(s) with the first key\n`);
      return 0;
    }
    if (command !== 'serve') throw new EnvError(`unknown command ${command}: serve, keygen, rotate-keys, download`);
    const tls = tlsFrom(env);
    const running = await startShopifyApp(options, { port: env.PORT, host: env.HOST, ...(tls ? { tls } : {}) });
    process.stdout.write(`kassa-shopify listening on ${env.HOST}:${running.port} (${env.KASSA_APP_URL})\n`);
    const stop = async () => {
      await running.stop();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return -1;
  } catch (error) {
    if (error instanceof EnvError || (error as Error).name === 'CredentialsKeyError') {
      process.stderr.write(`${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
}

function invokedDirectly(): boolean {
  try {
    return (
      Boolean(process.argv[1]) &&
      realpathSync(process.argv[1] as string) === realpathSync(fileURLToPath(import.meta.url))
    );
  } catch {
    return false;
  }
}
const isMain = invokedDirectly();
if (isMain) {
  main(process.argv.slice(2)).then((code) => {
    if (code >= 0) process.exit(code);
  });
}
