/**
 * Load benchmark (not a test): 1,000 concurrent payments through the admin `pay` endpoint, each notifying a local
 * ResultURL receiver. Prints payments per second and the callback latency (from the pay request to the ResultURL
 * arriving at the shop), p50 and p99. Run after a build: `npm run bench -w @kassa/sandbox`.
 *
 * The sandbox runs as its own process, started through its real CLI (`dist/cli.js`), so that it has a core of its
 * own; this process is the buyers (the load) and the shop (the ResultURL receiver).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PAYMENTS = Number(process.env.BENCH_PAYMENTS ?? 1000);
const WARMUP = 200;

const arrived = new Map<string, number>();
const receiver = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    body += chunk;
  });
  req.on('end', () => {
    const invId = new URLSearchParams(body).get('InvId') ?? '';
    arrived.set(invId, performance.now());
    res.end(`OK${invId}`);
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const resultUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/result`;

const config = join(mkdtempSync(join(tmpdir(), 'kassa-bench-')), 'sandbox.json');
writeFileSync(
  config,
  JSON.stringify({
    port: 0,
    retryBackoffMs: 100,
    merchants: [{ login: 'bench', password1: 'p1', password2: 'p2', resultUrl }],
  }),
);
const child = spawn(
  process.execPath,
  [new URL('../dist/cli.js', import.meta.url).pathname, '--config', config, '--quiet'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const sandboxUrl = await new Promise<string>((resolve, reject) => {
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
    const match = /running at (http:\/\/\S+)/.exec(out);
    if (match?.[1]) resolve(match[1]);
  });
  child.once('exit', (code) => reject(new Error(`the sandbox exited (${code}) before it listened; build it first`)));
});

const agent = new Agent({ keepAlive: true, maxSockets: 256 });
function post(path: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${sandboxUrl}${path}`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve(text));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

function params(invId: number): Array<[string, string]> {
  const outSum = `${100 + (invId % 900)}.00`;
  const signature = createHash('md5').update(`bench:${outSum}:${invId}:p1:Shp_n=${invId}`).digest('hex');
  return [
    ['MerchantLogin', 'bench'],
    ['OutSum', outSum],
    ['InvId', String(invId)],
    ['Encoding', 'utf-8'],
    ['Shp_n', String(invId)],
    ['SignatureValue', signature],
  ];
}

const sent = new Map<string, number>();
async function pay(invId: number): Promise<boolean> {
  sent.set(String(invId), performance.now());
  const answer = await post('/sandbox/api/pay', JSON.stringify({ params: params(invId), method: 'BankCardPSR' }));
  return (JSON.parse(answer) as { ok: boolean }).ok;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

try {
  await Promise.all(Array.from({ length: WARMUP }, (_, i) => pay(1_000_000 + i)));
  const first = 1;
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: PAYMENTS }, (_, i) => pay(first + i)));
  const elapsed = (performance.now() - started) / 1000;
  await post('/sandbox/api/idle', '');

  const latencies: number[] = [];
  for (let inv = first; inv < first + PAYMENTS; inv++) {
    const at = arrived.get(String(inv));
    const from = sent.get(String(inv));
    if (at !== undefined && from !== undefined) latencies.push(at - from);
  }
  latencies.sort((a, b) => a - b);
  const ok = results.filter(Boolean).length;
  console.log(
    `kassa sandbox load: ${PAYMENTS} concurrent payments via POST /sandbox/api/pay, ResultURL to a local shop`,
  );
  console.log(`  accepted            ${ok}/${PAYMENTS}, ResultURL delivered ${latencies.length}/${PAYMENTS}`);
  console.log(`  throughput          ${(PAYMENTS / elapsed).toFixed(0)} payments/s (${elapsed.toFixed(2)} s)`);
  console.log(
    `  callback latency    p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
  );
  if (ok !== PAYMENTS || latencies.length !== PAYMENTS) process.exitCode = 1;
} finally {
  child.kill('SIGINT');
  agent.destroy();
  receiver.close();
  receiver.closeAllConnections();
}
