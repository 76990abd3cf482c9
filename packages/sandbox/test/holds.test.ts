import { verify, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/index.js';
import { hash, MERCHANT, postForm, signedRequest, startShop, testSandbox } from './helpers.js';

/** Holds (StepByStep), Confirm/Cancel once each, and the RS256 ResultUrl2 notification (§2.2, §3.6). */

async function setup(options: Parameters<typeof testSandbox>[0] = {}) {
  const shop = await startShop();
  const sandbox = await testSandbox({
    merchants: [{ ...MERCHANT, resultUrl: `${shop.url}/result`, successUrl: `${shop.url}/success` }],
    ...options,
  });
  return { shop, sandbox, resultUrl2: `${shop.url}/result2` };
}

function holdRequest(invId: string, resultUrl2: string, test = false) {
  return [
    ...signedRequest({
      login: 'shop',
      password: test ? MERCHANT.testPassword1 : MERCHANT.password1,
      outSum: '300.00',
      invId,
      extra: [
        ['StepByStep', 'true'],
        ['ResultUrl2', resultUrl2],
        ...(test ? ([['IsTest', '1']] as Array<[string, string]>) : []),
      ],
      modifiers: ['true', resultUrl2],
    }),
  ] as Array<[string, string]>;
}

const hold = (sandbox: Sandbox, action: 'Confirm' | 'Cancel', fields: Record<string, string>) =>
  postForm(`${sandbox.url}/Merchant/Payment/${action}`, new URLSearchParams(fields)).then((r) => r.text());

const confirm = (sandbox: Sandbox, invId: string, outSum = '300.00', password: string = MERCHANT.password1) =>
  hold(sandbox, 'Confirm', {
    MerchantLogin: 'shop',
    InvoiceID: invId,
    OutSum: outSum,
    SignatureValue: hash('md5', `shop:${outSum}:${invId}:${password}`),
  });
const cancel = (sandbox: Sandbox, invId: string, password: string = MERCHANT.password1) =>
  hold(sandbox, 'Cancel', {
    MerchantLogin: 'shop',
    InvoiceID: invId,
    OutSum: '300.00',
    SignatureValue: hash('md5', `shop::${invId}:${password}`),
  });

async function verifiedJws(sandbox: Sandbox, token: string) {
  const pem = await (await fetch(`${sandbox.url}/jwtsign.cer`)).text();
  const certificate = new X509Certificate(pem);
  const [header = '', payload = '', signature = ''] = token.split('.');
  const ok = verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    certificate.publicKey,
    Buffer.from(signature, 'base64url'),
  );
  return {
    ok,
    header: JSON.parse(Buffer.from(header, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString()),
  };
}

describe('holds', () => {
  it('stops in state 20, notifies ResultUrl2 with a HOLD JWS signed by the served certificate, and sends no ResultURL', async () => {
    const { shop, sandbox, resultUrl2 } = await setup();
    const paid = await sandbox.admin.pay({ params: holdRequest('301', resultUrl2), method: 'BankCardPSR' });
    expect(paid).toMatchObject({ ok: true, operation: { state: 20 }, redirect: { kind: 'success' } });
    await sandbox.admin.idle();
    expect(shop.received.map((r) => r.path)).toEqual(['/result2']);
    const [notice] = shop.received;
    expect(notice?.method).toBe('POST');
    const jws = await verifiedJws(sandbox, notice?.body ?? '');
    expect(jws.ok).toBe(true);
    expect(jws.header).toEqual({ typ: 'JWT', alg: 'RS256' });
    expect(jws.payload).toEqual({
      header: { type: 'PaymentStateNotification', version: '1.0.0', timestamp: expect.stringMatching(/^\d{10}$/) },
      data: {
        shop: 'shop',
        opKey: paid.ok ? paid.operation.opKey : '',
        invId: '301',
        paymentMethod: 'BankCard',
        incSum: '300.00',
        state: 'HOLD',
      },
    });
  });

  it('confirms once: "success: true", then the normal ResultURL and ResultUrl2 OK; a second confirm or a cancel fails', async () => {
    const { shop, sandbox, resultUrl2 } = await setup();
    await sandbox.admin.pay({ params: holdRequest('302', resultUrl2) });
    expect(await confirm(sandbox, '302', '250.00')).toBe('"success: true"');
    await sandbox.admin.idle();
    const result = shop.received.find((r) => r.path === '/result');
    expect(result?.params.get('OutSum')).toBe('250.000000');
    expect(result?.params.get('SignatureValue')).toBe(hash('md5', '250.000000:302:pass-2').toUpperCase());
    const states = await Promise.all(
      shop.received
        .filter((r) => r.path === '/result2')
        .map(async (r) => (await verifiedJws(sandbox, r.body)).payload.data.state),
    );
    expect(states).toEqual(['HOLD', 'OK']);
    expect(sandbox.admin.operations({ invId: 302 })[0]?.state).toBe(100);
    expect(await confirm(sandbox, '302', '250.00')).toBe('"success: false"');
    expect(await cancel(sandbox, '302')).toBe('"success: false"');
  });

  it('cancels once with the empty OutSum slot, ending in state 60; confirm afterwards fails', async () => {
    const { shop, sandbox, resultUrl2 } = await setup();
    await sandbox.admin.pay({ params: holdRequest('303', resultUrl2) });
    expect(await cancel(sandbox, '303')).toBe('"success: true"');
    expect(sandbox.admin.operations({ invId: 303 })[0]?.state).toBe(60);
    expect(await cancel(sandbox, '303')).toBe('"success: false"');
    expect(await confirm(sandbox, '303')).toBe('"success: false"');
    await sandbox.admin.idle();
    expect(shop.received.filter((r) => r.path === '/result')).toEqual([]);
  });

  it('confirms with a new Receipt signed between InvoiceID and the password, and refuses more than was held', async () => {
    const { sandbox, resultUrl2 } = await setup();
    await sandbox.admin.pay({ params: holdRequest('304', resultUrl2) });
    expect(await confirm(sandbox, '304', '300.01')).toBe('"success: false"');
    const receipt = new URLSearchParams([
      ['', JSON.stringify({ items: [{ name: 'Товар', quantity: 1, sum: 120, tax: 'none' }] })],
    ])
      .toString()
      .slice(1);
    const reply = await hold(sandbox, 'Confirm', {
      MerchantLogin: 'shop',
      InvoiceID: '304',
      OutSum: '120',
      Receipt: receipt,
      SignatureValue: hash('md5', `shop:120:304:${receipt}:pass-1`),
    });
    expect(reply).toBe('"success: true"');
  });

  it('in test mode: no ResultUrl2 at all, and Confirm is signed with the test Password #1', async () => {
    const { shop, sandbox, resultUrl2 } = await setup();
    await sandbox.admin.pay({ params: holdRequest('305', resultUrl2, true) });
    expect(await confirm(sandbox, '305')).toBe('"success: false"');
    expect(await confirm(sandbox, '305', '300.00', MERCHANT.testPassword1)).toBe('"success: true"');
    await sandbox.admin.idle();
    expect(shop.received.map((r) => r.path)).toEqual(['/result']);
  });

  it('cancels a hold nobody confirmed within the hold time (7 days by default)', async () => {
    let now = new Date('2026-04-01T10:00:00Z');
    const { sandbox, resultUrl2 } = await setup({ now: () => now });
    await sandbox.admin.pay({ params: holdRequest('306', resultUrl2) });
    now = new Date('2026-04-08T10:00:01Z');
    expect(await confirm(sandbox, '306')).toBe('"success: false"');
    expect(sandbox.admin.operations({ invId: 306 })[0]?.state).toBe(60);
  });

  it('sends ResultUrl2 with state OK for a normal payment that named one, retrying until a 2xx', async () => {
    let calls = 0;
    const shop = await startShop((req) => {
      if (req.path !== '/result2') return { body: `OK${req.params.get('InvId')}` };
      calls++;
      return calls < 3 ? { status: 502, body: '' } : { status: 204, body: '' };
    });
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT, resultUrl: `${shop.url}/result` }] });
    const url = `${shop.url}/result2`;
    const params = signedRequest({
      login: 'shop',
      password: MERCHANT.password1,
      outSum: '10',
      invId: '307',
      extra: [['ResultUrl2', url]],
      modifiers: [url],
    });
    await sandbox.admin.pay({ params: [...params] });
    await sandbox.admin.idle();
    const notices = sandbox.admin.notifications({ invId: 307, kind: 'ResultUrl2' });
    expect(notices.map((n) => n.status)).toEqual([502, 502, 204]);
    const last = shop.received.filter((r) => r.path === '/result2').at(-1);
    expect((await verifiedJws(sandbox, last?.body ?? '')).payload.data.state).toBe('OK');
  });

  it('serves a self-signed X.509 certificate that verifies itself', async () => {
    const { sandbox } = await setup();
    const pem = await (await fetch(`${sandbox.url}/media/files/jwtsign.cer`)).text();
    const certificate = new X509Certificate(pem);
    expect(certificate.subject).toContain('CN=Kassa sandbox ResultUrl2 signing');
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.publicKey.asymmetricKeyType).toBe('rsa');
    expect(new Date(certificate.validTo).getTime()).toBeGreaterThan(Date.now());
  });

  it('answers "success: false" (not an HTTP 500) to a malformed multipart body on Confirm and Cancel', async () => {
    const { sandbox, resultUrl2 } = await setup();
    await sandbox.admin.pay({ params: holdRequest('260', resultUrl2) });
    for (const action of ['Confirm', 'Cancel']) {
      const response = await fetch(`${sandbox.url}/Merchant/Payment/${action}`, {
        method: 'POST',
        body: 'garbage',
        headers: { 'content-type': 'multipart/form-data; boundary=x' },
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('"success: false"');
    }
    expect(sandbox.admin.operations({ invId: 260 })[0]?.state).toBe(20);
  });
});
