import { describe, expect, test } from 'vitest';
import { hashHex } from '../src/hash.js';
import { cancelHold, confirmHold, parseHoldReply } from '../src/robokassa/api/hold.js';
import { chargeRecurring } from '../src/robokassa/api/recurring.js';
import { formUrlEncode } from '../src/robokassa/encoding.js';
import { createReceipt, receiptForSignature } from '../src/robokassa/receipt.js';
import { failure, fakeRobokassaForFile } from './support/fake-robokassa.js';
import { loadVectors, type Vector } from './support/vectors.js';

const rub = (minor: bigint) => ({ currency: 'RUB' as const, minor });

function vector(prefix: string): Vector {
  const found = loadVectors().find((v) => v.expected.startsWith(prefix));
  if (!found) throw new Error(`vector ${prefix}… missing`);
  return found;
}

const fake = await fakeRobokassaForFile();

const lastBody = (endpoint: string) => fake.requests.findLast((r) => r.endpoint === endpoint)?.body;

describe('hold Confirm (§3.6)', () => {
  test('wire bytes pinned by vector 73105e50… (login:100.00:400001:p1)', async () => {
    const v = vector('73105e50');
    expect(v.inputs.signature_base).toBe('login:100.00:400001:p1');
    fake.operations.set(400001, { stateCode: 20, outSum: '100.000000' });
    expect(await confirmHold(fake.config, { invId: 400001, outSum: rub(10000n) })).toEqual({
      success: true,
      invId: 400001,
    });
    expect(lastBody('Payment/Confirm')).toBe(
      `MerchantLogin=login&InvoiceID=400001&OutSum=100.00&SignatureValue=${v.expected}`,
    );
    const request = fake.requests.findLast((r) => r.endpoint === 'Payment/Confirm');
    expect(request?.method).toBe('POST');
    expect(request?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(fake.operations.get(400001)?.stateCode).toBe(100);
  });

  test('with a new cart: the receipt is signed once-encoded and sent encoded again', async () => {
    fake.operations.set(400002, { stateCode: 20, outSum: '100.000000' });
    const receipt = formUrlEncode('{"items":[{"name":"Товар","quantity":1,"sum":90,"tax":"none"}]}');
    await confirmHold(fake.config, { invId: 400002, outSum: rub(9000n), receipt });
    const signature = hashHex('md5', `login:90.00:400002:${receipt}:p1`);
    expect(lastBody('Payment/Confirm')).toBe(
      `MerchantLogin=login&InvoiceID=400002&OutSum=90.00&SignatureValue=${signature}&Receipt=${formUrlEncode(receipt)}`,
    );
  });

  test('a receipt object for Confirm goes through createReceipt and receiptForSignature', async () => {
    fake.operations.set(400005, { stateCode: 20, outSum: '100.000000' });
    const receipt = { items: [{ name: 'Товар', quantity: 1, sum: '90', tax: 'vat20' }] };
    await confirmHold(fake.config, { invId: 400005, outSum: rub(9000n), receipt });
    const encoded = receiptForSignature(createReceipt(receipt, { country: 'RU' }));
    expect(lastBody('Payment/Confirm')).toBe(
      `MerchantLogin=login&InvoiceID=400005&OutSum=90.00&SignatureValue=${hashHex('md5', `login:90.00:400005:${encoded}:p1`)}&Receipt=${formUrlEncode(encoded)}`,
    );
  });

  test('"success: false" → HOLD_REJECTED', async () => {
    fake.operations.set(400003, { stateCode: 100 });
    const error = await failure(confirmHold(fake.config, { invId: 400003, outSum: rub(100n) }));
    expect(error.code).toBe('HOLD_REJECTED');
    expect(error.details).toMatchObject({ endpoint: 'Payment/Confirm', invId: 400003 });
  });

  test('test mode signs with the test Password #1 and sends IsTest=1', async () => {
    fake.operations.set(400004, { stateCode: 20, outSum: '10.000000' });
    await confirmHold(fake.configWith({ testMode: true }), { invId: 400004, outSum: rub(1000n) });
    expect(lastBody('Payment/Confirm')).toBe(
      `MerchantLogin=login&InvoiceID=400004&OutSum=10.00&SignatureValue=${hashHex('md5', 'login:10.00:400004:tp1')}&IsTest=1`,
    );
  });
});

describe('hold Cancel (§3.6)', () => {
  test('signature pinned by vector 25dc1329… (login::20:p1, OutSum slot empty)', async () => {
    const v = vector('25dc1329');
    expect(v.inputs.signature_base).toBe('login::20:p1');
    fake.operations.set(20, { stateCode: 20 });
    await cancelHold(fake.config, { invId: 20 });
    expect(lastBody('Payment/Cancel')).toBe(`MerchantLogin=login&InvoiceID=20&SignatureValue=${v.expected}`);
    expect(fake.operations.get(20)?.stateCode).toBe(60);
  });

  test('OutSum is sent when given but still not signed', async () => {
    const v = vector('25dc1329');
    fake.operations.set(20, { stateCode: 20 });
    await cancelHold(fake.config, { invId: 20, outSum: rub(1000n) });
    expect(lastBody('Payment/Cancel')).toBe(
      `MerchantLogin=login&InvoiceID=20&OutSum=10.00&SignatureValue=${v.expected}`,
    );
  });

  test('cancelling something that is not held → HOLD_REJECTED', async () => {
    expect((await failure(cancelHold(fake.config, { invId: 424242 }))).code).toBe('HOLD_REJECTED');
  });
});

describe('parseHoldReply', () => {
  test.each([
    ['"success: true"', true],
    ['"success: false"', false],
    ['success: true', true],
    ['  "Success:false"\n', false],
    ['{"success":true}', true],
  ])('%j → %s', (body, expected) => {
    expect(parseHoldReply('Payment/Confirm', body)).toBe(expected);
  });

  test.each(['', 'OK', '"success"', '<html>Error 29</html>', '{"success":"yes"}'])(
    '%j → GATEWAY_BAD_RESPONSE',
    (body) => {
      expect(() => parseHoldReply('Payment/Confirm', body)).toThrow(
        expect.objectContaining({ code: 'GATEWAY_BAD_RESPONSE' }),
      );
    },
  );
});

describe('Recurring (§3.7)', () => {
  test('wire bytes pinned by vector 1be6746b… (receipt, Shp, PreviousInvoiceID not signed)', async () => {
    const v = vector('1be6746b');
    const receipt = v.inputs.receipt_in_signature ?? '';
    expect(formUrlEncode(v.inputs.receipt_json ?? '')).toBe(receipt);
    fake.operations.set(200001, { stateCode: 100 });
    const result = await chargeRecurring(fake.config, {
      invId: 200002,
      previousInvId: 200001,
      outSum: rub(10000n),
      description: 'Recurring payment',
      receipt,
      shp: { order: 'abc 1' },
    });
    expect(result).toEqual({ accepted: true, invId: 200002 });
    expect(lastBody('Recurring')).toBe(v.inputs.expected_form_body);
    expect(fake.operations.get(200002)?.stateCode).toBe(5);
  });

  test('a receipt object is validated, checked against OutSum and encoded like the vector', async () => {
    const v = vector('1be6746b');
    const receipt = createReceipt(
      {
        items: [
          {
            name: 'Subscription',
            quantity: 1,
            sum: '100',
            payment_method: 'full_payment',
            payment_object: 'service',
            tax: 'none',
          },
        ],
      },
      { country: 'RU' },
    );
    expect(receiptForSignature(receipt)).toBe(v.inputs.receipt_in_signature);
    fake.operations.set(200011, { stateCode: 100 });
    await chargeRecurring(fake.config, {
      invId: 200002 + 10,
      previousInvId: 200011,
      outSum: rub(10000n),
      description: 'Recurring payment',
      receipt,
      shp: { order: 'abc 1' },
    });
    expect(lastBody('Recurring')).toContain(`&Receipt=${formUrlEncode(v.inputs.receipt_in_signature ?? '')}&`);
    const before = fake.hits('Recurring');
    const mismatch = await failure(
      chargeRecurring(fake.config, {
        invId: 200013,
        previousInvId: 200011,
        outSum: rub(9900n),
        description: 'x',
        receipt,
      }),
    );
    expect(mismatch.code).toBe('RECEIPT_TOTAL_MISMATCH');
    expect(fake.hits('Recurring')).toBe(before);
  });

  test('without receipt and Shp: login:OutSum:InvoiceID:Password1', async () => {
    fake.operations.set(300001, { stateCode: 100 });
    await chargeRecurring(fake.config, {
      invId: 300002,
      previousInvId: 300001,
      outSum: rub(500n),
      description: 'Подписка',
    });
    expect(lastBody('Recurring')).toBe(
      `OutSum=5.00&InvoiceID=300002&PreviousInvoiceID=300001&Description=${formUrlEncode('Подписка')}&MerchantLogin=login&SignatureValue=${hashHex('md5', 'login:5.00:300002:p1')}`,
    );
  });

  test('Shp fields are sorted and signed after the password', async () => {
    fake.operations.set(300011, { stateCode: 100 });
    await chargeRecurring(fake.config, {
      invId: 300012,
      previousInvId: 300011,
      outSum: rub(500n),
      description: 'x',
      shp: { user_id: '7', email: 'a@b.c' },
    });
    expect(lastBody('Recurring')).toBe(
      `OutSum=5.00&InvoiceID=300012&PreviousInvoiceID=300011&Description=x&Shp_email=a%2540b.c&Shp_user_id=7&MerchantLogin=login&SignatureValue=${hashHex('md5', 'login:5.00:300012:p1:Shp_email=a%40b.c:Shp_user_id=7')}`,
    );
  });

  test('anything but OK{InvoiceID} → RECURRING_REJECTED with an excerpt of the reply', async () => {
    const error = await failure(
      chargeRecurring(fake.config, { invId: 300022, previousInvId: 999999, outSum: rub(500n), description: 'x' }),
    );
    expect(error.code).toBe('RECURRING_REJECTED');
    expect(error.details).toMatchObject({
      invId: 300022,
      previousInvId: 999999,
      body: 'Error 35: invalid recurring parameters',
    });
    fake.override('Recurring', { status: 200, body: 'OK1' });
    expect(
      (
        await failure(
          chargeRecurring(fake.config, { invId: 300023, previousInvId: 1, outSum: rub(500n), description: 'x' }),
        )
      ).code,
    ).toBe('RECURRING_REJECTED');
  });

  test('a bad Shp name → SHP_NAME_INVALID before any request', async () => {
    const before = fake.hits('Recurring');
    const error = await failure(
      chargeRecurring(fake.config, {
        invId: 300031,
        previousInvId: 1,
        outSum: rub(500n),
        description: 'x',
        shp: { 'Bad Name': '1' },
      }),
    );
    expect(error.code).toBe('SHP_NAME_INVALID');
    expect(fake.hits('Recurring')).toBe(before);
  });
});
