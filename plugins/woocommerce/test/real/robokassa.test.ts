/**
 * Robokassa through the real WooCommerce 9.4.3 (HPOS on), the bridge and the sandbox over HTTP: the Checkout block's
 * order → bridge → sandbox → ResultURL → paid order with its note and transaction id; duplicates, tampering, a lost
 * notification, refunds from WooCommerce.
 */
import { sign as cryptoSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signApiRequest } from '../../src/index.js';
import {
  blockCheckout,
  classicCheckout,
  gatewaySettings,
  methodPicker,
  openPayLink,
  SECRET,
  startWorld,
  useGateway,
  type World,
} from '../support/world.js';

let world: World;

beforeAll(async () => {
  world = await startWorld({ gateway: 'robokassa', hpos: true });
});
afterAll(async () => {
  await world?.stop();
});

async function notes(orderId: number) {
  return (await world.shop.listNotes(orderId)).filter((n) => n.note.includes('[kassa:'));
}

async function payRobokassa(payUrl: string, extra: Record<string, unknown> = {}) {
  const form = await openPayLink(payUrl);
  expect(form.status).toBe(200);
  const outcome = await world.sandbox.admin.pay({ params: form.fields, method: 'BankCardPSR', ...extra });
  await world.sandbox.admin.idle();
  return { form, outcome };
}

