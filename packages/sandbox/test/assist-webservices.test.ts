import { describe, expect, it } from 'vitest';
import { ASSIST, assistCheckvalue, assistOrder, assistSetup, codesOf, tag, ws } from './assist-helpers.js';
import { postForm } from './helpers.js';

/** orderstate, orderresult, charge, cancel/wscancel and rp.cfm (assist.md §3), Format=3 XML. */

type Setup = Awaited<ReturnType<typeof assistSetup>>;

async function call(setup: Setup, path: keyof Setup['sandbox']['endpoints']['assist'], fields: Record<string, string>) {
  const response = await postForm(setup.sandbox.endpoints.assist[path], ws(fields));
  expect(response.headers.get('content-type')).toBe('text/xml; charset=utf-8');
  return response.text();
}

async function paid(setup: Setup, orderNumber: string, amount = '100.00', extra: Array<[string, string]> = []) {
  const outcome = await setup.sandbox.admin.assist.pay({
    params: assistOrder(orderNumber, amount, extra),
    waitFor: 'delivery',
  });
  if (!outcome.ok) throw new Error(`not paid: ${JSON.stringify(outcome)}`);
  return outcome.bill.billNumber;
}

describe('Assist web services', () => {
  it('authentication and format errors', async () => {
    const setup = await assistSetup();
    const url = setup.sandbox.endpoints.assist.orderstate;
    const answer = async (fields: Record<string, string>) =>
      codesOf(await (await postForm(url, new URLSearchParams(fields))).text());
    const base = { Merchant_ID: ASSIST.merchantId, Login: ASSIST.login, Password: ASSIST.password, Ordernumber: 'x' };
    expect(await answer({ ...base, Merchant_ID: '' })).toEqual({ firstcode: 3, secondcode: 100 });
    expect(await answer({ ...base, Login: '' })).toEqual({ firstcode: 3, secondcode: 101 });
    expect(await answer({ ...base, Password: '' })).toEqual({ firstcode: 3, secondcode: 102 });
    expect(await answer({ ...base, Password: 'wrong-password' })).toEqual({ firstcode: 7, secondcode: 141 });
    expect(await answer({ ...base, Merchant_ID: '42' })).toEqual({ firstcode: 14, secondcode: 200 });
    expect(await answer({ ...base, Format: '5' })).toEqual({ firstcode: 4, secondcode: 103 });
    expect(await answer({ ...base })).toEqual({ firstcode: 10, secondcode: 201 });
    expect(await answer({ ...base, Ordernumber: '' })).toEqual({ firstcode: 3, secondcode: 107 });
  });

  it('orderstate: one <order> per attempt, each with its no-delimiter checkvalue; the date window', async () => {
    const setup = await assistSetup();
    await setup.sandbox.admin.assist.pay({ params: assistOrder('S-1', '15.00'), action: 'decline' });
    const bill = await paid(setup, 'S-1', '15.00');
    const xml = await call(setup, 'orderstate', { Ordernumber: 'S-1' });
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<result firstcode="0" secondcode="0" count="2"><order>/,
    );
    expect(tag(xml, 'orderstate')).toEqual(['Declined', 'Approved']);
    expect(tag(xml, 'billnumber')[1]).toBe(bill);
    expect(tag(xml, 'orderamount')).toEqual(['15.00', '15.00']);
    expect(tag(xml, 'checkvalue')).toEqual([
      assistCheckvalue(ASSIST.secretWord, `${ASSIST.merchantId}S-115.00RUBDeclined`),
      assistCheckvalue(ASSIST.secretWord, `${ASSIST.merchantId}S-115.00RUBApproved`),
    ]);
    const old = await call(setup, 'orderstate', { Ordernumber: 'S-1', EndYear: '2020', EndMonth: '1', EndDay: '1' });
    expect(codesOf(old)).toEqual({ firstcode: 10, secondcode: 201 });
    const bad = await call(setup, 'orderstate', { Ordernumber: 'S-1', StartMonth: '13' });
    expect(codesOf(bad)).toEqual({ firstcode: 4, secondcode: 129 });
  });

  it('orderresult: the order, its payer and its operations, by Billnumber (extended too) or Ordernumber', async () => {
    const setup = await assistSetup();
    const bill = await paid(setup, 'R-1', '50.00', [['Email', 'a@b.ru']]);
    await call(setup, 'cancel', { Billnumber: bill, Amount: '20.00', Currency: 'RUB' });
    const xml = await call(setup, 'orderresult', { Billnumber: `${bill}.1` });
    expect(codesOf(xml)).toEqual({ firstcode: 0, secondcode: 0 });
    expect(tag(xml, 'orderstate')).toEqual(['PartialCanceled']);
    expect(tag(xml, 'email')).toEqual(['a@b.ru']);
    expect(tag(xml, 'operationtype')).toEqual(['100', '300']);
    expect(tag(xml, 'billnumber')).toEqual([bill, `${bill}.1`, `${bill}.2`]);
    expect(tag(xml, 'amount')).toEqual(['50.00', '20.00']);
    const byOrder = await call(setup, 'orderresult', { Ordernumber: 'R-1' });
    expect(tag(byOrder, 'ordernumber')).toEqual(['R-1']);
    expect(codesOf(await call(setup, 'orderresult', {}))).toEqual({ firstcode: 3, secondcode: 143 });
    expect(codesOf(await call(setup, 'orderresult', { Billnumber: '12' }))).toEqual({ firstcode: 4, secondcode: 143 });
    expect(codesOf(await call(setup, 'orderresult', { Billnumber: '1234567890123456' }))).toEqual({
      firstcode: 10,
      secondcode: 201,
    });
  });

  it('charge: a full charge of a hold, repeated → the same answer; not Delayed → 15/302', async () => {
    const setup = await assistSetup();
    const bill = await paid(setup, 'C-1', '80.00', [['Delay', '1']]);
    const first = await call(setup, 'charge', { Billnumber: bill });
    expect(first).toContain('<result firstcode="0" secondcode="0" count="1"><orders><order>');
    expect(tag(first, 'operationtype')).toEqual(['200']);
    expect(tag(first, 'orderstate')).toEqual(['Approved']);
    expect(tag(first, 'responsecode')).toEqual(['AS000']);
    expect(tag(first, 'billnumber')).toEqual([`${bill}.2`]);
    const again = await call(setup, 'charge', { Billnumber: bill });
    expect(tag(again, 'billnumber')).toEqual([`${bill}.2`]);
    expect(setup.sandbox.admin.assist.bill(bill)?.operations).toHaveLength(2);
    const notHeld = await paid(setup, 'C-2');
    expect(codesOf(await call(setup, 'charge', { Billnumber: notHeld }))).toEqual({ firstcode: 15, secondcode: 302 });
  });

  it('charge: partial (PartialDelayed), with Amount and Currency only together and in the payment currency', async () => {
    const setup = await assistSetup(undefined, { currencies: ['RUB', 'USD'] });
    const bill = await paid(setup, 'C-3', '80.00', [['Delay', '1']]);
    expect(codesOf(await call(setup, 'charge', { Billnumber: bill, Amount: '30.00' }))).toEqual({
      firstcode: 3,
      secondcode: 105,
    });
    expect(codesOf(await call(setup, 'charge', { Billnumber: bill, Currency: 'RUB' }))).toEqual({
      firstcode: 3,
      secondcode: 108,
    });
    expect(codesOf(await call(setup, 'charge', { Billnumber: bill, Amount: '30.00', Currency: 'USD' }))).toEqual({
      firstcode: 5,
      secondcode: 105,
    });
    expect(codesOf(await call(setup, 'charge', { Billnumber: bill, Amount: '90.00', Currency: 'RUB' }))).toEqual({
      firstcode: 5,
      secondcode: 108,
    });
    const partial = await call(setup, 'charge', { Billnumber: bill, Amount: '30,00', Currency: 'RUB' });
    expect(tag(partial, 'orderstate')).toEqual(['PartialDelayed']);
    expect(tag(partial, 'amount')).toEqual(['30.00']);
    expect(setup.sandbox.admin.assist.bill(bill)).toMatchObject({ state: 'PartialDelayed', charged: 3000 });
    // The charged part can be refunded; not more.
    expect(codesOf(await call(setup, 'cancel', { Billnumber: bill, Amount: '30.01', Currency: 'RUB' }))).toEqual({
      firstcode: 5,
      secondcode: 108,
    });
    expect(tag(await call(setup, 'cancel', { Billnumber: bill }), 'orderstate')).toEqual(['Canceled']);
  });

  it('charge: partialCharge approved / forbidden', async () => {
    const approved = await assistSetup(undefined, { partialCharge: 'approved' });
    const a = await paid(approved, 'C-4', '80.00', [['Delay', '1']]);
    expect(
      tag(await call(approved, 'charge', { Billnumber: a, Amount: '10.00', Currency: 'RUB' }), 'orderstate'),
    ).toEqual(['Approved']);
    const forbidden = await assistSetup(undefined, { partialCharge: 'forbidden' });
    const f = await paid(forbidden, 'C-5', '80.00', [['Delay', '1']]);
    expect(codesOf(await call(forbidden, 'charge', { Billnumber: f, Amount: '10.00', Currency: 'RUB' }))).toEqual({
      firstcode: 15,
      secondcode: 302,
    });
  });

  it('cancel: a hold is voided whole; a payment is refunded in parts up to the paid sum; wscancel is the same', async () => {
    const setup = await assistSetup();
    const hold = await paid(setup, 'X-1', '40.00', [['Delay', '1']]);
    expect(codesOf(await call(setup, 'cancel', { Billnumber: hold, Amount: '10.00', Currency: 'RUB' }))).toEqual({
      firstcode: 15,
      secondcode: 300,
    });
    const voided = await call(setup, 'cancel', { Billnumber: hold });
    expect(tag(voided, 'operationtype')).toEqual(['300']);
    expect(tag(voided, 'orderstate')).toEqual(['Canceled']);
    expect(codesOf(await call(setup, 'charge', { Billnumber: hold }))).toEqual({ firstcode: 15, secondcode: 302 });

    const bill = await paid(setup, 'X-2', '100.00');
    const part = await call(setup, 'wscancel', {
      Billnumber: bill,
      Amount: '30.00',
      Currency: 'RUB',
      Externalrefundid: 'refund-0001',
      CancelReason: '1',
    });
    expect(tag(part, 'orderstate')).toEqual(['PartialCanceled']);
    expect(tag(part, 'amount')).toEqual(['30.00']);
    expect(
      codesOf(
        await call(setup, 'cancel', {
          Billnumber: bill,
          Amount: '1.00',
          Currency: 'RUB',
          Externalrefundid: 'refund-0001',
        }),
      ),
    ).toEqual({ firstcode: 11, secondcode: 0 });
    expect(codesOf(await call(setup, 'cancel', { Billnumber: bill, Externalrefundid: 'short' }))).toEqual({
      firstcode: 4,
      secondcode: 0,
    });
    expect(codesOf(await call(setup, 'cancel', { Billnumber: bill, CancelReason: '7' }))).toEqual({
      firstcode: 4,
      secondcode: 0,
    });
    expect(codesOf(await call(setup, 'cancel', { Billnumber: bill, Amount: '70.01', Currency: 'RUB' }))).toEqual({
      firstcode: 5,
      secondcode: 108,
    });
    const second = await call(setup, 'cancel', { Billnumber: bill, Amount: '50.00', Currency: 'RUB' });
    expect(tag(second, 'orderstate')).toEqual(['PartialCanceled']);
    const rest = await call(setup, 'cancel', { Billnumber: bill });
    expect(tag(rest, 'amount')).toEqual(['20.00']);
    expect(tag(rest, 'orderstate')).toEqual(['Canceled']);
    expect(setup.sandbox.admin.assist.bill(bill)).toMatchObject({ state: 'Canceled', refunded: 10000 });
    expect(setup.sandbox.admin.assist.bill(bill)?.operations.map((o) => [o.type, o.amount, o.cancelReason])).toEqual([
      [100, 10000, undefined],
      [300, 3000, 1],
      [300, 5000, 2],
      [300, 2000, 2],
    ]);
    expect(codesOf(await call(setup, 'cancel', { Billnumber: bill }))).toEqual({ firstcode: 15, secondcode: 301 });
  });

  it('a hold not charged within assistHoldTtlMs is cancelled', async () => {
    let now = Date.UTC(2026, 0, 10, 12);
    const setup = await assistSetup(undefined, {}, { now: () => new Date(now), assistHoldTtlMs: 60_000 });
    const hold = await paid(setup, 'TTL-1', '40.00', [['Delay', '1']]);
    now += 61_000;
    expect(codesOf(await call(setup, 'charge', { Billnumber: hold }))).toEqual({ firstcode: 15, secondcode: 302 });
    expect(setup.sandbox.admin.assist.bill(hold)?.state).toBe('Canceled');
  });

  it('rp.cfm: a new order charged from a recurring bill within its limits, with its own notification', async () => {
    const setup = await assistSetup();
    const recurringFields: Array<[string, string]> = [
      ['RecurringIndicator', '1'],
      ['RecurringMinAmount', '10.00'],
      ['RecurringMaxAmount', '500.00'],
      ['RecurringPeriod', '30'],
      ['RecurringMaxDate', '31.12.2099'],
    ];
    const initial = await paid(setup, 'SUB-1', '100.00', recurringFields);
    const xml = await call(setup, 'recurring', {
      BillNumber: initial,
      OrderNumber: 'SUB-2',
      Amount: '200.00',
      Currency: 'RUB',
    });
    expect(codesOf(xml)).toEqual({ firstcode: 0, secondcode: 0 });
    expect(tag(xml, 'ordernumber')).toEqual(['SUB-2']);
    expect(tag(xml, 'orderstate')).toEqual(['Approved']);
    await setup.sandbox.admin.idle();
    expect(setup.shop.received.map((r) => [r.params.get('ordernumber'), r.params.get('amount')])).toEqual([
      ['SUB-1', '100.00'],
      ['SUB-2', '200.00'],
    ]);
    expect(setup.sandbox.admin.assist.bills({ orderNumber: 'SUB-2' })[0]).toMatchObject({ parentBillNumber: initial });
    const refuse = async (fields: Record<string, string>) => codesOf(await call(setup, 'recurring', fields));
    const base = { BillNumber: initial, OrderNumber: 'SUB-3', Amount: '20.00', Currency: 'RUB' };
    expect(await refuse({ ...base, Amount: '600.00' })).toEqual({ firstcode: 17, secondcode: 211 });
    expect(await refuse({ ...base, Currency: 'USD' })).toEqual({ firstcode: 5, secondcode: 105 });
    expect(await refuse({ ...base, OrderNumber: 'SUB-2' })).toEqual({ firstcode: 11, secondcode: 107 });
    expect(await refuse({ ...base, OrderNumber: '' })).toEqual({ firstcode: 3, secondcode: 107 });
    expect(await refuse({ ...base, Amount: '' })).toEqual({ firstcode: 3, secondcode: 108 });
    const plain = await paid(setup, 'P-1');
    expect(await refuse({ ...base, BillNumber: plain })).toEqual({ firstcode: 15, secondcode: 320 });
  });

  it('web-service faults: HTTP 500 for the next N calls, then a hang that still answers', async () => {
    const setup = await assistSetup();
    const api = setup.sandbox.endpoints.assist.admin;
    const put = await fetch(`${api}/merchants/${ASSIST.merchantId}/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ xml: { mode: 'error500', times: 2 } }),
    });
    expect(put.status).toBe(200);
    const status = async () =>
      (await postForm(setup.sandbox.endpoints.assist.orderstate, ws({ Ordernumber: 'none' }))).status;
    expect([await status(), await status(), await status()]).toEqual([500, 500, 200]);
    setup.sandbox.admin.assist.setFaults(ASSIST.merchantId, { xml: { mode: 'timeout', delayMs: 150, times: 1 } });
    const started = performance.now();
    expect(await status()).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
  });
});
