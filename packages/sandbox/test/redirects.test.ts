import { describe, expect, it } from 'vitest';
import type { MerchantInput, Sandbox } from '../src/index.js';
import { errorCodeOf, hash, MERCHANT, opIdOf, postForm, signedRequest, startShop, testSandbox } from './helpers.js';

/** The buyer's way back: SuccessURL (signed with Password #1) or FailURL (unsigned), GET or POST (§2.3). */

async function setup(merchant: Partial<MerchantInput> = {}, options: Parameters<typeof testSandbox>[0] = {}) {
  const shop = await startShop();
  const sandbox = await testSandbox({
    merchants: [
      {
        ...MERCHANT,
        resultUrl: `${shop.url}/result`,
        successUrl: 'https://shop.test/success?from=robokassa',
        failUrl: 'https://shop.test/fail',
        ...merchant,
      },
    ],
    ...options,
  });
  return { shop, sandbox };
}

async function openPage(sandbox: Sandbox, params: URLSearchParams) {
  const html = await (await fetch(`${sandbox.url}/Merchant/Index.aspx?${params}`)).text();
  const opId = opIdOf(html);
  if (!opId) throw new Error(`no payment page: ${html.slice(0, 300)}`);
  return opId;
}

const press = (sandbox: Sandbox, opId: string, action: string, form: Record<string, string> = {}) =>
  postForm(`${sandbox.url}/Merchant/Sandbox/${opId}/${action}`, new URLSearchParams(form));

const shp: Array<[string, string]> = [['Shp_order', 'A-17']];
const request = (invId: string, extra: Array<[string, string]> = [], modifiers: string[] = []) =>
  signedRequest({ login: 'shop', password: MERCHANT.password1, outSum: '250.5', invId, extra, shp, modifiers });

