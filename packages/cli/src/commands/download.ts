import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseFlags } from '../args.js';
import { type CliIo, EXIT, UsageError } from '../io.js';

export const DOWNLOAD_HELP = `kassa download woocommerce --out DIR — the installable WordPress plugin zip and the bridge's setup

  kassa download woocommerce --out ./kassa
  writes DIR/kassa-woocommerce.zip (WP admin → Plugins → Add New → Upload) and DIR/bridge.env.example
`;

const BRIDGE_ENV = `# The Kassa bridge for WooCommerce: npm install @kassa/woocommerce && npx kassa-woocommerce-bridge
# A read_write REST key of a dedicated WordPress user (WooCommerce → Settings → Advanced → REST API):
KASSA_WC_URL=https://shop.example.com
KASSA_WC_CONSUMER_KEY=ck_...
KASSA_WC_CONSUMER_SECRET=cs_...
# The same secret goes into WooCommerce → Settings → Payments → Kassa → Shared secret (at least 16 characters):
KASSA_WC_SECRET=
# Where the gateway and buyers reach the bridge; paste {this}/notify/robokassa or {this}/notify/assist into the cabinet:
KASSA_WC_PUBLIC_URL=https://pay.example.com
KASSA_WC_PORT=8790
# sqlite:/path/file.db (default) or postgres://user:pass@host/db for several instances:
KASSA_WC_DATABASE=sqlite:kassa-woocommerce.db
`;

export async function downloadCommand(args: string[], io: CliIo): Promise<number> {
  if (args[0] === 'shopify') return (await import('./download-shopify.js')).downloadShopifyCommand(args.slice(1), io);
  if (args[0] === 'medusa') return (await import('./download-medusa.js')).downloadMedusaCommand(args.slice(1), io);
  const { values, positionals } = parseFlags(args, { out: { type: 'string' }, help: { type: 'boolean' } });
  if (values.help) {
    io.stdout(DOWNLOAD_HELP);
    return EXIT.ok;
  }
  if (positionals[0] !== 'woocommerce')
    throw new UsageError('download takes a platform: kassa download woocommerce --out DIR');
  if (typeof values.out !== 'string' || values.out === '') throw new UsageError('--out DIR is required');
  const out = resolve(values.out);
  mkdirSync(out, { recursive: true });
  const { buildPluginZip } = await import('@kassa/woocommerce');
  const zip = buildPluginZip(join(out, 'kassa-woocommerce.zip'));
  writeFileSync(join(out, 'bridge.env.example'), BRIDGE_ENV);
  io.stdout(`${zip}\n${join(out, 'bridge.env.example')}\n`);
  return EXIT.ok;
}
