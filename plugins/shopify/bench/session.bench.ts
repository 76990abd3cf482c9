/**
 * Measured, not asserted (issue #10): the payment session endpoint's throughput as a fraction of a no-op route on
 * the same server, and the latency from the buyer pressing Pay on the gateway page to Shopify's resolve
 * (sandbox ResultURL → notification use case → outbox → GraphQL), p50/p99. SQLite, one process, this machine.
 */
import { test } from 'vitest';
import { gatewayUrlFrom, SHOP, startWorld } from '../test/harness.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const PAYMENTS = Number(process.env.BENCH_PAYMENTS ?? 60);

async function load(count: number, concurrency: number, one: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await one(next++);
    }),
  );
  return (count / (performance.now() - start)) * 1000;
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] as number;

test('payment session endpoint vs a no-op route; pay → resolve latency', async () => {
  const world = await startWorld();
  try {
    await world.configure('robokassa');
    const url = world.app.url;
    const headers = {
      'content-type': 'application/json',
      'shopify-shop-domain': SHOP,
      'shopify-request-id': 'bench',
      'shopify-api-version': '2026-07',
    };
    const bodies = Array.from({ length: REQUESTS }, (_, i) =>
      JSON.stringify(
        world.emulator.newPaymentBody({ shop: SHOP, amount: `${(i % 900) + 1}.00`, currency: 'RUB', test: true }),
      ),
    );
    // Warm-up.
    await load(100, CONCURRENCY, async () => {
      await (await fetch(`${url}/noop`, { method: 'POST', headers, body: '{}' })).arrayBuffer();
    });
    const noop = await load(REQUESTS, CONCURRENCY, async (i) => {
      await (await fetch(`${url}/noop`, { method: 'POST', headers, body: bodies[i] })).arrayBuffer();
    });
    const sessions = await load(REQUESTS, CONCURRENCY, async (i) => {
      const response = await fetch(`${url}/shopify/payment_session`, { method: 'POST', headers, body: bodies[i] });
      if (response.status !== 201) throw new Error(`status ${response.status}`);
      await response.arrayBuffer();
    });
    const retries = await load(REQUESTS, CONCURRENCY, async (i) => {
      const response = await fetch(`${url}/shopify/payment_session`, { method: 'POST', headers, body: bodies[i] });
      await response.arrayBuffer();
    });

    const latencies: number[] = [];
    for (let i = 0; i < PAYMENTS; i += 1) {
      const body = world.emulator.newPaymentBody({ shop: SHOP, amount: '100.00', currency: 'RUB', test: true });
      const started = await world.emulator.startPayment(body, { shop: SHOP });
      const gatewayUrl = await gatewayUrlFrom(started.redirectUrl as string);
      const t0 = Date.now();
      await world.sandbox.admin.pay({ url: gatewayUrl, method: 'BankCardPSR', waitFor: 'nothing' });
      for (;;) {
        const call = world.emulator.calls.find((c) => c.id === body.gid && c.outcome === 'ok');
        if (call) {
          latencies.push(call.at - t0);
          break;
        }
        await new Promise((r) => setTimeout(r, 1));
      }
    }
    latencies.sort((a, b) => a - b);
    const lines = [
      `payment session endpoint (new ids): ${sessions.toFixed(0)} req/s`,
      `payment session endpoint (retries of known ids): ${retries.toFixed(0)} req/s`,
      `no-op route on the same server: ${noop.toFixed(0)} req/s`,
      `ratio new/no-op: ${(sessions / noop).toFixed(2)}; retries/no-op: ${(retries / noop).toFixed(2)}`,
      `pay → paymentSessionResolve (${PAYMENTS} payments): p50 ${pct(latencies, 50)} ms, p99 ${pct(latencies, 99)} ms, max ${latencies.at(-1)} ms`,
      `(${REQUESTS} requests, concurrency ${CONCURRENCY}, SQLite via node:sqlite, node ${process.version})`,
    ];
    process.stdout.write(`\n@kassa/shopify bench\n  ${lines.join('\n  ')}\n\n`);
  } finally {
    await world.stop();
  }
});
