import { describe, expect, it } from 'vitest';
import { ASSIST, assistCheckvalue, assistOrder, assistSetup, pushOk } from './assist-helpers.js';
import { deferred } from './helpers.js';

/** The result notification (assist.md §2.1–§2.3): fields, checkvalue, retries, the failure reply, faults. */

describe('Assist notification', () => {
  it('POSTs the §2.1 fields, lower-case, with the no-delimiter checkvalue over amount/currency/orderstate', async () => {
    const { shop, sandbox } = await assistSetup();
    const outcome = await sandbox.admin.assist.pay({
      params: assistOrder('N-1', '1234.5', [
        ['Firstname', 'Иван'],
        ['Lastname', 'Петров'],
        ['Email', 'ivan@example.ru'],
        ['OrderComment', 'Чайник'],
      ]),
      waitFor: 'delivery',
    });
    expect(outcome).toMatchObject({ ok: true, delivery: { outcome: 'delivered' } });
    if (!outcome.ok) throw new Error('unreachable');
    expect(shop.received).toHaveLength(1);
    const [got] = shop.received;
    expect(got?.method).toBe('POST');
    expect(got?.path).toBe('/assist/notify');
    const p = got?.params ?? new URLSearchParams();
    expect([...p.keys()]).toEqual([
      'merchant_id',
      'ordernumber',
      'billnumber',
      'testmode',
      'ordercomment',
      'orderamount',
      'ordercurrency',
      'amount',
      'currency',
      'rate',
      'firstname',
      'lastname',
      'middlename',
      'email',
      'orderdate',
      'orderstate',
      'responsecode',
      'message',
      'customermessage',
      'recommendation',
      'approvalcode',
      'meantypename',
      'meantype_id',
      'meansubtype',
      'meannumber',
      'cardholder',
      'cardexpirationdate',
      'issuebank',
      'bankcountry',
      'ipaddress',
      'protocoltypename',
      'processingname',
      'operationtype',
      'operationdate',
      'slipno',
      'authresult',
      'authrequired',
      'packetdate',
      'signature',
      'checkvalue',
    ]);
    expect(Object.fromEntries(p)).toMatchObject({
      merchant_id: ASSIST.merchantId,
      ordernumber: 'N-1',
      billnumber: `${outcome.bill.billNumber}.1`,
      testmode: '1',
      orderamount: '1234.50',
      amount: '1234.50',
      currency: 'RUB',
      firstname: 'Иван',
      email: 'ivan@example.ru',
      orderstate: 'Approved',
      responsecode: 'AS000',
      processingname: 'Fake',
      operationtype: '100',
      signature: '',
    });
    expect(p.get('packetdate')).toMatch(/^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2}$/);
    expect(p.get('checkvalue')).toBe(assistCheckvalue(ASSIST.secretWord, `${ASSIST.merchantId}N-11234.50RUBApproved`));
  });

  it('retries until a valid pushpaymentresult arrives: 500, garbage, a wrong echo, a timeout, then OK', async () => {
    const { shop, sandbox } = await assistSetup(
      (req, index) => {
        if (index === 0) return { status: 500, body: 'oops' };
        if (index === 1) return { body: 'OK' };
        if (index === 2)
          return {
            body: '<pushpaymentresult firstcode="0" secondcode="0"><order><billnumber>1</billnumber><packetdate>x</packetdate></order></pushpaymentresult>',
          };
        if (index === 3) return new Promise(() => {});
        return pushOk(req);
      },
      {},
      { callbackTimeoutMs: 300 },
    );
    const outcome = await sandbox.admin.assist.pay({ params: assistOrder('N-2'), waitFor: 'delivery' });
    expect(outcome).toMatchObject({ ok: true, delivery: { outcome: 'delivered' } });
    if (!outcome.ok) throw new Error('unreachable');
    expect(outcome.delivery.attempts.map((a) => a.outcome)).toEqual([
      'http-error',
      'bad-answer',
      'bad-answer',
      'timeout',
      'ok',
    ]);
    expect(new Set(shop.received.map((r) => r.params.get('packetdate'))).size).toBe(1);
  });

  it('lenient reply check: firstcode 0 without an echo is enough', async () => {
    const { sandbox } = await assistSetup(() => ({ body: '<pushpaymentresult firstcode="0" secondcode="0"/>' }), {
      notifyReplyCheck: 'lenient',
    });
    const outcome = await sandbox.admin.assist.pay({ params: assistOrder('N-3'), waitFor: 'delivery' });
    expect(outcome).toMatchObject({ ok: true, delivery: { outcome: 'delivered', attempts: [{ outcome: 'ok' }] } });
  });

  it('a failure reply (firstcode≠0) stops the delivery at once', async () => {
    const { shop, sandbox } = await assistSetup(() => ({
      body: '<?xml version="1.0"?><pushpaymentresult firstcode="9" secondcode="7"></pushpaymentresult>',
    }));
    const outcome = await sandbox.admin.assist.pay({ params: assistOrder('N-4'), waitFor: 'delivery' });
    expect(outcome).toMatchObject({ ok: true, delivery: { outcome: 'refused', attempts: [{ outcome: 'refused' }] } });
    expect(shop.received).toHaveLength(1);
  });

  it('gives up after 8 attempts and says so on the bill', async () => {
    const { shop, sandbox } = await assistSetup(() => ({ status: 503, body: 'down' }));
    const outcome = await sandbox.admin.assist.pay({ params: assistOrder('N-5'), waitFor: 'delivery' });
    expect(outcome).toMatchObject({ ok: true, delivery: { outcome: 'failed' }, bill: { state: 'Approved' } });
    expect(shop.received).toHaveLength(8);
    expect(sandbox.admin.assist.bills({ orderNumber: 'N-5' })[0]?.warnings).toContain(
      'the notification was given up after 8 attempts',
    );
  });

  it('follows the configured schedule (a list whose last wait repeats)', async () => {
    const { shop, sandbox } = await assistSetup(
      () => ({ status: 500, body: '' }),
      {},
      { assistRetryBackoffMs: [5, 10] },
    );
    await sandbox.admin.assist.pay({ params: assistOrder('N-6'), waitFor: 'delivery' });
    expect(shop.received).toHaveLength(8);
  });

  it('notifyOnlySuccess: a decline is not sent, an approval is', async () => {
    const { shop, sandbox } = await assistSetup(pushOk, { notifyOnlySuccess: true });
    const declined = await sandbox.admin.assist.pay({
      params: assistOrder('N-7'),
      action: 'decline',
      waitFor: 'delivery',
    });
    expect(declined).toMatchObject({ ok: true, delivery: { outcome: 'filtered' } });
    await sandbox.admin.assist.pay({ params: assistOrder('N-7'), waitFor: 'delivery' });
    expect(shop.received.map((r) => r.params.get('orderstate'))).toEqual(['Approved']);
  });

  it('faults: drop, duplicates (sequential and concurrent), delay, reorder', async () => {
    const { shop, sandbox } = await assistSetup();
    const dropped = await sandbox.admin.assist.pay({
      params: assistOrder('F-1'),
      faults: { callback: { drop: true } },
    });
    expect(dropped).toMatchObject({ ok: true, delivery: { outcome: 'dropped' }, bill: { state: 'Approved' } });
    expect(shop.received).toHaveLength(0);

    await sandbox.admin.assist.pay({ params: assistOrder('F-2'), faults: { callback: { duplicate: 2 } } });
    await sandbox.admin.idle();
    expect(shop.received.filter((r) => r.params.get('ordernumber') === 'F-2')).toHaveLength(3);

    const gate = deferred();
    let inFlight = 0;
    let peak = 0;
    const concurrent = await assistSetup(async (req) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      if (inFlight === 4) gate.resolve();
      await gate.promise;
      inFlight--;
      return pushOk(req);
    });
    await concurrent.sandbox.admin.assist.pay({
      params: assistOrder('F-3'),
      faults: { callback: { duplicate: 3, concurrent: true } },
      waitFor: 'nothing',
    });
    await concurrent.sandbox.admin.idle();
    expect(peak).toBe(4);
    expect(concurrent.shop.received).toHaveLength(4);
    expect(new Set(concurrent.shop.received.map((r) => r.body)).size).toBe(1);

    await sandbox.admin.assist.setOrderFaults(ASSIST.merchantId, 'F-4', { callback: { delayMs: 50 } });
    const delayed = await sandbox.admin.assist.pay({ params: assistOrder('F-4'), waitFor: 'nothing' });
    expect(delayed).toMatchObject({ ok: true, delivery: { outcome: 'pending', attempts: [] } });
    await sandbox.admin.idle();
    expect(sandbox.admin.assist.notifications({ orderNumber: 'F-4' })).toMatchObject([{ outcome: 'ok' }]);

    await sandbox.admin.assist.pay({
      params: assistOrder('F-5'),
      faults: { callback: { reorder: true } },
      waitFor: 'nothing',
    });
    await sandbox.admin.assist.pay({ params: assistOrder('F-6'), waitFor: 'delivery' });
    await sandbox.admin.idle();
    const order = shop.received.map((r) => r.params.get('ordernumber')).filter((n) => n === 'F-5' || n === 'F-6');
    expect(order).toEqual(['F-6', 'F-5']);
  });

  it('a merchant without a notification URL: nothing is sent, the bill says why', async () => {
    const { sandbox } = await assistSetup(pushOk, { notifyUrl: undefined });
    const outcome = await sandbox.admin.assist.pay({ params: assistOrder('N-8') });
    expect(outcome).toMatchObject({ ok: true, delivery: { outcome: 'no-url' } });
  });
});
