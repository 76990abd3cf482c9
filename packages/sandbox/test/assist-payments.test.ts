import { describe, expect, it } from 'vitest';
import { ASSIST, assistCheckvalue, assistErrorOf, assistOrder, assistSetup, billOf, pushOk } from './assist-helpers.js';
import { postForm } from './helpers.js';

/** order.cfm: validation and its error answers, the payment page, outcomes, attempts and the return redirect. */

async function submit(url: string, entries: Array<[string, string]>) {
  const response = await postForm(url, new URLSearchParams(entries));
  return response.text();
}

describe('Assist order.cfm', () => {
  it('refuses every malformed request with its §3.7 code pair', async () => {
    const { sandbox } = await assistSetup(pushOk, { delayAllowed: false });
    const url = sandbox.endpoints.assist.payment;
    const cases: Array<[Array<[string, string]>, string]> = [
      [[['OrderNumber', '1']], '3/100'],
      [[['Merchant_ID', 'abc']], '4/100'],
      [[['Merchant_ID', '999']], '5/100'],
      [[['Merchant_ID', ASSIST.merchantId]], '3/107'],
      [
        [
          ['Merchant_ID', ASSIST.merchantId],
          ['OrderNumber', 'x'.repeat(129)],
        ],
        '4/107',
      ],
      [
        [
          ['Merchant_ID', ASSIST.merchantId],
          ['OrderNumber', '1'],
        ],
        '3/108',
      ],
      [assistOrder('1', '1,00'), '4/108'],
      [assistOrder('1', '10.001'), '4/108'],
      [assistOrder('1', '-5.00'), '4/108'],
      [assistOrder('1', '0.00'), '5/108'],
      [assistOrder('1', '10.00', [], { currency: 'RUBL' }), '4/105'],
      [assistOrder('1', '10.00', [], { currency: 'USD' }), '5/105'],
      [assistOrder('1', '10.00', [['Delay', '2']]), '4/109'],
      [assistOrder('1', '10.00', [['Delay', '1']]), '15/109'],
      [assistOrder('1', '10.00', [['Language', 'DE']]), '4/0'],
      [assistOrder('1', '10.00', [['OrderComment', 'x'.repeat(4001)]]), '4/110'],
      [assistOrder('1', '10.00', [['Lastname', 'x'.repeat(71)]]), '4/0'],
      [assistOrder('1', '10.00', [['URL_RETURN_OK', 'javascript:alert(1)']]), '4/0'],
      [assistOrder('1', '10.00', [['CardPayment', 'yes']]), '4/0'],
      [assistOrder('1', '10.00', [['RecurringIndicator', '1']]), '3/320'],
      [assistOrder('1', '10.00', [], { salt: 'wrong' }), '9/0'],
      [assistOrder('1', '10.00').filter(([n]) => n !== 'Checkvalue'), '9/0'],
    ];
    for (const [entries, expected] of cases) {
      const html = await submit(url, entries);
      expect(assistErrorOf(html), JSON.stringify(entries).slice(0, 120)).toBe(expected);
    }
  });

  it('takes OrderAmount with one decimal or none, names in any case, GET and POST, and warns about the format', async () => {
    const { sandbox } = await assistSetup();
    const html = await submit(sandbox.endpoints.assist.payment, assistOrder('A-1', '100'));
    expect(assistErrorOf(html)).toBeUndefined();
    expect(html).toContain('has no two decimals');
    const query = new URLSearchParams(assistOrder('A-2', '99.5').map(([n, v]) => [n.toUpperCase(), v]));
    const viaGet = await (await fetch(`${sandbox.url}/PAY/ORDER.CFM?${query}`)).text();
    expect(assistErrorOf(viaGet)).toBeUndefined();
    expect(viaGet).toContain('99.50');
  });

  it('signs optional fields only when sent and non-zero, in the SDK order', async () => {
    const { sandbox } = await assistSetup();
    const x = `${ASSIST.merchantId};7;10.00;RUB;cust-1;1`;
    const entries: Array<[string, string]> = [
      ['Merchant_ID', ASSIST.merchantId],
      ['OrderNumber', '7'],
      ['OrderAmount', '10.00'],
      ['OrderCurrency', 'RUB'],
      ['Prepayment', '1'],
      ['Disable3DS', '0'],
      ['CustomerNumber', 'cust-1'],
      ['Checkvalue', assistCheckvalue(ASSIST.secretWord, x)],
    ];
    expect(assistErrorOf(await submit(sandbox.endpoints.assist.payment, entries))).toBeUndefined();
  });

  it('a declined attempt and then a paid one under the same OrderNumber: two bills, then no third', async () => {
    const { shop, sandbox } = await assistSetup();
    const declined = await sandbox.admin.assist.pay({
      params: assistOrder('ORD-1', '250.00'),
      card: '4000 0000 0000 0002',
      waitFor: 'delivery',
    });
    expect(declined).toMatchObject({
      ok: true,
      bill: { state: 'Declined', responseCode: 'AS100' },
      redirect: { kind: 'no' },
    });
    const paid = await sandbox.admin.assist.pay({ params: assistOrder('ORD-1', '250.00'), waitFor: 'delivery' });
    expect(paid).toMatchObject({
      ok: true,
      bill: { state: 'Approved', responseCode: 'AS000' },
      redirect: { kind: 'ok' },
    });
    if (!declined.ok || !paid.ok) throw new Error('unreachable');
    expect(paid.bill.billNumber).not.toBe(declined.bill.billNumber);
    expect(paid.redirect?.location).toBe(`${shop.url}/ok?billnumber=${paid.bill.billNumber}&ordernumber=ORD-1`);
    expect(declined.redirect?.location).toBe(`${shop.url}/no?billnumber=${declined.bill.billNumber}&ordernumber=ORD-1`);
    expect(shop.received.map((r) => r.params.get('orderstate'))).toEqual(['Declined', 'Approved']);
    expect(sandbox.admin.assist.bills({ orderNumber: 'ORD-1' }).map((b) => b.state)).toEqual(['Declined', 'Approved']);
    const third = await sandbox.admin.assist.pay({ params: assistOrder('ORD-1', '250.00') });
    expect(third).toMatchObject({ ok: false, reason: 'refused', error: { firstcode: 11, secondcode: 107 } });
  });

  it('the browser flow over HTTP: page, Pay with a card, 302 to URL_RETURN_OK with billnumber and ordernumber', async () => {
    const { shop, sandbox } = await assistSetup();
    const ok = 'https://shop.example/pay/ok?from=assist';
    const html = await submit(
      sandbox.endpoints.assist.payment,
      assistOrder('Заказ 5', '10.00', [['URL_RETURN_OK', ok]]),
    );
    const bill = billOf(html) ?? '';
    expect(html).toContain('4111 1111 1111 1111');
    const response = await postForm(
      `${sandbox.url}/pay/sandbox/${bill}/pay`,
      new URLSearchParams({ method: 'card', card: '4111 1111 1111 1111', cardholder: 'IVAN PETROV' }),
    );
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(
      `${ok}&billnumber=${bill}&ordernumber=%D0%97%D0%B0%D0%BA%D0%B0%D0%B7+5`,
    );
    await sandbox.admin.idle();
    expect(shop.received[0]?.params.get('cardholder')).toBe('IVAN PETROV');
    expect(shop.received[0]?.params.get('meannumber')).toBe('411111****1111');
    const again = await postForm(`${sandbox.url}/pay/sandbox/${bill}/pay`, new URLSearchParams({ method: 'card' }));
    expect(await again.text()).toContain('больше не активна');
  });

  it('a bad card number keeps the page open; SBP and wallets pay without a card', async () => {
    const { sandbox } = await assistSetup();
    const html = await submit(sandbox.endpoints.assist.payment, assistOrder('9', '10.00'));
    const bill = billOf(html) ?? '';
    const bad = await postForm(
      `${sandbox.url}/pay/sandbox/${bill}/pay`,
      new URLSearchParams({ method: 'card', card: '4111 1111 1111 1112' }),
    );
    expect(await bad.text()).toContain('Неверный номер карты');
    const sbp = await sandbox.admin.assist.pay({ billNumber: bill, method: 'sbp' });
    expect(sbp).toMatchObject({ ok: true, bill: { state: 'Approved', mean: { method: 'sbp', meanTypeName: 'SBP' } } });
    const wallet = await sandbox.admin.assist.pay({ params: assistOrder('10', '10.00'), method: 'ym' });
    expect(wallet).toMatchObject({ ok: true, bill: { mean: { meanTypeName: 'YooMoney' } } });
    const denied = await sandbox.admin.assist.pay({
      params: assistOrder('11', '10.00', [['FastPayPayment', '0']]),
      method: 'sbp',
    });
    expect(denied).toMatchObject({ ok: false, reason: 'method-unavailable' });
  });

  it('Delay=1 holds (Delayed); abandon is Timeout; the English page', async () => {
    const { shop, sandbox } = await assistSetup();
    const held = await sandbox.admin.assist.pay({
      params: assistOrder('H1', '10.00', [['Delay', '1']]),
      waitFor: 'delivery',
    });
    expect(held).toMatchObject({ ok: true, bill: { state: 'Delayed', charged: 0 }, redirect: { kind: 'ok' } });
    const left = await sandbox.admin.assist.pay({
      params: assistOrder('T1', '10.00'),
      action: 'abandon',
      waitFor: 'delivery',
    });
    expect(left).toMatchObject({ ok: true, bill: { state: 'Timeout' }, redirect: { kind: 'no' } });
    expect(shop.received.map((r) => r.params.get('orderstate'))).toEqual(['Delayed', 'Timeout']);
    const en = await submit(
      sandbox.endpoints.assist.payment,
      assistOrder('E1', '10.00', [
        ['Language', 'EN'],
        ['Delay', '1'],
      ]),
    );
    expect(en).toContain('lang="en"');
    expect(en).toContain('Two-stage payment');
  });

  it('no return URL anywhere: the buyer sees the result page; buyerClosesTab: a notice, no redirect', async () => {
    const { sandbox } = await assistSetup(pushOk, { returnUrlOk: undefined, returnUrlNo: undefined });
    const html = await submit(sandbox.endpoints.assist.payment, assistOrder('R1', '10.00'));
    const response = await postForm(
      `${sandbox.url}/pay/sandbox/${billOf(html)}/pay`,
      new URLSearchParams({ method: 'sbp' }),
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('data-state="Approved"');
    const closed = await sandbox.admin.assist.pay({
      params: assistOrder('R2', '10.00'),
      faults: { buyerClosesTab: true },
    });
    expect(closed).toMatchObject({ ok: true, closedTab: true, redirect: null });
  });

  it('the legacy mode without delimiters, when the merchant is set to it', async () => {
    const { sandbox } = await assistSetup(pushOk, { checkvalueMode: 'concat' });
    const x = `${ASSIST.merchantId}L110.00RUB`;
    const entries: Array<[string, string]> = [
      ['Merchant_ID', ASSIST.merchantId],
      ['OrderNumber', 'L1'],
      ['OrderAmount', '10.00'],
      ['OrderCurrency', 'RUB'],
      ['Checkvalue', assistCheckvalue(ASSIST.secretWord, x)],
    ];
    expect(assistErrorOf(await submit(sandbox.endpoints.assist.payment, entries))).toBeUndefined();
    expect(assistErrorOf(await submit(sandbox.endpoints.assist.payment, assistOrder('L2', '10.00')))).toBe('9/0');
  });
});
