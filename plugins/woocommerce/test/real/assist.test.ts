/**
 * Assist through the real WooCommerce 9.4.3 with HPOS off (posts storage), the classic shortcode checkout and the
 * Checkout block: order → bridge → sandbox order.cfm → checkvalue-verified notification → paid order; a declined
 * card; duplicates; tampering; holds captured and cancelled by changing the order's status in WooCommerce.
 */
import { notificationCheckvalue } from '@kassa/core/assist';
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
  world = await startWorld({ gateway: 'assist', hpos: false });
});
afterAll(async () => {
  await world?.stop();
});

async function notes(orderId: number) {
  return (await world.shop.listNotes(orderId)).filter((n) => n.note.includes('[kassa:'));
}

async function payAssist(payUrl: string, extra: Record<string, unknown> = {}) {
  const form = await openPayLink(payUrl);
  expect(form.status).toBe(200);
  expect(form.action).toContain('/pay/order.cfm');
  const outcome = await world.sandbox.admin.assist.pay({ params: form.fields, card: '4111111111111111', ...extra });
  await world.sandbox.admin.idle();
  return { form, outcome };
}

async function setHold(hold: boolean) {
  const body = JSON.stringify({ ...gatewaySettings('assist', world.sandbox.url, hold) });
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

describe('Assist on real WooCommerce (HPOS off)', () => {
  test('classic checkout → bridge → Assist → paid once, with note and the billnumber as transaction id', async () => {
    const { orderId, payUrl } = await classicCheckout(world.site);
    const { outcome } = await payAssist(payUrl);
    expect(outcome.ok).toBe(true);
    const order = await world.shop.getOrder(orderId);
    expect(order?.status).toBe('processing');
    // Assist reports the attempt's billnumber extended (`…0001.1`) in the notification.
    expect(order?.transaction_id.startsWith((outcome as { bill: { billNumber: string } }).bill.billNumber)).toBe(true);
    expect(await notes(orderId)).toHaveLength(1);
    const location = (outcome as { redirect?: { location?: string } }).redirect?.location as string;
    const back = await fetch(location, { redirect: 'manual' });
    expect(back.headers.get('location')).toContain('order-received');
  });

  test('Checkout block, a declined card, then a good one; 50 concurrent copies of the notification', async () => {
    const { orderId, payUrl } = await blockCheckout(world.site, { method: 'card' });
    const declined = await payAssist(payUrl, { card: '4000000000000002' });
    expect((await world.shop.getOrder(orderId))?.status).toBe('pending');
    const location = (declined.outcome as { redirect?: { location?: string } }).redirect?.location as string;
    const back = await fetch(location, { redirect: 'manual' });
    expect(back.headers.get('location')).toContain(`order-pay/${orderId}`);
    await payAssist(payUrl, { faults: { callback: { duplicate: 49, concurrent: true } } });
    expect((await world.shop.getOrder(orderId))?.status).toBe('processing');
    expect(await notes(orderId)).toHaveLength(1);
  });

  test('tampering changes nothing: checkvalue, amount, currency, unknown order, a spoofed return', async () => {
    const { orderId, payUrl } = await blockCheckout(world.site);
    const form = await openPayLink(payUrl);
    const orderNumber = form.fields.find(([k]) => k === 'OrderNumber')?.[1] as string;
    const post = (body: string) =>
      fetch(`${world.bridgeUrl}/notify/assist`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    const forged = await post(
      `merchant_id=679471&ordernumber=${orderNumber}&amount=3000.00&currency=RUB&orderstate=Approved&billnumber=1&packetdate=01.01.2026 00:00:00&checkvalue=${'A'.repeat(32)}`,
    );
    // Assist's failure reply (pushpaymentresult with firstcode 9: bad checkvalue) ends its retries.
    expect(await forged.text()).toMatch(/<pushpaymentresult firstcode="[49]"/);
    // Correctly signed with the secret word, but not what the order asked for: the use case refuses them.
    const signed = (fields: { ordernumber: string; amount: string; currency: string }) => {
      const parts = { merchant_id: '679471', orderstate: 'Approved', ...fields };
      const checkvalue = notificationCheckvalue('assist-secret-word', parts);
      return post(
        `${new URLSearchParams({ ...parts, billnumber: '5401234567890123.1', packetdate: '01.01.2026 00:00:00', checkvalue })}`,
      );
    };
    for (const fields of [
      { ordernumber: orderNumber, amount: '1.00', currency: 'RUB' },
      { ordernumber: orderNumber, amount: '3000.00', currency: 'USD' },
      { ordernumber: '999999', amount: '3000.00', currency: 'RUB' },
    ]) {
      const answer = await signed(fields);
      expect(await answer.text()).not.toMatch(/<pushpaymentresult firstcode="0"/);
    }
    // A buyer (or anyone) opening the success return by hand: Assist's return is unsigned, so the bridge asks
    // Assist's status API, which knows no payment; the order is not touched.
    const spoof = await fetch(`${world.bridgeUrl}/return/assist/success?ordernumber=${orderNumber}&billnumber=1`, {
      redirect: 'manual',
    });
    expect(spoof.status).toBe(303);
    expect((await world.shop.getOrder(orderId))?.status).toBe('pending');
    expect((await world.shop.getOrder(orderId))?.date_paid).toBeNull();
    expect(await notes(orderId)).toHaveLength(0);
  });

  test('a lost notification is found by reconciliation; refunds from WooCommerce, partial then the rest', async () => {
    const { orderId, payUrl } = await blockCheckout(world.site);
    await payAssist(payUrl, { faults: { callback: { drop: true } } });
    expect((await world.shop.getOrder(orderId))?.status).toBe('pending');
    await world.bridge.bridge.reconcile({ olderThanMs: 0 });
    expect((await world.shop.getOrder(orderId))?.status).toBe('processing');
    expect(await notes(orderId)).toHaveLength(1);
    // process_refund → bridge → Assist's refund (cancel) API, as the admin's Refund button does.
    const refund = (amount: string) =>
      world.site.php(
        `$r = wc_create_refund(['order_id' => ${orderId}, 'amount' => '${amount}', 'reason' => 'test', 'refund_payment' => true]); echo is_wp_error($r) ? 'ERR ' . $r->get_error_message() : 'OK';`,
      );
    expect((await refund('1000.00')).trim()).toBe('OK');
    expect((await refund('2000.00')).trim()).toBe('OK');
    expect((await refund('1.00')).trim()).toMatch(/^ERR/);
    const order = await world.shop.getOrder(orderId);
    expect(order?.status).toBe('refunded');
  });

  test('hold: on-hold order, captured when moved to processing; another cancelled with the order', async () => {
    await setHold(true);
    try {
      const a = await blockCheckout(world.site);
      await payAssist(a.payUrl);
      let order = await world.shop.getOrder(a.orderId);
      expect(order?.status).toBe('on-hold');
      // The merchant moves it to processing in WP admin: the plugin's status hook asks the bridge to capture.
      await world.site.php(`$o = wc_get_order(${a.orderId}); $o->update_status('processing', 'merchant'); echo 'ok';`);
      order = await world.shop.getOrder(a.orderId);
      expect(order?.status).toBe('processing');
      expect((await notes(a.orderId)).map((n) => n.note).join('\n')).toContain('Списание удержанных средств');
      const b = await blockCheckout(world.site);
      await payAssist(b.payUrl);
      expect((await world.shop.getOrder(b.orderId))?.status).toBe('on-hold');
      await world.site.php(`$o = wc_get_order(${b.orderId}); $o->update_status('cancelled', 'merchant'); echo 'ok';`);
      expect((await world.shop.getOrder(b.orderId))?.status).toBe('cancelled');
    } finally {
      await setHold(false);
    }
  });
});

describe('Robokassa on the same real WooCommerce (HPOS off)', () => {
  beforeAll(async () => {
    await useGateway(world, 'robokassa');
  });
  afterAll(async () => {
    await useGateway(world, 'assist');
  });

  test('Checkout block and classic checkout (with the picker) → Robokassa → paid once, note, transaction id', async () => {
    const picker = await methodPicker(world.site);
    expect(picker.classicCodes).toContain('BankCardPSR');
    expect(picker.blockMethods).toEqual(picker.classicCodes);
    for (const checkout of [blockCheckout, classicCheckout]) {
      const { orderId, payUrl } = await checkout(world.site, { method: 'BankCardPSR' });
      const form = await openPayLink(payUrl);
      expect(form.fields.find(([k]) => k === 'IncCurrLabel')?.[1]).toBe('BankCardPSR');
      const outcome = await world.sandbox.admin.pay({ params: form.fields, method: 'BankCardPSR' });
      await world.sandbox.admin.idle();
      expect(outcome.ok).toBe(true);
      const order = await world.shop.getOrder(orderId);
      expect(order?.status).toBe('processing');
      expect(order?.transaction_id).toMatch(/^robokassa-\d+$/);
      expect(await notes(orderId)).toHaveLength(1);
    }
  });
});
