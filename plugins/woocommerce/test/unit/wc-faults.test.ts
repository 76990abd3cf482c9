/**
 * Faults the real WooCommerce cannot be made to produce on demand — 5xx, timeouts, malformed and truncated bodies —
 * against a fake of `wc/v3` that answers with the captured 9.4.3 shapes (test/support/fake-wc.ts). First the shop
 * client's own rules (reads retried, writes not, every failure a typed KassaError), then the bridge end to end with the
 * sandbox: a settle step that meets a fault leaves the order untouched and the record unsettled, and the gateway's retry
 * or reconciliation settles it exactly once (one payment_complete, one note).
 */
import { silentLogger } from '@kassa/core';
import { type Sandbox, startSandbox } from '@kassa/sandbox';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type BridgeServer, createWooShop, signPayLink, startBridge } from '../../src/index.js';
import { type FakeWooCommerce, startFakeWooCommerce } from '../support/fake-wc.js';
import { freePort, gatewaySettings, openPayLink } from '../support/world.js';

const SECRET = 'fault-test-shared-secret-0123456789';
let fake: FakeWooCommerce;

describe('the shop client against wc/v3 faults', () => {
  beforeEach(async () => {
    fake = await startFakeWooCommerce();
  });
  afterEach(async () => {
    await fake.stop();
  });
  const shop = () => createWooShop({ url: fake.url, consumerKey: 'ck_x', consumerSecret: 'cs_x', timeoutMs: 300 });
  const code = (p: Promise<unknown>) =>
    p.then(
      () => 'resolved',
      (e: { code?: string }) => e.code,
    );

  test('a read is retried through 5xx and succeeds', async () => {
    fake.fail('GET', /^\/orders\/11$/, '5xx', 2);
    expect((await shop().getOrder(11))?.order_key).toBe('wc_order_iEAsEl1ZgQL1b');
    expect(fake.requests.filter((r) => r === 'GET /orders/11')).toHaveLength(3);
  });

  test('5xx that does not stop: GATEWAY_HTTP_ERROR after three attempts', async () => {
    fake.fail('GET', /^\/orders\/11$/, '5xx');
    expect(await code(shop().getOrder(11))).toBe('GATEWAY_HTTP_ERROR');
    expect(fake.requests).toHaveLength(3);
  });

  test('a timeout: GATEWAY_TIMEOUT, bounded by the client timeout', async () => {
    fake.fail('GET', /^\/orders\/11$/, 'timeout');
    const started = Date.now();
    expect(await code(shop().getOrder(11))).toBe('GATEWAY_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test('malformed and truncated bodies: GATEWAY_BAD_RESPONSE, never a half-read order', async () => {
    fake.fail('GET', /^\/orders\/11$/, 'malformed', 1);
    expect(await code(shop().getOrder(11))).toBe('GATEWAY_BAD_RESPONSE');
    fake.fail('GET', /^\/orders\/11$/, 'truncated', 1);
    expect(await code(shop().getOrder(11))).toBe('GATEWAY_BAD_RESPONSE');
    fake.fail('GET', /^\/orders\/11\/notes$/, 'malformed', 1);
    expect(await code(shop().listNotes(11))).toBe('GATEWAY_BAD_RESPONSE');
    fake.fail('PUT', /^\/orders\/11$/, 'truncated', 1);
    expect(await code(shop().updateOrder(11, { set_paid: true }))).toBe('GATEWAY_BAD_RESPONSE');
  });

  test('a write is not retried (set_paid overwrites transaction_id): one PUT, then the error', async () => {
    fake.fail('PUT', /^\/orders\/11$/, '5xx', 1);
    expect(await code(shop().updateOrder(11, { set_paid: true, transaction_id: 'x' }))).toBe('GATEWAY_HTTP_ERROR');
    expect(fake.requests.filter((r) => r.startsWith('PUT'))).toHaveLength(1);
  });

  test('the captured 404 of an unknown order reads as no order', async () => {
    expect(await shop().getOrder(999)).toBeUndefined();
  });
});

describe('the bridge settles exactly once through wc/v3 faults', () => {
  let sandbox: Sandbox;
  let bridge: BridgeServer;
  let bridgeUrl: string;

  const merchant = (url: string) => ({
    login: 'wcshop',
    password1: 'rk-p1',
    password2: 'rk-p2',
    password3: 'rk-p3',
    resultUrl: `${url}/notify/robokassa`,
    successUrl: `${url}/return/robokassa/success`,
    failUrl: `${url}/return/robokassa/fail`,
  });

  beforeAll(async () => {
    sandbox = await startSandbox({ merchants: [merchant('http://127.0.0.1:9')], retryBackoffMs: 0 });
  });
  afterAll(async () => {
    await sandbox.stop();
  });
  beforeEach(async () => {
    // A new port per test: no keep-alive socket of the previous bridge is ever reused.
    const port = await freePort();
    bridgeUrl = `http://127.0.0.1:${port}`;
    sandbox.admin.reset(); // every test's ledger starts its InvIds afresh
    sandbox.admin.upsertMerchant(merchant(bridgeUrl));
    fake = await startFakeWooCommerce();
    bridge = await startBridge({
      shop: { url: fake.url, consumerKey: 'ck_x', consumerSecret: 'cs_x', timeoutMs: 150 },
      secret: SECRET,
      databaseUrl: 'sqlite::memory:',
      port,
      settings: gatewaySettings('robokassa', sandbox.url),
      reconcileEveryMs: 0,
      logger: silentLogger,
    });
  });
  afterEach(async () => {
    await bridge.stop();
    await fake.stop();
  });

  /** The buyer opens the bridge's /pay link (WooCommerce healthy), then `faults` start, then the sandbox pays. */
  async function pay(faults: () => void = () => {}) {
    const link = signPayLink(SECRET, {
      orderId: 11,
      key: 'wc_order_iEAsEl1ZgQL1b',
      returnUrl: 'http://shop.example/checkout/order-received/11/',
      cancelUrl: 'http://shop.example/checkout/order-pay/11/',
    });
    const form = await openPayLink(`${bridgeUrl}${link}`);
    expect(form.status).toBe(200);
    faults();
    const outcome = await sandbox.admin.pay({ params: form.fields, method: 'BankCardPSR' });
    await sandbox.admin.idle();
    return outcome;
  }
  const ourNotes = () => fake.notes.filter((n) => n.note.includes('[kassa:robokassa:'));

  test.each([
    ['GET order answers 502', 'GET', /^\/orders\/11$/, '5xx'],
    ['GET order times out', 'GET', /^\/orders\/11$/, 'timeout'],
    ['GET order is malformed', 'GET', /^\/orders\/11$/, 'malformed'],
    ['PUT set_paid answers 502', 'PUT', /^\/orders\/11$/, '5xx'],
    ['PUT set_paid is truncated', 'PUT', /^\/orders\/11$/, 'truncated'],
    ['GET notes is malformed', 'GET', /^\/orders\/11\/notes$/, 'malformed'],
  ] as const)(
    '%s on every attempt: nothing settles; after it clears, reconciliation settles once',
    async (_name, method, path, fault) => {
      await pay(() => fake.fail(method, path, fault));
      const unsettled = await bridge.bridge.reconcile({ olderThanMs: 0 });
      expect(JSON.stringify(unsettled)).toContain('errors');
      // A truncated PUT may have been applied by WooCommerce before the answer broke: then the order is paid once, and
      // the bridge, not having seen the answer, has not recorded it settled yet.
      expect(fake.paymentCompletes).toBeLessThanOrEqual(1);
      expect(ourNotes()).toHaveLength(0);
      fake.clearFaults();
      await bridge.bridge.reconcile({ olderThanMs: 0 });
      await bridge.bridge.reconcile({ olderThanMs: 0 });
      expect(fake.paymentCompletes).toBe(1);
      expect(fake.order.date_paid).not.toBeNull();
      expect(fake.order.transaction_id).not.toBe('');
      expect(ourNotes()).toHaveLength(1);
    },
  );

  test('a fault on the first delivery only: the gateway retry settles it, once', async () => {
    const outcome = await pay(() => fake.fail('PUT', /^\/orders\/11$/, '5xx', 1));
    expect(outcome.ok).toBe(true);
    expect(fake.paymentCompletes).toBe(1);
    expect(ourNotes()).toHaveLength(1);
  });
});
