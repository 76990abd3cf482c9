import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/index.js';
import { hash, MERCHANT, postForm, signedRequest, testSandbox } from './helpers.js';

/** Service.asmx: the real XML shapes, namespace, result codes and operation states (§3). */

const NS =
  'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://merchant.roboxchange.com/WebService/"';
const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}\+03:00$/;

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

async function call(sandbox: Sandbox, method: string, params: Record<string, string>, via: 'GET' | 'POST' = 'GET') {
  const url = `${sandbox.url}/Merchant/WebService/Service.asmx/${method}`;
  const query = new URLSearchParams(params);
  const response = via === 'GET' ? await fetch(`${url}?${query}`) : await postForm(url, query);
  return { status: response.status, type: response.headers.get('content-type'), xml: await response.text() };
}

const opState = (sandbox: Sandbox, invoiceId: string, login = 'shop', password: string = MERCHANT.password2) =>
  call(sandbox, 'OpStateExt', {
    MerchantLogin: login,
    InvoiceID: invoiceId,
    Signature: hash('md5', `${login}:${invoiceId}:${password}`),
  });

const request = (invId: string, extra: Array<[string, string]> = [], modifiers: string[] = [], test = false) =>
  [
    ...signedRequest({
      login: 'shop',
      password: test ? MERCHANT.testPassword1 : MERCHANT.password1,
      outSum: '1250.00',
      invId,
      extra: test ? [...extra, ['IsTest', '1']] : extra,
      modifiers,
      shp: [['Shp_user', 'Иван']],
    }),
  ] as Array<[string, string]>;

