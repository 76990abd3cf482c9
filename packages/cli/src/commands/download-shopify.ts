import { resolve } from 'node:path';
import { parseFlags } from '../args.js';
import { type CliIo, EXIT, UsageError } from '../io.js';

export const DOWNLOAD_SHOPIFY_HELP = `kassa download shopify --out DIR [--app-url URL] [--api-key KEY] — a deployable Shopify payments app

  writes shopify.app.toml, extensions/kassa-offsite/shopify.extension.toml, .env.example, package.json and the README;
  --app-url fills the app's public HTTPS origin into the TOMLs (else {{APP_URL}} stays for you to replace)
`;

export async function downloadShopifyCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, {
    out: { type: 'string' },
    'app-url': { type: 'string' },
    'api-key': { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(DOWNLOAD_SHOPIFY_HELP);
    return EXIT.ok;
  }
  if (typeof values.out !== 'string' || values.out === '') throw new UsageError('--out DIR is required');
  const { writeDeployableApp } = await import('@kassa/shopify');
  const out = resolve(values.out);
  const files = writeDeployableApp({
    out,
    appUrl: typeof values['app-url'] === 'string' ? values['app-url'] : undefined,
    apiKey: typeof values['api-key'] === 'string' ? values['api-key'] : undefined,
  });
  io.stdout(`${files.map((f) => resolve(out, f)).join('\n')}\n`);
  return EXIT.ok;
}
