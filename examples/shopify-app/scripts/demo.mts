/**
 * One command: the Shopify emulator (plugins/shopify/test/emulator), the Kassa sandbox (Robokassa + Assist) and the
 * Kassa Shopify app, wired together; the shop is installed through OAuth and configured through the settings page,
 * then a checkout URL is printed. Open it, press "Pay now", pay on the gateway's page, land on Shopify's thank-you.
 *
 *   npm run demo -w examples/shopify-app -- [--gateway robokassa|assist] [--port 9300]
 */
import { parseArgs } from 'node:util';
import { startDemo } from './world.mts';

const { values } = parseArgs({
  options: { gateway: { type: 'string', default: 'robokassa' }, port: { type: 'string', default: '9300' } },
});
const gateway = values.gateway === 'assist' ? 'assist' : 'robokassa';
const demo = await startDemo({ gateway, basePort: Number(values.port) });
process.stdout.write(`
Kassa Shopify demo (${gateway})
  Shopify emulator  ${demo.emulatorUrl}
  Kassa sandbox     ${demo.sandboxUrl}/sandbox
  the app           ${demo.appUrl}  (settings: ${demo.settingsUrl})

Checkout: ${demo.checkoutUrl}

Ctrl-C stops everything.
`);
const stop = async () => {
  await demo.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
