/**
 * The WooCommerce demo: a real WordPress 6.5.5 + WooCommerce 9.4.3 (HPOS on) with the Kassa plugin installed from its
 * zip, the bridge and the sandbox (Robokassa + Assist), all on this machine. Prints the shop URL and the WP admin login,
 * then runs until Ctrl-C (everything it made — temp folder, MariaDB database — is removed on exit).
 *   bash examples/woocommerce/demo.sh [robokassa|assist]
 */
import { startWorld } from '../../plugins/woocommerce/test/support/world.ts';

const started = performance.now();
const gateway = process.argv[2] === 'assist' ? 'assist' : 'robokassa';
const world = await startWorld({ gateway, hpos: true });
console.log(`
Kassa × WooCommerce demo (${gateway})
  shop:        ${world.site.url}/?add-to-cart=${world.site.productId}   then ${world.site.url}/checkout/
  classic:     ${world.site.classicCheckoutUrl}
  WP admin:    ${world.site.url}/wp-admin/   user ${world.site.admin.user}   password ${world.site.admin.password}
  bridge:      ${world.bridgeUrl}
  sandbox:     ${world.sandbox.url}
Ready in ${((performance.now() - started) / 1000).toFixed(1)} s. Ctrl-C stops everything.`);
const stop = () => {
  world.stop().finally(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
