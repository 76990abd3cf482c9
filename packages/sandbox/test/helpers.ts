import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';
import { type Sandbox, type SandboxOptions, startSandbox } from '../src/index.js';

/** Hashes in tests are computed here, with node:crypto directly, not with the sandbox's own helpers. */
export function hash(algorithm: string, text: string): string {
  return createHash(algorithm).update(text, 'utf8').digest('hex');
}

export interface Vector {
  source: string;
  description: string;
  inputs: Record<string, string>;
  expected: string;
}

/** The public vectors, copied from `shared/vectors/` into the package so that the repo tests on its own. */
export function loadVectors(): Vector[] {
  return JSON.parse(readFileSync(new URL('./vectors/robokassa.json', import.meta.url), 'utf8'));
}

/** A sandbox with fast retries for tests; every test stops what it starts. */
export async function testSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const sandbox = await startSandbox({ retryBackoffMs: 0, callbackTimeoutMs: 5_000, ...options });
  onTestFinished(() => sandbox.stop());
  return sandbox;
}

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Query for GET, form body for POST. */
  params: URLSearchParams;
}

export type Reply = { status?: number; body: string } | Promise<{ status?: number; body: string }>;

/**
 * A tiny shop: records every request and answers with `reply` (default: a correct `OK{InvId}`).
 */
export async function startShop(reply: (req: Received, index: number) => Reply = okReply) {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://shop');
      const entry: Received = {
        method: req.method ?? '',
        path: url.pathname,
        headers: req.headers,
        body,
        params: req.method === 'GET' ? url.searchParams : new URLSearchParams(body),
      };
      const index = received.push(entry) - 1;
      void Promise.resolve(reply(entry, index)).then(({ status = 200, body: answer }) => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(answer);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  onTestFinished(close);
  return { url, received, close };
}

export function okReply(req: Received): { body: string } {
  return { body: `OK${req.params.get('InvId') ?? ''}\n` };
}

/** A promise with its resolve function outside: lets a test hold a shop's answer until it says so. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export async function postForm(url: string, body: string | URLSearchParams, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    body: typeof body === 'string' ? body : body.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    redirect: 'manual',
  });
}

/** Robokassa's error code from the error page (`<meta name="robokassa-error">`), or undefined for a payment page. */
export function errorCodeOf(html: string): number | undefined {
  const match = /<meta name="robokassa-error" content="(\d+)">/.exec(html);
  return match ? Number(match[1]) : undefined;
}

export function opIdOf(html: string): string | undefined {
  return /data-op-id="([^"]+)"/.exec(html)?.[1];
}

/** A payment request signed in the test (md5 unless said otherwise), in the documented base order. */
export function signedRequest(options: {
  login: string;
  password: string;
  outSum: string;
  invId?: string;
  algorithm?: string;
  extra?: Array<[string, string]>;
  shp?: Array<[string, string]>;
  modifiers?: string[];
}): URLSearchParams {
  const { login, password, outSum, invId = '', algorithm = 'md5', extra = [], shp = [], modifiers = [] } = options;
  const shpPart = [...shp]
    .sort(([a], [b]) => (a.toUpperCase() < b.toUpperCase() ? -1 : 1))
    .map(([n, v]) => `${n}=${v}`);
  const base = [login, outSum, invId, ...modifiers, password, ...shpPart].join(':');
  return new URLSearchParams([
    ['MerchantLogin', login],
    ['OutSum', outSum],
    ['InvId', invId],
    ['Encoding', 'utf-8'],
    ...extra,
    ...shp,
    ['SignatureValue', hash(algorithm, base)],
  ]);
}

export const MERCHANT = {
  login: 'shop',
  shopName: 'Test shop',
  password1: 'pass-1',
  password2: 'pass-2',
  password3: 'pass-3',
  testPassword1: 'test-pass-1',
  testPassword2: 'test-pass-2',
} as const;