describe('XML interface', () => {
  it('OpStateExt: the full answer for a paid operation', async () => {
    const sandbox = await testSandbox({
      merchants: [{ ...MERCHANT }],
      now: () => new Date('2026-05-01T12:00:00.123Z'),
    });
    const paid = await sandbox.admin.pay({ params: request('101'), method: 'BankCardPSR' });
    if (!paid.ok) throw new Error('not paid');
    const { status, type, xml } = await opState(sandbox, '101');
    expect(status).toBe(200);
    expect(type).toBe('text/xml; charset=utf-8');
    expect(xml.startsWith(`<?xml version="1.0" encoding="utf-8"?>\n<OperationStateResponse ${NS}>\n`)).toBe(true);
    expect(xml).toContain('<Result>\n    <Code>0</Code>\n  </Result>');
    expect(tag(xml, 'RequestDate')).toBe('2026-05-01T15:00:00.1230000+03:00');
    expect(tag(xml, 'StateDate')).toMatch(DATE);
    expect(xml).toContain('<Info xsi:type="OperationInfoExt">');
    expect(tag(xml, 'IncCurrLabel')).toBe('BankCardPSR');
    expect(tag(xml, 'IncSum')).toBe('1250.000000');
    expect(tag(xml, 'OutSum')).toBe('1250.000000');
    expect(tag(xml, 'OutCurrLabel')).toBe('BNR');
    expect(tag(xml, 'IncAccount')).toMatch(/^\d{6}\*{6}\d{4}$/);
    expect(xml).toContain(
      '<PaymentMethod>\n      <Code>BankCard</Code>\n      <Description>Банковской картой</Description>',
    );
    expect(tag(xml, 'OpKey')).toBe(paid.operation.opKey);
    expect(xml).toContain('<UserField>\n    <Field>\n      <Name>Shp_user</Name>\n      <Value>Иван</Value>');
    expect(xml).toContain('<State>\n    <Code>100</Code>');
  });

  it('OpState (legacy) has the same shape without OpKey and UserField; both answer GET and POST', async () => {
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT }] });
    await sandbox.admin.pay({ params: request('102') });
    const params = { MerchantLogin: 'shop', InvoiceID: '102', Signature: hash('md5', 'shop:102:pass-2') };
    const { xml } = await call(sandbox, 'OpState', params, 'POST');
    expect(tag(xml, 'Code')).toBe('0');
    expect(xml).not.toContain('OpKey');
    expect(xml).not.toContain('UserField');
    expect(xml).toContain('<Info>');
  });

  it('result codes: 1 bad signature, 2 unknown shop, 3 no operation, 4 a test and a real one share the InvId', async () => {
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT }] });
    expect(tag((await opState(sandbox, '103', 'shop', 'wrong')).xml, 'Code')).toBe('1');
    const unknown = await opState(sandbox, '103', 'nobody');
    expect(tag(unknown.xml, 'Code')).toBe('2');
    expect(tag(unknown.xml, 'Description')).not.toBe('');
    expect(unknown.xml).not.toContain('<State>');
    expect(tag((await opState(sandbox, '103')).xml, 'Code')).toBe('3');

    // Right after the redirect there is no operation yet: the buyer has not confirmed anything (§3.1 note).
    await sandbox.admin.pay({ params: request('103'), action: 'open' });
    expect(tag((await opState(sandbox, '103')).xml, 'Code')).toBe('3');
    await sandbox.admin.pay({ params: request('103'), action: 'leave' });
    expect(tag((await opState(sandbox, '103')).xml, 'Code')).toBe('3');

    await sandbox.admin.pay({ params: request('103', [], [], true) });
    expect(tag((await opState(sandbox, '103')).xml, 'Code')).toBe('0');
    await sandbox.admin.pay({ params: request('103') });
    expect(tag((await opState(sandbox, '103')).xml, 'Code')).toBe('4');
  });

  it('states: 10 declined, 20 held, 50 while ResultURL is pending, 60 hold cancelled, 100 paid', async () => {
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT, resultUrl: 'http://127.0.0.1:9/unreachable' }] });
    const stateOf = async (inv: string) => /<State>\s*<Code>(\d+)/.exec((await opState(sandbox, inv)).xml)?.[1];

    await sandbox.admin.pay({ params: request('110'), action: 'decline' });
    expect(await stateOf('110')).toBe('10');

    await sandbox.admin.pay({ params: request('111', [['StepByStep', 'true']], ['true']) });
    expect(await stateOf('111')).toBe('20');
    const cancel = new URLSearchParams({
      MerchantLogin: 'shop',
      InvoiceID: '111',
      OutSum: '1250.00',
      SignatureValue: hash('md5', 'shop::111:pass-1'),
    });
    expect(await (await postForm(`${sandbox.url}/Merchant/Payment/Cancel`, cancel)).text()).toBe('"success: true"');
    expect(await stateOf('111')).toBe('60');

    await sandbox.admin.pay({ params: request('112'), faults: { callback: { delayMs: 600_000 } }, waitFor: 'nothing' });
    expect(await stateOf('112')).toBe('50');

    await sandbox.admin.pay({ params: request('113'), faults: { callback: { drop: true } } });
    expect(await stateOf('113')).toBe('100');
  });

  it('GetCurrencies: the catalog grouped, with limits, in Russian or English', async () => {
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT }] });
    const ru = (await call(sandbox, 'GetCurrencies', { MerchantLogin: 'shop', Language: 'ru' })).xml;
    expect(ru.startsWith(`<?xml version="1.0" encoding="utf-8"?>\n<CurrenciesList ${NS}>`)).toBe(true);
    expect(ru).toContain('<Group Code="BankCard" Description="Банковской картой">');
    expect(ru).toContain('<Currency Label="YandexPayPSR" Alias="YandexPay" Name="Яндекс Pay" MaxValue="40000" />');
    expect(ru).toContain(
      '<Currency Label="MixplatMTSRIBR" Alias="PhoneMTS" Name="МТС" MinValue="10" MaxValue="15000" />',
    );
    const en = (await call(sandbox, 'GetCurrencies', { MerchantLogin: 'shop', Language: 'en' }, 'POST')).xml;
    expect(en).toContain('<Group Code="BankCard" Description="Bank card">');
    const unknown = (await call(sandbox, 'GetCurrencies', { MerchantLogin: 'nobody', Language: 'ru' })).xml;
    expect(tag(unknown, 'Code')).toBe('2');
    expect(unknown).not.toContain('<Groups>');
  });

  it('GetPaymentMethods, CalcOutSumm and GetRates', async () => {
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT, commissionPercent: 6.8 }] });
    const methods = (await call(sandbox, 'GetPaymentMethods', { MerchantLogin: 'shop', Language: 'ru' })).xml;
    expect(methods).toContain(`<PaymentMethodsList ${NS}>`);
    expect(methods).toContain('<Method Code="SBP" Description="Система быстрых платежей" />');

    const calc = (
      await call(sandbox, 'CalcOutSumm', { MerchantLogin: 'shop', IncCurrLabel: 'BankCardPSR', IncSum: '100' })
    ).xml;
    expect(calc).toContain(`<CalcSummsResponseData ${NS}>`);
    expect(tag(calc, 'OutSum')).toBe('93.200000');
    const badLabel = (
      await call(sandbox, 'CalcOutSumm', { MerchantLogin: 'shop', IncCurrLabel: 'Nope', IncSum: '100' })
    ).xml;
    expect(tag(badLabel, 'Code')).toBe('5');

    const rates = (
      await call(sandbox, 'GetRates', { MerchantLogin: 'shop', IncCurrLabel: 'SBPPSR', OutSum: '500', Language: 'ru' })
    ).xml;
    expect(rates).toContain(`<RatesList ${NS}>`);
    expect(rates).toContain('<Currency Label="SBPPSR" Alias="SBP" Name="СБП" MinValue="1" MaxValue="1000000">');
    expect(rates).toContain('<Rate IncSum="500.000000" />');
    expect(rates).not.toContain('BankCardPSR');
  });

  it('fault injection: HTTP 500 for the next N calls, then normal answers; a hang until the sandbox stops', async () => {
    const sandbox = await testSandbox({
      merchants: [{ ...MERCHANT, faults: { xml: { mode: 'error500', times: 2 } } }],
    });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(sandbox, 'GetCurrencies', { MerchantLogin: 'shop' })).status);
    expect(statuses).toEqual([500, 500, 200]);

    sandbox.admin.setFaults('shop', { xml: { mode: 'timeout', delayMs: 600_000 } });
    const controller = new AbortController();
    const hanging = fetch(`${sandbox.url}/Merchant/WebService/Service.asmx/GetCurrencies?MerchantLogin=shop`, {
      signal: controller.signal,
    });
    controller.abort();
    await expect(hanging).rejects.toThrow();
  });

  it('paths are case-insensitive and an unknown method is refused like ASP.NET does', async () => {
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT }] });
    const lower = await fetch(`${sandbox.url}/merchant/webservice/service.asmx/getcurrencies?MerchantLogin=shop`);
    expect(lower.status).toBe(200);
    const unknown = await fetch(`${sandbox.url}/Merchant/WebService/Service.asmx/OpRefund?MerchantLogin=shop`);
    expect(unknown.status).toBe(500);
    expect(await unknown.text()).toContain('Request format is unrecognized');
  });

  it('does not resolve Object.prototype names as methods (constructor, __proto__)', async () => {
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT }] });
    for (const name of ['constructor', '__proto__', 'Constructor', '__PROTO__']) {
      const response = await fetch(`${sandbox.url}/Merchant/WebService/Service.asmx/${name}?MerchantLogin=shop`);
      expect(response.status).toBe(500);
      expect(await response.text()).toBe(
        `Request format is unrecognized for URL unexpectedly ending in '/${name.toLowerCase()}'.`,
      );
    }
  });

  it('OpStateExt accepts the test or the production Password #2 (undocumented which one), nothing else', async () => {
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT }] });
    const paid = await sandbox.admin.pay({ params: request('120', [], [], true) });
    if (!paid.ok) throw new Error('not paid');
    expect(paid.operation.isTest).toBe(true);
    const stateCode = (xml: string) => /<State>\s*<Code>(\d+)/.exec(xml)?.[1];

    const withTest = (await opState(sandbox, '120', 'shop', MERCHANT.testPassword2)).xml;
    expect(tag(withTest, 'Code')).toBe('0');
    expect(stateCode(withTest)).toBe('100');
    expect(tag(withTest, 'OpKey')).toBe(paid.operation.opKey);

    const withProduction = (await opState(sandbox, '120', 'shop', MERCHANT.password2)).xml;
    expect(tag(withProduction, 'Code')).toBe('0');
    expect(stateCode(withProduction)).toBe('100');

    for (const wrong of ['wrong', MERCHANT.password1, MERCHANT.testPassword1]) {
      const refused = (await opState(sandbox, '120', 'shop', wrong)).xml;
      expect(tag(refused, 'Code')).toBe('1');
      expect(refused).not.toContain('<State>');
    }
  });

  it('reads a malformed multipart body as no parameters: the XML error, not an HTTP 500', async () => {
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT }] });
    for (const method of ['OpStateExt', 'GetCurrencies']) {
      const response = await fetch(`${sandbox.url}/Merchant/WebService/Service.asmx/${method}`, {
        method: 'POST',
        body: 'garbage',
        headers: { 'content-type': 'multipart/form-data; boundary=x' },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/xml; charset=utf-8');
      const xml = await response.text();
      expect(tag(xml, 'Code')).toBe('2');
    }
  });
});
