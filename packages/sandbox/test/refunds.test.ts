import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/index.js';
import { MERCHANT, signedRequest, testSandbox } from './helpers.js';

/** Refund API (§3.5): JWT with Password #3, cumulative limit, GetState shape, state 60 after a full refund. */

const b64 = (text: string) => Buffer.from(text).toString('base64url');
function jwt(payload: unknown, alg = 'HS256', key: string = MERCHANT.password3) {
  const digest = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg] ?? 'sha256';
  const input = `${b64(JSON.stringify({ alg, typ: 'JWT' }))}.${b64(JSON.stringify(payload))}`;
  return `${input}.${createHmac(digest, key).update(input).digest('base64url')}`;
}

async function create(sandbox: Sandbox, token: string, as: 'json' | 'text' = 'json') {
  const response = await fetch(`${sandbox.url}/RefundService/Refund/Create`, {
    method: 'POST',
    body: as === 'json' ? JSON.stringify(token) : token,
    headers: { 'content-type': as === 'json' ? 'application/json' : 'text/plain' },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function paid(sandbox: Sandbox, invId: string, outSum = '10.00') {
  const outcome = await sandbox.admin.pay({
    params: [...signedRequest({ login: 'shop', password: MERCHANT.password1, outSum, invId })],
  });
  if (!outcome.ok) throw new Error('payment failed');
  return outcome.operation.opKey;
}

describe('Refund API', () => {
  it('refunds in parts up to what was paid, then says NotEnoughOperationFunds; a full refund ends in state 60', async () => {
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT }] });
    const opKey = await paid(sandbox, '401');
    const first = await create(sandbox, jwt({ OpKey: opKey, RefundSum: 4 }));
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ success: true, message: null, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const second = await create(sandbox, jwt({ OpKey: opKey, RefundSum: '5.50' }, 'HS384'), 'text');
    expect(second.body.success).toBe(true);
    const tooMuch = await create(sandbox, jwt({ OpKey: opKey, RefundSum: 0.51 }, 'HS512'));
    expect(tooMuch.body).toEqual({ success: false, message: 'NotEnoughOperationFunds', requestId: null });
    expect(sandbox.admin.operations({ invId: 401 })[0]?.state).toBe(100);
    const last = await create(sandbox, jwt({ OpKey: opKey, RefundSum: 0.5 }));
    expect(last.body.success).toBe(true);
    expect(sandbox.admin.operations({ invId: 401 })[0]?.state).toBe(60);
    expect(sandbox.admin.refunds()).toHaveLength(3);
  });

  it('refunds the whole sum when RefundSum is absent, with invoice items', async () => {
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT }] });
    const opKey = await paid(sandbox, '402', '1.00');
    const items = [
      {
        Name: 'Тестовый товар-1',
        Quantity: 1,
        Cost: 1,
        Tax: 'vat20',
        PaymentMethod: 'full_payment',
        PaymentObject: 'commodity',
      },
    ];
    const { body } = await create(sandbox, jwt({ OpKey: opKey, InvoiceItems: items }));
    expect(body.success).toBe(true);
    const state = await fetch(`${sandbox.url}/RefundService/Refund/GetState?id=${body.requestId}`);
    expect(await state.text()).toBe(`{"requestId":"${body.requestId}","amount":1.000000,"label":"finished"}`);
    expect(sandbox.admin.operations({ invId: 402 })[0]?.state).toBe(60);
    expect((await create(sandbox, jwt({ OpKey: opKey }))).body.message).toBe('NotEnoughOperationFunds');
  });

  it('refuses a token signed with another key or algorithm, and unknown operations', async () => {
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT }] });
    const opKey = await paid(sandbox, '403');
    expect((await create(sandbox, jwt({ OpKey: opKey }, 'HS256', MERCHANT.password1))).body).toMatchObject({
      success: false,
      message: 'InvalidSignature',
    });
    expect((await create(sandbox, jwt({ OpKey: opKey }, 'RS256'))).body.message).toBe('UnsupportedAlgorithm');
    expect((await create(sandbox, jwt({ OpKey: 'nope' }))).body.message).toBe('InvalidSignature');
    expect((await create(sandbox, 'not-a-jwt')).status).toBe(400);
    expect(sandbox.admin.refunds()).toEqual([]);
  });

  it('GetState says so for an unknown id', async () => {
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT }] });
    const response = await fetch(
      `${sandbox.url}/RefundService/Refund/GetState?id=00000000-0000-0000-0000-000000000000`,
    );
    expect(await response.json()).toEqual({ message: 'Id is invalid or request id does not exist' });
  });

  it('needs Password #3 on the merchant, and says so only in the log', async () => {
    const { password3: _, ...withoutRefunds } = MERCHANT;
    const lines: string[] = [];
    const sandbox = await testSandbox({ merchants: [withoutRefunds], log: (line) => lines.push(line) });
    const opKey = await paid(sandbox, '404');
    const answer = await create(sandbox, jwt({ OpKey: opKey }));
    expect(answer).toEqual({ status: 400, body: { success: false, message: 'InvalidSignature', requestId: null } });
    expect(lines.some((line) => line.includes('has no Password #3'))).toBe(true);
    expect(sandbox.admin.refunds()).toEqual([]);
  });

  it('answers an unknown OpKey exactly like a bad signature on a real one (no OpKey oracle)', async () => {
    const sandbox = await testSandbox({ merchants: [{ ...MERCHANT }] });
    const opKey = await paid(sandbox, '405');
    const raw = async (token: string) => {
      const response = await fetch(`${sandbox.url}/RefundService/Refund/Create`, {
        method: 'POST',
        body: JSON.stringify(token),
        headers: { 'content-type': 'application/json' },
      });
      return {
        status: response.status,
        type: response.headers.get('content-type'),
        body: await response.text(),
      };
    };
    const unknown = await raw(jwt({ OpKey: 'no-such-opkey' }, 'HS256', 'guess'));
    const unknownWithRealKey = await raw(jwt({ OpKey: 'no-such-opkey' }));
    const badSignature = await raw(jwt({ OpKey: opKey }, 'HS256', 'guess'));
    expect(unknown).toEqual(badSignature);
    expect(unknownWithRealKey).toEqual(badSignature);
    expect(badSignature).toEqual({
      status: 400,
      type: 'application/json; charset=utf-8',
      body: '{"success":false,"message":"InvalidSignature","requestId":null}',
    });
    expect(sandbox.admin.refunds()).toEqual([]);
    // The right key still works on the real OpKey.
    expect((await create(sandbox, jwt({ OpKey: opKey }))).body.success).toBe(true);
  });
});