describe('redirects after the payment page', () => {
  it('Pay → 302 to SuccessURL with OutSum as sent, InvId, the upper-case Password #1 signature, Culture, Shp_', async () => {
    const { shop, sandbox } = await setup();
    const opId = await openPage(sandbox, request('5', [['Culture', 'en']]));
    const response = await press(sandbox, opId, 'pay', { method: 'SBPPSR', email: 'b@b.ru' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe('https://shop.test/success');
    expect([...location.searchParams]).toEqual([
      ['from', 'robokassa'],
      ['OutSum', '250.5'],
      ['InvId', '5'],
      ['SignatureValue', hash('md5', '250.5:5:pass-1:Shp_order=A-17').toUpperCase()],
      ['Culture', 'en'],
      ['Shp_order', 'A-17'],
    ]);
    // The default order of events: the shop had its first ResultURL attempt before the buyer came back.
    expect(shop.received).toHaveLength(1);
    expect(shop.received[0]?.params.get('IncCurrLabel')).toBe('SBPPSR');
    expect(shop.received[0]?.params.get('EMail')).toBe('b@b.ru');
  });

  it('adds IsTest=1 to SuccessURL for a test payment, signed with the test Password #1', async () => {
    const { sandbox } = await setup({}, { redirectOutSum: 'six-decimals' });
    const params = signedRequest({
      login: 'shop',
      password: MERCHANT.testPassword1,
      outSum: '10',
      invId: '6',
      extra: [['IsTest', '1']],
    });
    const opId = await openPage(sandbox, params);
    const location = new URL((await press(sandbox, opId, 'pay')).headers.get('location') ?? '');
    expect(location.searchParams.get('IsTest')).toBe('1');
    expect(location.searchParams.get('OutSum')).toBe('10.000000');
    expect(location.searchParams.get('SignatureValue')).toBe(hash('md5', '10.000000:6:test-pass-1').toUpperCase());
  });

  it('Decline → FailURL without a signature, state 10, no ResultURL; Leave → FailURL and no operation at all', async () => {
    const { shop, sandbox } = await setup();
    const declined = await openPage(sandbox, request('7'));
    const d = await press(sandbox, declined, 'decline');
    expect(d.status).toBe(302);
    const location = new URL(d.headers.get('location') ?? '');
    expect([...location.searchParams]).toEqual([
      ['OutSum', '250.5'],
      ['InvId', '7'],
      ['Culture', 'ru'],
      ['Shp_order', 'A-17'],
    ]);
    expect(sandbox.admin.operation(declined)?.state).toBe(10);

    const left = await openPage(sandbox, request('8'));
    const l = await press(sandbox, left, 'leave');
    expect(new URL(l.headers.get('location') ?? '').pathname).toBe('/fail');
    expect(sandbox.admin.operation(left)).toMatchObject({ state: null, page: 'left' });
    await sandbox.admin.idle();
    expect(shop.received).toEqual([]);
  });

  it('uses an auto-submitting POST form when the merchant chose POST', async () => {
    const { sandbox } = await setup({ successMethod: 'POST' });
    const opId = await openPage(sandbox, request('9'));
    const response = await press(sandbox, opId, 'pay');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain('form-action http: https:');
    const html = await response.text();
    expect(html).toContain('<form id="back" method="post" action="https://shop.test/success?from=robokassa">');
    expect(html).toContain(
      `<input type="hidden" name="SignatureValue" value="${hash('md5', '250.5:9:pass-1:Shp_order=A-17').toUpperCase()}">`,
    );
    expect(html).toContain("document.getElementById('back').submit()");
  });

  it('honours SuccessUrl2/FailUrl2 and their methods over the cabinet settings', async () => {
    const { sandbox } = await setup();
    const urls: Array<[string, string]> = [
      ['SuccessUrl2', 'https://other.test/ok'],
      ['SuccessUrl2Method', 'POST'],
      ['FailUrl2', 'https://other.test/fail'],
      ['FailUrl2Method', 'GET'],
    ];
    const modifiers = urls.map(([, v]) => v);
    const paid = await openPage(sandbox, request('10', urls, modifiers));
    expect(await (await press(sandbox, paid, 'pay')).text()).toContain('action="https://other.test/ok"');
    const declined = await openPage(sandbox, request('11', urls, modifiers));
    expect((await press(sandbox, declined, 'decline')).headers.get('location')).toMatch(
      /^https:\/\/other\.test\/fail\?/,
    );
  });

  it('leaves the buyer on a notice when the tab is "closed", while the shop still gets ResultURL', async () => {
    const { shop, sandbox } = await setup({ faults: { buyerClosesTab: true } });
    const opId = await openPage(sandbox, request('12'));
    const response = await press(sandbox, opId, 'pay');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Покупатель закрыл вкладку');
    await sandbox.admin.idle();
    expect(shop.received).toHaveLength(1);
  });

  it('refuses a second press on a finished page and re-asks for a method the amount does not allow', async () => {
    const { sandbox } = await setup();
    const opId = await openPage(sandbox, request('13'));
    const paid = await press(sandbox, opId, 'pay', { method: 'MixplatMTSRIBR' }); // 250.50 is within 10…15000
    expect(paid.status).toBe(302);
    const again = await press(sandbox, opId, 'pay');
    expect(await again.text()).toContain('больше не активна');

    const big = signedRequest({ login: 'shop', password: MERCHANT.password1, outSum: '50000', invId: '14' });
    const bigOp = await openPage(sandbox, big);
    const refused = await press(sandbox, bigOp, 'pay', { method: 'YandexPayPSR' });
    const html = await refused.text();
    expect(html).toContain('Выберите доступный способ оплаты');
    expect(opIdOf(html)).toBe(bigOp);
    expect(sandbox.admin.operation(bigOp)?.state).toBeNull();
  });

  it('shows the paid notice when the merchant has no SuccessURL', async () => {
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT }] });
    const opId = await openPage(sandbox, request('15'));
    const html = await (await press(sandbox, opId, 'pay')).text();
    expect(errorCodeOf(html)).toBeUndefined();
    expect(html).toContain('Оплата прошла');
  });

  it('answers 33 at Pay time when the invoice expired while the page was open', async () => {
    let now = new Date('2026-03-01T09:00:00Z');
    const { sandbox } = await setup({}, { now: () => now });
    const opId = await openPage(sandbox, request('16', [['ExpirationDate', '2026-03-01T12:30:00+03:00']]));
    now = new Date('2026-03-01T10:00:00Z');
    expect(errorCodeOf(await (await press(sandbox, opId, 'pay')).text())).toBe(33);
  });
});
