import { describe, expect, it } from 'vitest';
import type { MerchantInput } from '../src/index.js';
import { deferred, hash, MERCHANT, okReply, signedRequest, startShop, testSandbox } from './helpers.js';

/** ResultURL: fields, signature, retries, the e-mail after the last attempt, and fault injection (§2.1). */

async function setup(
  reply?: Parameters<typeof startShop>[0],
  merchant: Partial<MerchantInput> = {},
  options: Parameters<typeof testSandbox>[0] = {},
) {
  const shop = await startShop(reply);
  const sandbox = await testSandbox({
    merchants: [{ ...MERCHANT, resultUrl: `${shop.url}/result`, ...merchant }],
    ...options,
  });
  return { shop, sandbox };
}

const request = (
  invId: string,
  outSum = '100.00',
  extra: Array<[string, string]> = [],
  shp: Array<[string, string]> = [],
) =>
  [...signedRequest({ login: MERCHANT.login, password: MERCHANT.password1, outSum, invId, extra, shp })] as Array<
    [string, string]
  >;

describe('ResultURL notification', () => {
  it('POSTs OutSum with 6 decimals, the upper-case Password #2 signature, Fee, EMail, the method and Shp_ as received', async () => {
    const { shop, sandbox } = await setup(undefined, { commissionPercent: 2.5 });
    const outcome = await sandbox.admin.pay({
      params: request(
        '42',
        '100',
        [],
        [
          ['Shp_b', 'два'],
          ['Shp_a', '1'],
        ],
      ),
      method: 'BankCardPSR',
      email: 'buyer@example.ru',
    });
    expect(outcome).toMatchObject({ ok: true, delivery: { outcome: 'delivered' }, operation: { state: 100 } });
    expect(shop.received).toHaveLength(1);
    const [got] = shop.received;
    expect(got?.method).toBe('POST');
    expect(got?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect([...(got?.params ?? [])]).toEqual([
      ['OutSum', '100.000000'],
      ['InvId', '42'],
      ['Fee', '2.500000'],
      ['EMail', 'buyer@example.ru'],
      ['SignatureValue', hash('md5', '100.000000:42:pass-2:Shp_a=1:Shp_b=два').toUpperCase()],
      ['PaymentMethod', 'BankCard'],
      ['IncCurrLabel', 'BankCardPSR'],
      ['Shp_b', 'два'],
      ['Shp_a', '1'],
    ]);
  });

  it('uses GET when the merchant says so, and in test mode omits EMail and signs with the test Password #2', async () => {
    const { shop, sandbox } = await setup(undefined, { resultMethod: 'GET', algorithm: 'sha256' });
    const params = [
      ...signedRequest({
        login: 'shop',
        password: MERCHANT.testPassword1,
        outSum: '5',
        invId: '9',
        algorithm: 'sha256',
        extra: [
          ['IsTest', '1'],
          ['Email', 'a@b.ru'],
        ],
      }),
    ] as Array<[string, string]>;
    expect((await sandbox.admin.pay({ params })).ok).toBe(true);
    const [got] = shop.received;
    expect(got?.method).toBe('GET');
    expect(got?.params.has('EMail')).toBe(false);
    expect(got?.params.get('SignatureValue')).toBe(hash('sha256', '5.000000:9:test-pass-2').toUpperCase());
  });

  it('tries 5 times in all when the shop does not answer OK{InvId}, then records one e-mail to the merchant', async () => {
    const { shop, sandbox } = await setup(() => ({ body: 'OK' }), { notifyEmail: 'owner@shop.test' });
    const outcome = await sandbox.admin.pay({ params: request('43'), waitFor: 'delivery' });
    expect(outcome).toMatchObject({ ok: true, delivery: { outcome: 'failed' } });
    await sandbox.admin.idle();
    expect(shop.received).toHaveLength(5);
    const attempts = sandbox.admin.notifications({ merchant: 'shop', invId: 43, kind: 'ResultURL' });
    expect(attempts.map((a) => [a.attempt, a.outcome, a.status, a.bodyExcerpt])).toEqual(
      [1, 2, 3, 4, 5].map((n) => [n, 'bad-answer', 200, 'OK']),
    );
    const emails = sandbox.admin.emails({ merchant: 'shop' });
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({ to: 'owner@shop.test', invId: 43 });
    expect(emails[0]?.text).toContain('Цена: 100.000000');
    // The money reached the shop's account anyway: reconciliation through OpStateExt sees state 100.
    expect(sandbox.admin.operations({ invId: 43 })[0]?.state).toBe(100);
    const api = await (await fetch(`${sandbox.url}/sandbox/api/emails?merchant=shop`)).json();
    expect(api).toHaveLength(1);
  });

  it('stops retrying at the first OK{InvId} (whitespace trimmed) and sends no e-mail', async () => {
    const answers = [{ status: 500, body: 'boom' }, { body: 'ok44' }, { body: '  OK44\r\n' }];
    const { shop, sandbox } = await setup((_, i) => answers[i] ?? { body: 'never' });
    await sandbox.admin.pay({ params: request('44'), waitFor: 'delivery' });
    expect(shop.received).toHaveLength(3);
    expect(sandbox.admin.notifications({ invId: 44 }).map((a) => a.outcome)).toEqual([
      'http-error',
      'bad-answer',
      'ok',
    ]);
    expect(sandbox.admin.emails()).toEqual([]);
  });

  it('counts an attempt that runs out of time as failed and retries it', async () => {
    const never = deferred<{ body: string }>();
    const { shop, sandbox } = await setup(
      (req, i) => (i === 0 ? never.promise : okReply(req)),
      {},
      { callbackTimeoutMs: 300 },
    );
    const outcome = await sandbox.admin.pay({ params: request('45'), waitFor: 'delivery' });
    expect(outcome).toMatchObject({ ok: true, delivery: { outcome: 'delivered' } });
    expect(sandbox.admin.notifications({ invId: 45 }).map((a) => a.outcome)).toEqual(['timeout', 'ok']);
    expect(shop.received).toHaveLength(2);
    never.resolve({ body: 'late' });
  });

  it('a dropped notification never reaches the shop, but the payment is credited (state 100)', async () => {
    const { shop, sandbox } = await setup();
    const outcome = await sandbox.admin.pay({ params: request('46'), faults: { callback: { drop: true } } });
    expect(outcome).toMatchObject({ ok: true, delivery: { outcome: 'dropped' }, operation: { state: 100 } });
    await sandbox.admin.idle();
    expect(shop.received).toEqual([]);
    expect(sandbox.admin.notifications({ invId: 46 }).map((a) => a.outcome)).toEqual(['dropped']);
    expect(sandbox.admin.emails()).toEqual([]);
  });

  it('sends duplicates after the original when asked', async () => {
    const { shop, sandbox } = await setup();
    await sandbox.admin.setInvoiceFaults('shop', 47, { callback: { duplicate: 2 } });
    await sandbox.admin.pay({ params: request('47'), waitFor: 'delivery' });
    expect(shop.received.map((r) => r.body)).toEqual(Array(3).fill(shop.received[0]?.body));
    expect(sandbox.admin.notifications({ invId: 47 }).map((a) => [a.copy, a.outcome])).toEqual([
      [0, 'ok'],
      [1, 'ok'],
      [2, 'ok'],
    ]);
  });

  it('sends duplicates at the same time as the original when asked (concurrently)', async () => {
    const allArrived = deferred();
    let arrived = 0;
    const { shop, sandbox } = await setup(async (req) => {
      arrived++;
      if (arrived === 4) allArrived.resolve();
      // Nobody answers before all four requests are in: only concurrent copies can get past this.
      await allArrived.promise;
      return okReply(req);
    });
    await sandbox.admin.setFaults('shop', { callback: { duplicate: 3, concurrent: true } });
    const outcome = await sandbox.admin.pay({ params: request('48'), waitFor: 'delivery' });
    expect(outcome).toMatchObject({ ok: true, delivery: { outcome: 'delivered' } });
    expect(shop.received).toHaveLength(4);
    expect(sandbox.admin.notifications({ invId: 48 }).every((a) => a.outcome === 'ok' && a.attempt === 1)).toBe(true);
  });

  it('holds a delayed notification back (state 50 meanwhile) and the redirect does not wait for it when told not to', async () => {
    const { shop, sandbox } = await setup();
    const outcome = await sandbox.admin.pay({
      params: request('49'),
      faults: { callback: { delayMs: 600_000 } },
      waitFor: 'nothing',
    });
    expect(outcome).toMatchObject({ ok: true, operation: { state: 50 }, delivery: { outcome: 'pending' } });
    expect(shop.received).toEqual([]);
    await sandbox.stop();
    expect(shop.received).toEqual([]);
  });

  it('reorders: a held-back notification goes after the merchant’s next one', async () => {
    const { shop, sandbox } = await setup(undefined, {}, { reorderMaxWaitMs: 600_000 });
    await sandbox.admin.setInvoiceFaults('shop', 50, { callback: { reorder: true } });
    await sandbox.admin.pay({ params: request('50'), waitFor: 'nothing' });
    await sandbox.admin.pay({ params: request('51'), waitFor: 'nothing' });
    await sandbox.admin.idle();
    expect(shop.received.map((r) => r.params.get('InvId'))).toEqual(['51', '50']);
  });

  it('a slow shop does not hold up other payments', async () => {
    const release = deferred<{ body: string }>();
    const slow = await startShop(() => release.promise);
    const { shop: fast, sandbox } = await setup();
    await sandbox.admin.upsertMerchant({
      login: 'slow',
      password1: 'a',
      password2: 'b',
      resultUrl: `${slow.url}/result`,
    });
    const slowParams = [...signedRequest({ login: 'slow', password: 'a', outSum: '10', invId: '1' })] as Array<
      [string, string]
    >;
    const slowPay = await sandbox.admin.pay({ params: slowParams, waitFor: 'nothing' });
    expect(slowPay.ok).toBe(true);

    const fastPays = await Promise.all(
      ['60', '61', '62', '63', '64'].map((inv) => sandbox.admin.pay({ params: request(inv) })),
    );
    expect(fastPays.every((p) => p.ok && p.delivery.outcome === 'delivered')).toBe(true);
    expect(fast.received).toHaveLength(5);
    // Meanwhile the slow shop has the request and has not answered it.
    expect(slow.received).toHaveLength(1);
    expect(sandbox.admin.operations({ merchant: 'slow' })[0]?.state).toBe(50);

    release.resolve({ body: 'OK1' });
    await sandbox.admin.idle();
    expect(sandbox.admin.operations({ merchant: 'slow' })[0]?.state).toBe(100);
  });

  it('by default answers the buyer after the first attempt; with waitFor "delivery" after the retries', async () => {
    // Every invoice fails twice, then gets its OK.
    const seen = new Map<string, number>();
    const { shop, sandbox } = await setup((req) => {
      const inv = req.params.get('InvId') ?? '';
      seen.set(inv, (seen.get(inv) ?? 0) + 1);
      return (seen.get(inv) ?? 0) <= 2 ? { status: 503, body: '' } : okReply(req);
    });
    const first = await sandbox.admin.pay({ params: request('70') });
    expect(first.ok && first.delivery.attempts.length).toBe(1);
    expect(shop.received.length).toBeGreaterThanOrEqual(1);
    await sandbox.admin.idle();

    const second = await sandbox.admin.pay({ params: request('71'), waitFor: 'delivery' });
    expect(second.ok && second.delivery.attempts.map((a) => a.outcome)).toEqual(['http-error', 'http-error', 'ok']);
  });

  it('notifies nobody and says so when the merchant has no ResultURL', async () => {
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT }] });
    const outcome = await sandbox.admin.pay({ params: request('72') });
    expect(outcome).toMatchObject({ ok: true, delivery: { outcome: 'no-url' }, operation: { state: 100 } });
    expect(outcome.ok && outcome.operation.warnings.join()).toContain('no ResultURL');
  });
});
