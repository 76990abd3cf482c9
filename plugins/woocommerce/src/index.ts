/**
 * `@kassa/woocommerce`: the Node bridge between WooCommerce (wc/v3) and Robokassa or Assist through core's Gateway
 * port and SQL ledger. Run it with `kassa-woocommerce-bridge`, or embed `startBridge` / `createBridge`.
 */
export {
  type Bridge,
  type BridgeOptions,
  createBridge,
  type GatewaySettings,
  gatewaySettingsSchema,
} from './bridge.js';
export { type BridgeServer, type BridgeServerOptions, startBridge } from './server.js';
export { createWooShop, orderMeta, type Shop, type ShopConfig, type WooNote, type WooOrder } from './shop.js';
export { hmacHex, signApiRequest, signPayLink, verifyApiRequest, verifyPayLink } from './signing.js';
export { type BridgeStore, openStore } from './store.js';
export { buildPluginZip, pluginSourceDir } from './zip.js';
