import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../src/index.js';
import { ASSIST, assistOrder, assistSetup, codesOf, ws } from './assist-helpers.js';
import { postForm, testSandbox } from './helpers.js';

/** `/sandbox/api/assist`, the token, settings validation, persistence, and Robokassa configs staying valid. */

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('Assist admin API', () => {
  it('merchants: create, read masked, patch, conflicts and bad input without echo', async () => {
    const sandbox = await testSandbox();
    const api = sandbox.endpoints.assist.admin;
    const created = await fetch(`${api}/merchants`, json({ ...ASSIST }));
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      merchantId: ASSIST.merchantId,
      secretWord: '***',
      password: '***',
      checkvalueMode: 'semicolon',
      methods: ['card', 'sbp', 'ym', 'wm'],
    });
    expect((await fetch(`${api}/merchants`, json({ ...ASSIST }))).status).toBe(409);
    const patched = await fetch(`${api}/merchants/${ASSIST.merchantId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ checkvalueMode: 'concat' }),
    });
    expect(await patched.json()).toMatchObject({ checkvalueMode: 'concat', secretWord: '***' });
    const bad = await fetch(
      `${api}/merchants`,
      json({ ...ASSIST, merchantId: '2', login: 'x', secretWord: 'TOP-SECRET' }),
    );
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expect(text).toContain('login');
    expect(text).not.toContain('TOP-SECRET');
    const taken = await fetch(`${api}/merchants`, json({ ...ASSIST, merchantId: '2' }));
    expect(taken.status).toBe(400);
    expect((await fetch(`${api}/merchants/404404`)).status).toBe(404);
    expect((await fetch(`${api}/merchants/${ASSIST.merchantId}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('pay, order-url, bills and notifications over HTTP; refused requests are 422 with the code pair', async () => {
    const { sandbox, shop } = await assistSetup();
    const api = sandbox.endpoints.assist.admin;
    const url = (await (
      await fetch(
        `${api}/order-url`,
        json({ merchantId: ASSIST.merchantId, orderNumber: 'A-1', orderAmount: '12.00', orderCurrency: 'RUB' }),
      )
    ).json()) as { url: string; checkvalueString: string };
    expect(url.checkvalueString).toBe(`${ASSIST.merchantId};A-1;12.00;RUB`);
    const paid = await fetch(`${api}/pay`, json({ url: url.url, method: 'card', waitFor: 'delivery' }));
    expect(paid.status).toBe(200);
    const outcome = (await paid.json()) as {
      bill: { billNumber: string; state: string };
      delivery: { outcome: string };
    };
    expect(outcome).toMatchObject({ bill: { state: 'Approved' }, delivery: { outcome: 'delivered' } });
    expect(shop.received).toHaveLength(1);
    const bills = await (await fetch(`${api}/bills?orderNumber=A-1`)).json();
    expect(bills).toMatchObject([{ billNumber: outcome.bill.billNumber, state: 'Approved' }]);
    expect((await fetch(`${api}/bills/${outcome.bill.billNumber}`)).status).toBe(200);
    expect(await (await fetch(`${api}/notifications?orderNumber=A-1`)).json()).toMatchObject([
      { outcome: 'ok', attempt: 1 },
    ]);

    const refused = await fetch(`${api}/pay`, json({ params: assistOrder('A-2', '1.00', [], { salt: 'nope' }) }));
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({
      ok: false,
      reason: 'refused',
      error: { firstcode: 9, secondcode: 0 },
    });
    const again = await fetch(`${api}/pay`, json({ billNumber: outcome.bill.billNumber }));
    expect(again.status).toBe(409);
    expect((await fetch(`${api}/pay`, json({ url: url.url, params: {} }))).status).toBe(400);

    const faults = await fetch(`${api}/merchants/${ASSIST.merchantId}/orders/A-3/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ callback: { drop: true } }),
    });
    expect(faults.status).toBe(204);
    const dropped = await sandbox.admin.assist.pay({ params: assistOrder('A-3') });
    expect(dropped).toMatchObject({ ok: true, delivery: { outcome: 'dropped' } });

    const dashboard = await (await fetch(sandbox.endpoints.dashboard)).text();
    expect(dashboard).toContain('Assist bills');
    expect(dashboard).toContain(outcome.bill.billNumber);

    expect((await fetch(`${sandbox.endpoints.admin}/reset`, { method: 'POST' })).status).toBe(204);
    expect(sandbox.admin.assist.bills()).toEqual([]);
    expect(sandbox.admin.assist.merchants()).toHaveLength(1);
  });

  it('the admin token covers /sandbox/api/assist too', async () => {
    const sandbox = await testSandbox({ adminToken: 'tok' });
    expect((await fetch(`${sandbox.endpoints.assist.admin}/merchants`)).status).toBe(401);
    const ok = await fetch(`${sandbox.endpoints.assist.admin}/merchants`, { headers: { authorization: 'Bearer tok' } });
    expect(ok.status).toBe(200);
  });

  it('persists Assist merchants and bills across a restart; a Robokassa-only config still starts', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kassa-sandbox-')), 'state.json');
    const first = await startSandbox({ persistPath: path, assistMerchants: [{ ...ASSIST }] });
    const outcome = await first.admin.assist.pay({ params: assistOrder('P-1', '5.00'), method: 'sbp' });
    expect(outcome.ok).toBe(true);
    await first.stop();
    const second = await startSandbox({ persistPath: path });
    try {
      expect(second.admin.assist.merchant(ASSIST.merchantId)).toMatchObject({ secretWord: '***' });
      const xml = await (await postForm(second.endpoints.assist.orderstate, ws({ Ordernumber: 'P-1' }))).text();
      expect(codesOf(xml)).toEqual({ firstcode: 0, secondcode: 0 });
      expect(xml).toContain('<orderstate>Approved</orderstate>');
      // A new bill never reuses a persisted billnumber.
      const next = await second.admin.assist.pay({ params: assistOrder('P-2', '5.00'), action: 'open' });
      expect(next.ok && outcome.ok && next.bill.billNumber !== outcome.bill.billNumber).toBe(true);
    } finally {
      await second.stop();
    }
    const robokassaOnly = await testSandbox({ merchants: [{ login: 'r', password1: 'a', password2: 'b' }] });
    expect(robokassaOnly.admin.assist.merchants()).toEqual([]);
    expect(robokassaOnly.endpoints.assist.payment).toBe(`${robokassaOnly.url}/pay/order.cfm`);
  });

  it('rejects bad Assist settings at start', async () => {
    await expect(
      startSandbox({ assistMerchants: [{ ...ASSIST, checkvalueMode: 'comma' as 'concat' }] }),
    ).rejects.toThrow(/invalid sandbox options/);
  });
});