describe('Robokassa on real WooCommerce (HPOS on)', () => {
  test('Checkout block order → bridge → sandbox → paid once, with note and transaction id', async () => {
    const { orderId, payUrl } = await blockCheckout(world.site, { method: 'BankCardPSR' });
    expect(payUrl.startsWith(`${world.bridgeUrl}/pay/${orderId}?`)).toBe(true);
    const before = await world.shop.getOrder(orderId);
    expect(before?.status).toBe('pending');
    const { form, outcome } = await payRobokassa(payUrl);
    expect(form.fields.find(([k]) => k === 'IncCurrLabel')?.[1]).toBe('BankCardPSR');
    expect(form.fields.find(([k]) => k === 'OutSum')?.[1]).toBe('3000.00');
    expect(outcome.ok).toBe(true);
    const order = await world.shop.getOrder(orderId);
    expect(order?.status).toBe('processing');
    expect(order?.date_paid).not.toBeNull();
    expect(order?.transaction_id).toMatch(/^robokassa-\d+$/);
    expect(await notes(orderId)).toHaveLength(1);
    // The buyer's return (signed SuccessURL) lands on the order-received page.
    const location = (outcome as { redirect?: { location?: string } }).redirect?.location;
    expect(location).toContain('/return/robokassa/success');
    const back = await fetch(location as string, { redirect: 'manual' });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toContain('order-received');
  });

  test('50 concurrent copies of one notification: paid once, one note', async () => {
    const { orderId, payUrl } = await blockCheckout(world.site);
    await payRobokassa(payUrl, { faults: { callback: { duplicate: 49, concurrent: true } } });
    const order = await world.shop.getOrder(orderId);
    expect(order?.status).toBe('processing');
    expect(await notes(orderId)).toHaveLength(1);
  });

  test('tampering changes nothing: signature, amount, unknown invoice, FailURL spoof', async () => {
    const { orderId, payUrl } = await blockCheckout(world.site);
    const form = await openPayLink(payUrl);
    const invId = form.fields.find(([k]) => k === 'InvId')?.[1] as string;
    const post = (body: string) =>
      fetch(`${world.bridgeUrl}/notify/robokassa`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    const bad = await post(`OutSum=3000.000000&InvId=${invId}&SignatureValue=${'A'.repeat(32)}`);
    expect(bad.status).toBe(400);
    const unknown = await post(`OutSum=3000.000000&InvId=999999&SignatureValue=${'A'.repeat(32)}`);
    expect(unknown.status).toBe(400);
    const { createHash } = await import('node:crypto');
    const signed = createHash('md5').update(`1.000000:${invId}:rk-p2`).digest('hex');
    const cheap = await post(`OutSum=1.000000&InvId=${invId}&SignatureValue=${signed}`);
    expect(cheap.status).toBe(400);
    const spoof = await fetch(`${world.bridgeUrl}/return/robokassa/fail?OutSum=3000.00&InvId=${invId}`, {
      redirect: 'manual',
    });
    expect(spoof.status).toBe(303);
    expect(spoof.headers.get('location')).toContain('kassa_declined=1');
    const wrongLink = await fetch(payUrl.replace(/sig=[0-9a-f]+/, `sig=${'0'.repeat(64)}`), { redirect: 'manual' });
    expect(wrongLink.status).toBe(403);
    const order = await world.shop.getOrder(orderId);
    expect(order?.status).toBe('pending');
    expect(order?.date_paid).toBeNull();
    expect(await notes(orderId)).toHaveLength(0);
  });

  test('a declined payment sends the buyer back to pay again; the order stays payable', async () => {
    const { orderId, payUrl } = await blockCheckout(world.site);
    const form = await openPayLink(payUrl);
    const outcome = await world.sandbox.admin.pay({ params: form.fields, action: 'decline' });
    const location = (outcome as { redirect?: { location?: string } }).redirect?.location as string;
    const back = await fetch(location, { redirect: 'manual' });
    expect(back.headers.get('location')).toContain(`order-pay/${orderId}`);
    expect((await world.shop.getOrder(orderId))?.status).toBe('pending');
    // Paying again afterwards works.
    await payRobokassa(payUrl);
    expect((await world.shop.getOrder(orderId))?.status).toBe('processing');
  });

  test('a lost notification is found by reconciliation', async () => {
    const { orderId, payUrl } = await blockCheckout(world.site);
    await payRobokassa(payUrl, { faults: { callback: { drop: true } } });
    expect((await world.shop.getOrder(orderId))?.status).toBe('pending');
    await world.bridge.bridge.reconcile({ olderThanMs: 0 });
    const order = await world.shop.getOrder(orderId);
    expect(order?.status).toBe('processing');
    expect(await notes(orderId)).toHaveLength(1);
  });

  test('refunds from WooCommerce (process_refund → bridge → Robokassa): partial, then the rest', async () => {
    const { orderId, payUrl } = await blockCheckout(world.site);
    await payRobokassa(payUrl);
    // Admin refunds run as a logged-in user in the real UI; here the same process_refund runs inside WordPress.
    const partial = await world.site.php(
      `$r = wc_create_refund(['order_id' => ${orderId}, 'amount' => '1000.00', 'reason' => 'partial', 'refund_payment' => true]); echo is_wp_error($r) ? 'ERR ' . $r->get_error_message() : 'OK';`,
    );
    expect(partial.trim()).toBe('OK');
    const rest = await world.site.php(
      `$r = wc_create_refund(['order_id' => ${orderId}, 'amount' => '2000.00', 'reason' => 'rest', 'refund_payment' => true]); echo is_wp_error($r) ? 'ERR ' . $r->get_error_message() : 'OK';`,
    );
    expect(rest.trim()).toBe('OK');
    const tooMuch = await world.site.php(
      `$r = wc_create_refund(['order_id' => ${orderId}, 'amount' => '1.00', 'reason' => 'more', 'refund_payment' => true]); echo is_wp_error($r) ? 'ERR ' . $r->get_error_message() : 'OK';`,
    );
    expect(tooMuch.trim()).toMatch(/^ERR/);
    const order = await world.shop.getOrder(orderId);
    expect(order?.status).toBe('refunded');
  });
});

describe('Robokassa classic checkout and the method picker (HPOS on)', () => {
  test('the picker lists the bridge catalog in the classic checkout and in the Checkout block data', async () => {
    const picker = await methodPicker(world.site);
    expect(picker.classicCodes.length).toBeGreaterThan(0);
    expect(picker.classicCodes).toContain('BankCardPSR');
    expect(picker.blockMethods).toEqual(picker.classicCodes);
    expect(picker.blockHasKassa).toBe(true);
  });

  test('classic checkout with a picked method → IncCurrLabel → paid once', async () => {
    const { orderId, payUrl } = await classicCheckout(world.site, { method: 'BankCardPSR' });
    const { form, outcome } = await payRobokassa(payUrl);
    expect(form.fields.find(([k]) => k === 'IncCurrLabel')?.[1]).toBe('BankCardPSR');
    expect(outcome.ok).toBe(true);
    const order = await world.shop.getOrder(orderId);
    expect(order?.status).toBe('processing');
    expect(order?.transaction_id).toMatch(/^robokassa-\d+$/);
    expect(await notes(orderId)).toHaveLength(1);
  });
});

describe('Assist on the same real WooCommerce (HPOS on)', () => {
  beforeAll(async () => {
    await useGateway(world, 'assist');
  });
  afterAll(async () => {
    await useGateway(world, 'robokassa');
  });

  async function payAssist(payUrl: string) {
    const form = await openPayLink(payUrl);
    expect(form.action).toContain('/pay/order.cfm');
    const outcome = await world.sandbox.admin.assist.pay({ params: form.fields, card: '4111111111111111' });
    await world.sandbox.admin.idle();
    return outcome;
  }

  test('Checkout block → Assist → paid once with the billnumber; classic checkout too', async () => {
    const picker = await methodPicker(world.site);
    expect(picker.blockMethods).toEqual(picker.classicCodes);
    for (const checkout of [blockCheckout, classicCheckout]) {
      const { orderId, payUrl } = await checkout(world.site);
      const outcome = await payAssist(payUrl);
      expect(outcome.ok).toBe(true);
      const order = await world.shop.getOrder(orderId);
      expect(order?.status).toBe('processing');
      expect(order?.date_paid).not.toBeNull();
      expect(order?.transaction_id.startsWith((outcome as { bill: { billNumber: string } }).bill.billNumber)).toBe(
        true,
      );
      expect(await notes(orderId)).toHaveLength(1);
    }
  });
});

describe('the plugin zip on a real site (WP_DEBUG on)', () => {
  test('activates and runs without PHP warnings, notices or deprecations from the plugin', async () => {
    const active = await world.site.php(
      `echo is_plugin_active('kassa-woocommerce/kassa-woocommerce.php') ? 'active' : 'inactive';`,
    );
    expect(active.trim()).toBe('active');
    const log = world.site.debugLog();
    expect(log.split('\n').filter((line) => line.includes('kassa-woocommerce'))).toEqual([]);
  });

  test('the settings page never renders the shared secret; an empty field keeps it', async () => {
    const html = await world.site.php(
      `$g = new Kassa_WC_Gateway(); echo $g->generate_settings_html($g->get_form_fields(), false);`,
    );
    expect(html).toContain('woocommerce_kassa_bridge_secret');
    expect(html).not.toContain(SECRET);
    expect(html).not.toContain(SECRET.slice(-8));
    expect(html).toMatch(/id="woocommerce_kassa_bridge_secret"[^>]*value=""/);
    // Saving the form with the secret field left empty keeps the stored secret (the page never had it to send back).
    const kept = await world.site.php(
      `$g = new Kassa_WC_Gateway(); echo $g->validate_password_field('bridge_secret', '') === ${JSON.stringify(SECRET).replace(/"/g, "'")} ? 'kept' : 'lost';`,
    );
    expect(kept.trim()).toBe('kept');
  });

  test('no PHP notice was logged from the plugin while the suite ran', () => {
    const log = world.site.debugLog();
    expect(log.split('\n').filter((line) => line.includes('kassa-woocommerce'))).toEqual([]);
  });
});

describe('Robokassa holds through ResultUrl2 (HPOS on)', () => {
  /** The signed settings push the PHP plugin makes when the merchant saves "Two-stage payments" and the certificate. */
  async function pushSettings(extra: Record<string, unknown>) {
    const body = JSON.stringify({ ...gatewaySettings('robokassa', world.sandbox.url), ...extra });
    const response = await fetch(`${world.bridgeUrl}/api/settings`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...signApiRequest(SECRET, { method: 'POST', path: '/api/settings', body }),
      },
      body,
    });
    expect(response.status).toBe(200);
  }
  const field = (fields: [string, string][], name: string) => fields.find(([k]) => k === name)?.[1];
  const postHold = (token: string) =>
    fetch(`${world.bridgeUrl}/notify/robokassa/hold`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: token,
    });
  /** A ResultUrl2 token as Robokassa signs it (RS256 compact JWS), with a key of the test's own. */
  function token(key: KeyObject, data: { invId: string; opKey: string; incSum: string; state: 'HOLD' | 'OK' }) {
    const b64 = (v: string) => Buffer.from(v).toString('base64url');
    const payload = {
      header: { type: 'PaymentStateNotification', version: '1.0.0', timestamp: String(Math.floor(Date.now() / 1000)) },
      data: { shop: 'wcshop', paymentMethod: 'BankCard', ...data },
    };
    const input = `${b64('{"typ":"JWT","alg":"RS256"}')}.${b64(JSON.stringify(payload))}`;
    return `${input}.${cryptoSign('sha256', Buffer.from(input, 'ascii'), key).toString('base64url')}`;
  }

  afterAll(async () => {
    await pushSettings({ hold: false });
  });

  test('the sandbox HOLD on ResultUrl2 puts the order on hold; processing captures it, cancelled releases another', async () => {
    const certificate = await (await fetch(`${world.sandbox.url}/jwtsign.cer`)).text();
    expect(certificate).toContain('BEGIN CERTIFICATE');
    await pushSettings({ hold: true, robokassaCertificate: certificate });

    const a = await blockCheckout(world.site);
    const { form, outcome } = await payRobokassa(a.payUrl);
    expect(outcome.ok).toBe(true);
    expect(field(form.fields, 'StepByStep')).toBe('true');
    expect(field(form.fields, 'ResultUrl2')).toBe(`${world.bridgeUrl}/notify/robokassa/hold`);
    const invId = Number(field(form.fields, 'InvId'));
    const sent = world.sandbox.admin.notifications({ invId, kind: 'ResultUrl2' });
    expect(sent.map((n) => [n.status, n.outcome])).toEqual([[200, 'ok']]);
    let order = await world.shop.getOrder(a.orderId);
    expect(order?.status).toBe('on-hold');
    expect(order?.date_paid).toBeNull();
    expect((await notes(a.orderId)).map((n) => n.note).join('\n')).toContain('Средства удержаны');

    // The merchant moves it to processing in WP admin: the plugin asks the bridge to capture (Robokassa Confirm),
    // after which Robokassa's ResultURL settles the payment.
    await world.site.php(`$o = wc_get_order(${a.orderId}); $o->update_status('processing', 'merchant'); echo 'ok';`);
    await world.sandbox.admin.idle();
    order = await world.shop.getOrder(a.orderId);
    expect(order?.status).toBe('processing');
    // The operation key ResultUrl2 carried (the one Robokassa's refund API needs) is the transaction id.
    expect(order?.transaction_id).toBe(world.sandbox.admin.operations({ invId })[0]?.opKey);
    const captured = (await notes(a.orderId)).map((n) => n.note);
    expect(captured.filter((n) => n.includes('Списание удержанных средств'))).toHaveLength(1);

    const b = await blockCheckout(world.site);
    const held = await payRobokassa(b.payUrl);
    const heldInvId = Number(field(held.form.fields, 'InvId'));
    expect((await world.shop.getOrder(b.orderId))?.status).toBe('on-hold');
    expect(world.sandbox.admin.operations({ invId: heldInvId })[0]?.state).toBe(20);
    await world.site.php(`$o = wc_get_order(${b.orderId}); $o->update_status('cancelled', 'merchant'); echo 'ok';`);
    await world.sandbox.admin.idle();
    expect((await world.shop.getOrder(b.orderId))?.status).toBe('cancelled');
    // Released at Robokassa (the hold's Cancel): state 60, the held money went back to the buyer.
    expect(world.sandbox.admin.operations({ invId: heldInvId })[0]?.state).toBe(60);
  });

  test('ResultUrl2: 20 concurrent copies hold once; a forged, a wrong-amount or an unsigned token changes nothing', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    await pushSettings({
      hold: true,
      robokassaCertificate: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    const { orderId, payUrl } = await blockCheckout(world.site);
    const form = await openPayLink(payUrl);
    expect(field(form.fields, 'ResultUrl2')).toBe(`${world.bridgeUrl}/notify/robokassa/hold`);
    const invId = field(form.fields, 'InvId') as string;
    const hold = { invId, opKey: `op-${invId}`, incSum: '3000.00', state: 'HOLD' as const };

    const forged = await postHold(token(other, hold));
    expect(forged.status).toBe(400);
    const cheap = await postHold(token(privateKey, { ...hold, incSum: '1.00' }));
    expect(cheap.status).toBe(400);
    const [head, body] = token(privateKey, hold).split('.');
    const unsigned = await postHold(`${Buffer.from('{"alg":"none"}').toString('base64url')}.${body}.`);
    expect(unsigned.status).toBe(400);
    expect(head).toBeTruthy();
    const unknown = await postHold(token(privateKey, { ...hold, invId: '999999' }));
    expect(unknown.status).toBe(400);
    expect((await world.shop.getOrder(orderId))?.status).toBe('pending');
    expect(await notes(orderId)).toHaveLength(0);

    const copies = await Promise.all(Array.from({ length: 20 }, () => postHold(token(privateKey, hold))));
    expect(copies.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(await Promise.all(copies.map((r) => r.text()))).toEqual(Array(20).fill('OK'));
    const order = await world.shop.getOrder(orderId);
    expect(order?.status).toBe('on-hold');
    expect(order?.date_paid).toBeNull();
    expect((await notes(orderId)).filter((n) => n.note.includes('Средства удержаны'))).toHaveLength(1);
    // `OK` on ResultUrl2 changes nothing: ResultURL is what settles a payment.
    const ok = await postHold(token(privateKey, { ...hold, state: 'OK' }));
    expect(ok.status).toBe(200);
    expect((await world.shop.getOrder(orderId))?.status).toBe('on-hold');
  });

  test('without a certificate a hold names no ResultUrl2 (nothing could verify it) and the channel refuses tokens', async () => {
    // The merchant clears the certificate field: the push replaces the stored one with nothing.
    await pushSettings({ hold: true, robokassaCertificate: '' });
    const { orderId, payUrl } = await blockCheckout(world.site);
    const form = await openPayLink(payUrl);
    expect(field(form.fields, 'StepByStep')).toBe('true');
    expect(field(form.fields, 'ResultUrl2')).toBeUndefined();
    const refused = await postHold('a.b.c');
    expect(refused.status).toBe(400);
    expect((await world.shop.getOrder(orderId))?.status).toBe('pending');
  });
});
