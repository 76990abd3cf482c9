/**
 * Assist through the real WooCommerce 9.4.3 with HPOS off (posts storage), the classic shortcode checkout and the
 * Checkout block: order → bridge → sandbox order.cfm → checkvalue-verified notification → paid order; a declined
 * card; duplicates; tampering; holds captured and cancelled by changing the order's status in WooCommerce.
 */
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

  test('tampering changes nothing: checkvalue, unknown order', async () => {
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
    expect((await world.shop.getOrder(orderId))?.status).toBe('pending');
    expect(await notes(orderId)).toHaveLength(0);
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
