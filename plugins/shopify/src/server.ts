/**
 * Serving the app: plain HTTP behind a TLS-terminating proxy that checks Shopify's client certificate, or HTTPS with
 * mTLS here (`requestCert`, the Payments Platform CA as `ca`): browsers reach the settings and return pages without a
 * certificate, and the four session routes refuse a request whose certificate did not chain to the CA.
 */
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type AppOptions, createShopifyApp, type KassaShopifyApp } from './app.js';

export interface ServeOptions {
  port?: number | undefined;
  host?: string | undefined;
  /** PEM strings; with them the server speaks HTTPS and asks every client for a certificate. */
  tls?: { key: string; cert: string; clientCa: string } | undefined;
}

export interface RunningApp {
  readonly app: KassaShopifyApp;
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

export async function startShopifyApp(
  options: Omit<AppOptions, 'appUrl'> & { appUrl?: string | undefined },
  serveOptions: ServeOptions = {},
): Promise<RunningApp> {
  const host = serveOptions.host ?? '127.0.0.1';
  let resolvedUrl = options.appUrl;
  // The public URL may depend on the port we get: build the app after listening, route through a holder.
  let app: KassaShopifyApp | undefined;
  const server = serve({
    fetch: (request: Request, env: unknown) =>
      app ? app.fetch(request, env) : new Response('Starting', { status: 503, headers: { 'retry-after': '1' } }),
    port: serveOptions.port ?? 0,
    hostname: host,
    ...(serveOptions.tls
      ? {
          createServer: createHttpsServer,
          serverOptions: {
            key: serveOptions.tls.key,
            cert: serveOptions.tls.cert,
            ca: serveOptions.tls.clientCa,
            requestCert: true,
            rejectUnauthorized: false,
          },
        }
      : {}),
  });
  await new Promise<void>((resolve) => {
    if (server.listening) resolve();
    else server.once('listening', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const scheme = serveOptions.tls ? 'https' : 'http';
  resolvedUrl ??= `${scheme}://${host}:${port}`;
  app = await createShopifyApp({
    ...options,
    appUrl: resolvedUrl,
    requireClientCertificate: options.requireClientCertificate ?? Boolean(serveOptions.tls),
  });
  const running = app;
  return {
    app: running,
    url: resolvedUrl,
    port,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await running.close();
    },
  };
}
