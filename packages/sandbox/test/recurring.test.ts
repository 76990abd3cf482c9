import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/index.js';
import { errorCodeOf, hash, MERCHANT, postForm, signedRequest, startShop, testSandbox } from './helpers.js';

/** Recurring charges against a parent paid with Recurring=true (§3.7). */

async function parent(sandbox: Sandbox, invId: string, recurring = true) {
  const params = signedRequest({
    login: 'shop',
    password: MERCHANT.password1,
    outSum: '199.00',
    invId,
    extra: recurring ? [['Recurring', 'true']] : [],
  });
  const outcome = await sandbox.admin.pay({ params: [...params], method: 'BankCardPSR' });
  expect(outcome.ok).toBe(true);
}

function child(invoiceId: string, previous: string, outSum = '199.00') {
  return new URLSearchParams([
    ['MerchantLogin', 'shop'],
    ['InvoiceID', invoiceId],
    ['PreviousInvoiceID', previous],
    ['OutSum', outSum],
    ['Description', 'Подписка'],
    ['Shp_plan', 'pro'],
    ['SignatureValue', hash('md5', `shop:${outSum}:${invoiceId}:pass-1:Shp_plan=pro`)],
  ]);
}

describe('recurring', () => {
  it('answers OK{InvoiceID}, then the child is paid with the parent’s method and notified on ResultURL', async () => {
    const shop = await startShop();
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT, resultUrl: `${shop.url}/result` }] });
    await parent(sandbox, '500');
    const reply = await postForm(`${sandbox.url}/Merchant/Recurring`, child('501', '500'));
    expect(await reply.text()).toBe('OK501');
    await sandbox.admin.idle();
    const notice = shop.received.find((r) => r.params.get('InvId') === '501');
    expect(notice?.params.get('IncCurrLabel')).toBe('BankCardPSR');
    expect(notice?.params.get('Shp_plan')).toBe('pro');
    expect(notice?.params.get('SignatureValue')).toBe(hash('md5', '199.000000:501:pass-2:Shp_plan=pro').toUpperCase());
    expect(sandbox.admin.operations({ invId: 501 })[0]).toMatchObject({ state: 100, parentInvId: 500 });
  });

  it('answers 35 for a missing, unpaid or non-recurring parent, and for a reused or missing InvoiceID', async () => {
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT }] });
    await parent(sandbox, '510');
    await parent(sandbox, '511', false);
    const code = async (body: URLSearchParams) =>
      errorCodeOf(await (await postForm(`${sandbox.url}/Merchant/Recurring`, body)).text());
    expect(await code(child('512', '999'))).toBe(35);
    expect(await code(child('512', '511'))).toBe(35);
    expect(await code(child('510', '510'))).toBe(40);
    const noId = child('', '510');
    noId.set('SignatureValue', hash('md5', 'shop:199.00::pass-1:Shp_plan=pro'));
    expect(await code(noId)).toBe(35);
    expect(await code(child('512', '510'))).toBeUndefined();
    expect(await code(child('512', '510'))).toBe(40);
  });

  it('answers 34 when recurring is not enabled for the shop and 29 for a bad signature', async () => {
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT }] });
    await parent(sandbox, '520');
    const bad = child('521', '520');
    bad.set('OutSum', '199.01');
    expect(errorCodeOf(await (await postForm(`${sandbox.url}/Merchant/Recurring`, bad)).text())).toBe(29);
    sandbox.admin.patchMerchant('shop', { allowRecurring: false });
    expect(errorCodeOf(await (await postForm(`${sandbox.url}/Merchant/Recurring`, child('521', '520'))).text())).toBe(
      34,
    );
  });
});
