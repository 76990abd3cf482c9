/** The bridge as a Node HTTP service: store, shop client, routes, and a reconciliation timer. */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Logger } from '@kassa/core';
import { type Bridge, createBridge, type GatewaySettings } from './bridge.js';
import { createWooShop, type Shop } from './shop.js';
import { openStore } from './store.js';

export interface BridgeServerOptions {
  shop: { url: string; consumerKey: string; consumerSecret: string; timeoutMs?: number } | Shop;
  secret: string;
  /** `sqlite:path` (default `sqlite:kassa-woocommerce.db`) or `postgres://…`. */
  databaseUrl?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  /** The URL the gateway and buyers reach the bridge at. Default: http://host:port. */
  publicUrl?: string | undefined;
  settings?: GatewaySettings | undefined;
  /** Reconciliation period; 0 turns the timer off. Default 5 minutes. */
  reconcileEveryMs?: number | undefined;
  logger?: Logger | undefined;
}

export interface BridgeServer {
  readonly url: string;
  readonly bridge: Bridge;
  stop(): Promise<void>;
}

export async function startBridge(options: BridgeServerOptions): Promise<BridgeServer> {
  if (options.secret.length < 16) throw new Error('The shared secret must have at least 16 characters');
  const store = await openStore(options.databaseUrl ?? 'sqlite:kassa-woocommerce.db', options.secret);
  const shop = 'getOrder' in options.shop ? options.shop : createWooShop(options.shop);
  const host = options.host ?? '127.0.0.1';
  let bridge: Bridge | undefined;
  const server = serve({
    fetch: (request: Request) => (bridge as Bridge).fetch(request),
    hostname: host,
    port: options.port ?? 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  bridge = createBridge({
    shop,
    store,
    secret: options.secret,
    publicUrl: options.publicUrl ?? url,
    settings: options.settings,
    logger: options.logger,
  });
  const every = options.reconcileEveryMs ?? 5 * 60_000;
  const timer =
    every > 0
      ? setInterval(() => {
          bridge?.reconcile().catch((error) => options.logger?.error('RECONCILE_ERROR', { error }));
        }, every)
      : undefined;
  timer?.unref();
  return {
    url,
    bridge,
    async stop() {
      if (timer) clearInterval(timer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await store.close();
    },
  };
}
