/**
 * The Assist test vectors (test/vectors/assist.json, a copy of shared/vectors/assist.json).
 *
 * - `origin: "public"` vectors have an expected value published by a third party (the RUBY gem's specs and fixtures);
 *   they are reproduced exactly.
 * - `origin: "derived"` vectors were computed by the research from the documented formula; they have no independent
 *   expected value, so they are consistency checks only (our code agrees with Python's hashlib on the formula), never
 *   proof that Assist computes the same.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  assistCheckvalue,
  notificationCheckvalue,
  orderCheckvalue,
  paymentCheckvalue,
  verifyOrderCheckvalue,
} from '../../src/assist/index.js';

interface AssistVector {
  id: string;
  origin: 'public' | 'derived';
  kind: string;
  inputs: Record<string, string>;
  expected: unknown;
  verified: boolean;
}

const file = JSON.parse(readFileSync(new URL('../vectors/assist.json', import.meta.url), 'utf8')) as {
  vectors: AssistVector[];
};
const byId = (id: string): AssistVector => {
  const v = file.vectors.find((x) => x.id === id);
  if (!v) throw new Error(`vector ${id} missing`);
  return v;
};

describe('public vectors (verified): reproduced exactly', () => {
  test('the file has the 4 public vectors, all verified', () => {
    const pub = file.vectors.filter((v) => v.origin === 'public');
    expect(pub.map((v) => v.id)).toEqual([
      'assist-payment-checkvalue-semicolon-1',
      'assist-orderstate-checkvalue-1',
      'assist-orderstate-checkvalue-negative-1',
      'assist-cancel-signature-payload-1',
    ]);
    expect(pub.every((v) => v.verified)).toBe(true);
  });

  test('assist-payment-checkvalue-semicolon-1: Merchant_ID;OrderNumber;OrderAmount, no currency, amount "100.0"', () => {
    const v = byId('assist-payment-checkvalue-semicolon-1');
    const { salt, Merchant_ID, OrderNumber, OrderAmount, X } = v.inputs as Record<string, string>;
    const parts = { merchantId: Merchant_ID!, orderNumber: OrderNumber!, orderAmount: OrderAmount! };
    expect(paymentCheckvalue(salt!, parts, 'semicolon')).toBe(v.expected);
    expect(assistCheckvalue(salt!, X!)).toBe(v.expected);
  });

  test('assist-orderstate-checkvalue-1: merchant_id+ordernumber+orderamount+ordercurrency+orderstate', () => {
    const v = byId('assist-orderstate-checkvalue-1');
    const i = v.inputs;
    const parts = {
      merchant_id: i.merchant_id!,
      ordernumber: i.ordernumber!,
      orderamount: i.orderamount!,
      ordercurrency: i.ordercurrency!,
      orderstate: i.orderstate!,
    };
    expect(orderCheckvalue(i.salt!, parts)).toBe(v.expected);
    expect(verifyOrderCheckvalue(i.salt!, parts, v.expected as string)).toBe(true);
    expect(verifyOrderCheckvalue(i.salt!, parts, (v.expected as string).toLowerCase())).toBe(true);
  });

  test('assist-orderstate-checkvalue-negative-1: the fixture value is rejected', () => {
    const v = byId('assist-orderstate-checkvalue-negative-1');
    const expected = assistCheckvalue(v.inputs.salt!, v.inputs.X!);
    expect(expected).not.toBe(v.inputs.checkvalue_in_response);
    expect(
      verifyOrderCheckvalue(
        v.inputs.salt!,
        { merchant_id: '111111', ordernumber: 'ok', orderamount: '4.00', ordercurrency: 'RUB', orderstate: 'Canceled' },
        v.inputs.checkvalue_in_response!,
      ),
    ).toBe((v.expected as { valid: boolean }).valid);
  });

  test('assist-cancel-signature-payload-1: the signature is opaque to us; its payload is comma-joined (documented)', () => {
    // We do not verify response signatures (no public key, no agreement on the algorithm, §2.2). This vector only
    // pins that the signed text is not any checkvalue X we compute: it is kept as an opaque string.
    const v = byId('assist-cancel-signature-payload-1');
    const literal = (v.expected as { literal: string }).literal;
    const decoded = Buffer.from(v.inputs.signature_base64!, 'base64').toString('latin1');
    expect(decoded).toContain(literal);
    expect(literal.split(',')).toHaveLength(9);
  });
});

describe('derived vectors (unverified): consistency checks only', () => {
  test('the file marks them unverified', () => {
    const derived = file.vectors.filter((v) => v.origin === 'derived');
    expect(derived).toHaveLength(3);
    expect(derived.every((v) => v.verified === false)).toBe(true);
  });

  test('assist-result-checkvalue-derived-1: the notification formula agrees with the research computation', () => {
    const v = byId('assist-result-checkvalue-derived-1');
    const i = v.inputs;
    expect(
      notificationCheckvalue(i.salt!, {
        merchant_id: i.merchant_id!,
        ordernumber: i.ordernumber!,
        amount: i.amount!,
        currency: i.currency!,
        orderstate: i.orderstate!,
      }),
    ).toBe(v.expected);
  });

  test('assist-payment-checkvalue-legacy-nodelim-derived-1: concat mode', () => {
    const v = byId('assist-payment-checkvalue-legacy-nodelim-derived-1');
    const i = v.inputs;
    const parts = {
      merchantId: i.Merchant_ID!,
      orderNumber: i.OrderNumber!,
      orderAmount: i.OrderAmount!,
      orderCurrency: i.OrderCurrency!,
    };
    expect(paymentCheckvalue(i.salt!, parts, 'concat')).toBe(v.expected);
  });

  test('assist-payment-checkvalue-customernumber-derived-1: CustomerNumber appended with ;', () => {
    const v = byId('assist-payment-checkvalue-customernumber-derived-1');
    const i = v.inputs;
    const parts = {
      merchantId: i.Merchant_ID!,
      orderNumber: i.OrderNumber!,
      orderAmount: i.OrderAmount!,
      orderCurrency: i.OrderCurrency!,
      customerNumber: i.CustomerNumber!,
    };
    expect(paymentCheckvalue(i.salt!, parts, 'semicolon')).toBe(v.expected);
  });
});
