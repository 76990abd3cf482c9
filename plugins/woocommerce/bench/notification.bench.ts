/**
 * `npm run bench` (root) → this: notification → order paid, through the bridge on a real WordPress 6.5.5 +
 * WooCommerce 9.4.3 (HPOS on) with the sandbox. A ResultURL is answered only after the order is marked paid (set_paid +
 * note over wc/v3), so its round trip is the notification → order-paid latency. Throughput is compared with a no-op
 * route (/health) on the same server in the same run. Not a timed test: numbers depend on the machine.
 *   KASSA_BENCH_ORDERS (default 60), KASSA_BENCH_CONCURRENCY (default 4)
 */
import { createHash } from 'node:crypto';
import { signPayLink } from '../src/index.js';
import { openPayLink, SECRET, startWorld } from '../test/support/world.js';

const ORDERS = Number(process.env.KASSA_BENCH_ORDERS ?? 60);
const CONCURRENCY = Number(process.env.KASSA_BENCH_CONCURRENCY ?? 4);

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

const world = await startWorld({ gateway: 'robokassa', hpos: true });
try {
  const created = await world.site.php(`
    $out = [];
    for ($i = 0; $i < ${ORDERS}; $i++) {
      $o = wc_create_order(['status' => 'pending']);
      $o->add_product(wc_get_product(${world.site.productId}), 2);
      $o->set_payment_method('kassa');
      $o->set_currency('RUB');
      $o->calculate_totals();
      $o->save();
      $out[] = [$o->get_id(), $o->get_order_key()];
    }
    echo json_encode($out);`);
  const orders = JSON.parse(created.slice(created.indexOf('['))) as [number, string][];
  const notifications: string[] = [];
  for (const [orderId, key] of orders) {
    const link = signPayLink(SECRET, {
      orderId,
      key,
      returnUrl: `${world.site.url}/`,
      cancelUrl: `${world.site.url}/`,
    });
    const form = await openPayLink(`${world.bridgeUrl}${link}`);
    const field = (k: string) => form.fields.find(([name]) => name === k)?.[1] as string;
    const outSum = field('OutSum');
    const invId = field('InvId');
    const sig = createHash('md5').update(`${outSum}:${invId}:rk-p2`).digest('hex').toUpperCase();
    notifications.push(`OutSum=${outSum}&InvId=${invId}&SignatureValue=${sig}`);
  }

  const latencies: number[] = [];
  const started = performance.now();
  await pool(notifications, CONCURRENCY, async (body) => {
    const t = performance.now();
    const response = await fetch(`${world.bridgeUrl}/notify/robokassa`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const text = await response.text();
    if (!text.startsWith('OK')) throw new Error(`notification answered ${response.status} ${text}`);
    latencies.push(performance.now() - t);
  });
  const bridgeSeconds = (performance.now() - started) / 1000;

  const noop = Array.from({ length: 2000 }, (_, i) => i);
  const noopStarted = performance.now();
  await pool(noop, CONCURRENCY, async () => {
    await (await fetch(`${world.bridgeUrl}/health`)).arrayBuffer();
  });
  const noopSeconds = (performance.now() - noopStarted) / 1000;

  const paid = await world.site.php(
    `echo count(wc_get_orders(['status' => 'processing', 'limit' => -1, 'return' => 'ids']));`,
  );
  latencies.sort((a, b) => a - b);
  const perSecond = notifications.length / bridgeSeconds;
  const noopPerSecond = noop.length / noopSeconds;
  console.log(
    `@kassa/woocommerce bench — real WooCommerce 9.4.3 (HPOS on), php -S with 4 workers, concurrency ${CONCURRENCY}`,
  );
  console.log(`  orders paid: ${paid.trim()} of ${notifications.length}`);
  console.log(
    `  notification → order paid: p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms`,
  );
  console.log(`  notifications/s through the bridge: ${perSecond.toFixed(1)}`);
  console.log(`  no-op route (/health) on the same server: ${noopPerSecond.toFixed(0)} req/s`);
  console.log(`  ratio bridge ÷ no-op: ${(perSecond / noopPerSecond).toFixed(4)}`);
} finally {
  await world.stop();
}
