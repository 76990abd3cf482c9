import { describe, expect, it } from 'vitest';
import {
  assistCheckvalue,
  assistErrorOf,
  assistSetup,
  billOf,
  loadAssistVectors,
  pushOk,
  tag,
  ws,
} from './assist-helpers.js';
import { postForm, testSandbox } from './helpers.js';

/**
 * Every order.cfm vector of `test/vectors/assist.json` opens a payment page on a merchant configured with the
 * vector's secret word and delimiter mode; one changed character in any signed field, or in the checkvalue, is
 * refused. The notification and orderstate vectors are reproduced through the sandbox's own answers.
 */

const vectors = loadAssistVectors();
const paymentVectors = vectors.filter((v) => v.kind === 'payment-checkvalue');

/** A different character at `index` (digits stay digits, so only the checkvalue can be wrong). */
function mutate(value: string, index: number): string {
  const ch = value[index] ?? '';
  const next = /\d/.test(ch) ? String((Number(ch) + 1) % 10) : ch === 'A' ? 'B' : /[A-Z]/.test(ch) ? 'A' : 'X';
  return value.slice(0, index) + next + value.slice(index + 1);
}

describe('Assist vectors', () => {
  it('has the vectors the brief names', () => {
    expect(paymentVectors.length).toBeGreaterThanOrEqual(3);
    expect(vectors.filter((v) => v.verified).length).toBeGreaterThanOrEqual(4);
  });

  for (const vector of paymentVectors) {
    it(`${vector.id}: accepted as sent, refused after a one-character change`, async () => {
      const i = vector.inputs;
      const merchantId = i.Merchant_ID ?? '';
      const sandbox = await testSandbox({
        assistMerchants: [
          {
            merchantId,
            secretWord: i.salt ?? '',
            checkvalueMode: i.separator === ';' ? 'semicolon' : 'concat',
            login: 'vector_login',
            password: 'vector-password',
            currencies: ['RUB'],
          },
        ],
      });
      // The test builds X itself from the inputs, then checks it against the vector's X and expected value.
      const fields: Array<[string, string]> = [
        ['Merchant_ID', merchantId],
        ['OrderNumber', i.OrderNumber ?? ''],
        ['OrderAmount', i.OrderAmount ?? ''],
      ];
      if (i.OrderCurrency !== undefined) fields.push(['OrderCurrency', i.OrderCurrency]);
      if (i.CustomerNumber !== undefined) fields.push(['CustomerNumber', i.CustomerNumber]);
      expect(fields.map(([, v]) => v).join(i.separator ?? '')).toBe(i.X);
      expect(assistCheckvalue(i.salt ?? '', i.X ?? '')).toBe(vector.expected);

      const send = async (entries: Array<[string, string]>) =>
        (await postForm(sandbox.endpoints.assist.payment, new URLSearchParams(entries))).text();
      const accepted = await send([...fields, ['Checkvalue', String(vector.expected)]]);
      expect(assistErrorOf(accepted), accepted).toBeUndefined();
      expect(billOf(accepted)).toMatch(/^\d{16}$/);
      // The same as a GET with lower-case names (RUBY sends merchant_id, ordernumber, orderamount, checkvalue).
      const lower = new URLSearchParams([
        ...fields.map(([n, v]): [string, string] => [n.toLowerCase(), v]),
        ['checkvalue', String(vector.expected).toLowerCase()],
      ]);
      const viaGet = await (await fetch(`${sandbox.endpoints.assist.payment}?${lower}`)).text();
      expect(assistErrorOf(viaGet)).toBeUndefined();

      // Signed fields other than Merchant_ID (a changed id is another merchant: 5/100).
      for (let f = 1; f < fields.length; f++) {
        const [name, value] = fields[f] ?? ['', ''];
        for (let index = 0; index < value.length; index++) {
          const changed = fields.map((e, k): [string, string] => (k === f ? [name, mutate(value, index)] : e));
          const html = await send([...changed, ['Checkvalue', String(vector.expected)]]);
          expect(assistErrorOf(html), `${name}[${index}]`).toMatch(/^(9\/0|5\/105|4\/108)$/);
        }
      }
      const changedId = fields.map((e, k): [string, string] => (k === 0 ? ['Merchant_ID', mutate(merchantId, 0)] : e));
      expect(assistErrorOf(await send([...changedId, ['Checkvalue', String(vector.expected)]]))).toBe('5/100');
      const expected = String(vector.expected);
      for (let index = 0; index < expected.length; index++) {
        const html = await send([...fields, ['Checkvalue', mutate(expected, index)]]);
        expect(assistErrorOf(html), `Checkvalue[${index}]`).toBe('9/0');
      }
    });
  }

  it('the other delimiter mode is refused (a merchant set to one mode does not take the other)', async () => {
    const sandbox = await testSandbox({
      assistMerchants: [{ merchantId: '111111', secretWord: 'secret', login: 'vector_login', password: 'p' }],
    });
    const legacy = paymentVectors.find((v) => v.inputs.separator === '');
    const html = await (
      await postForm(
        sandbox.endpoints.assist.payment,
        new URLSearchParams({
          Merchant_ID: '111111',
          OrderNumber: '100',
          OrderAmount: '4.00',
          OrderCurrency: 'RUB',
          Checkvalue: String(legacy?.expected),
        }),
      )
    ).text();
    expect(assistErrorOf(html)).toBe('9/0');
    expect(html).toContain('111111;100;4.00;RUB');
    expect(html).not.toContain('secret');
  });

  it('assist-result-checkvalue-derived-1: the notification carries the vector checkvalue', async () => {
    const vector = vectors.find((v) => v.id === 'assist-result-checkvalue-derived-1');
    const i = vector?.inputs ?? {};
    const { shop, sandbox } = await assistSetup(pushOk, {
      merchantId: i.merchant_id,
      secretWord: i.salt,
    });
    const x = `${i.merchant_id};${i.ordernumber};${i.amount};${i.currency}`;
    const outcome = await sandbox.admin.assist.pay({
      params: {
        Merchant_ID: i.merchant_id ?? '',
        OrderNumber: i.ordernumber ?? '',
        OrderAmount: i.amount ?? '',
        OrderCurrency: i.currency ?? '',
        Checkvalue: assistCheckvalue(i.salt ?? '', x),
      },
      waitFor: 'delivery',
    });
    expect(outcome).toMatchObject({ ok: true, bill: { state: i.orderstate }, delivery: { outcome: 'delivered' } });
    const got = shop.received[0]?.params;
    expect(got?.get('checkvalue')).toBe(vector?.expected);
    expect(
      `${got?.get('merchant_id')}${got?.get('ordernumber')}${got?.get('amount')}${got?.get('currency')}${got?.get('orderstate')}`,
    ).toBe(i.X);
  });

  it('assist-orderstate-checkvalue-1 (and its negative twin): orderstate answers the public value', async () => {
    const vector = vectors.find((v) => v.id === 'assist-orderstate-checkvalue-1');
    const negative = vectors.find((v) => v.id === 'assist-orderstate-checkvalue-negative-1');
    const i = vector?.inputs ?? {};
    const { sandbox } = await assistSetup(pushOk, { merchantId: i.merchant_id, secretWord: i.salt });
    const x = `${i.merchant_id};${i.ordernumber};${i.orderamount};${i.ordercurrency}`;
    const paid = await sandbox.admin.assist.pay({
      params: {
        Merchant_ID: i.merchant_id ?? '',
        OrderNumber: i.ordernumber ?? '',
        OrderAmount: i.orderamount ?? '',
        OrderCurrency: i.ordercurrency ?? '',
        Checkvalue: assistCheckvalue(i.salt ?? '', x),
      },
    });
    expect(paid.ok).toBe(true);
    const billNumber = paid.ok ? paid.bill.billNumber : '';
    const cancelled = await (
      await postForm(sandbox.endpoints.assist.cancel, ws({ Merchant_ID: i.merchant_id ?? '', Billnumber: billNumber }))
    ).text();
    expect(tag(cancelled, 'orderstate')).toEqual([i.orderstate]);
    const state = await (
      await postForm(
        sandbox.endpoints.assist.orderstate,
        ws({ Merchant_ID: i.merchant_id ?? '', Ordernumber: i.ordernumber ?? '' }),
      )
    ).text();
    expect(tag(state, 'checkvalue')).toEqual([vector?.expected]);
    expect(tag(state, 'checkvalue')).not.toContain(negative?.inputs.checkvalue_in_response);
  });
});
