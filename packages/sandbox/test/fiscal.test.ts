import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/index.js';
import { hash, loadVectors, signedRequest, testSandbox } from './helpers.js';

/** RoboFiscal second receipt and status (§3.9), with the docs' reproducible example as the first case. */

const docs = loadVectors().find((v) => v.inputs.payload_base64 !== undefined);

const strip = (b64: string) => b64.replace(/=+$/, '');
function body(payload: unknown | string, password: string, alphabet: 'base64' | 'base64url' = 'base64') {
  const payloadB64 =
    typeof payload === 'string' ? payload : strip(Buffer.from(JSON.stringify(payload)).toString(alphabet));
  const signature = strip(Buffer.from(hash('md5', payloadB64 + password)).toString(alphabet));
  return `${payloadB64}.${signature}`;
}

async function post(sandbox: Sandbox, path: 'Attach' | 'Status', text: string) {
  const response = await fetch(`${sandbox.url}/RoboFiscal/Receipt/${path}`, {
    method: 'POST',
    body: text,
    headers: { 'content-type': 'application/json' },
  });
  return (await response.json()) as Record<string, unknown>;
}

async function sandboxWithPaid(login: string, password1: string, invId: string) {
  const sandbox = await testSandbox({ merchants: [{ login, password1, password2: 'p2' }] });
  const outcome = await sandbox.admin.pay({
    params: [...signedRequest({ login, password: password1, outSum: '100', invId })],
  });
  expect(outcome.ok).toBe(true);
  return sandbox;
}

describe('RoboFiscal', () => {
  it('attaches the documented second receipt, reproducing the docs signature, and reports it done', async () => {
    expect(docs).toBeDefined();
    const payloadB64 = docs?.inputs.payload_base64 ?? '';
    expect(hash('md5', payloadB64 + 'robokassatest')).toBe(docs?.expected);
    const sandbox = await sandboxWithPaid('robokassa_sell', 'robokassatest', '13');
    const attached = await post(sandbox, 'Attach', body(payloadB64, 'robokassatest'));
    expect(attached).toEqual({ ResultCode: '0', ResultDescription: 'ok', OpKey: expect.any(String) });
    const status = await post(
      sandbox,
      'Status',
      body({ merchantId: 'robokassa_sell', id: '14' }, 'robokassatest', 'base64url'),
    );
    expect(status).toMatchObject({ Code: '2', Description: 'Done', FnNumber: expect.any(String), FiscalDate: null });
    expect(sandbox.admin.receipts().map((r) => [r.id, r.originId])).toEqual([['14', '13']]);
    // At most one second receipt per operation.
    const again = JSON.parse(Buffer.from(payloadB64, 'base64').toString());
    expect((await post(sandbox, 'Attach', body({ ...again, id: '15' }, 'robokassatest'))).ResultCode).toBe('1000');
  });

  it('refuses a wrong signature, an unknown shop, an unpaid origin and totals that do not add up', async () => {
    const sandbox = await sandboxWithPaid('fisc', 'pw1', '20');
    const receipt = {
      merchantId: 'fisc',
      id: '21',
      originId: '20',
      operation: 'sell',
      total: 100,
      items: [
        {
          name: 'Товар',
          quantity: 1,
          sum: 100,
          tax: 'none',
          payment_method: 'full_payment',
          payment_object: 'commodity',
        },
      ],
      payments: [{ type: 2, sum: 100 }],
    };
    expect((await post(sandbox, 'Attach', body(receipt, 'wrong'))).ResultDescription).toBe('Invalid signature');
    expect(
      (await post(sandbox, 'Attach', body({ ...receipt, merchantId: 'nobody' }, 'pw1'))).ResultDescription,
    ).toContain('MerchantNotFoundException');
    expect((await post(sandbox, 'Attach', body({ ...receipt, originId: '99' }, 'pw1'))).ResultCode).toBe('1000');
    expect((await post(sandbox, 'Attach', body({ ...receipt, total: 90 }, 'pw1'))).ResultCode).toBe('1000');
    expect(await post(sandbox, 'Status', body({ merchantId: 'fisc', id: '21' }, 'pw1'))).toEqual({
      Code: '1000',
      Description: 'Error',
      Statuses: null,
    });
    expect((await post(sandbox, 'Attach', body(receipt, 'pw1', 'base64url'))).ResultCode).toBe('0');
  });
});
