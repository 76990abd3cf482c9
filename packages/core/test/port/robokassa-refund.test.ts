import { afterEach, describe, expect, test } from 'vitest';
import {
  createMemoryLedger,
  isKassaError,
  type PaymentLedger,
  type PaymentRecord,
  parseMoney,
  refundPayment,
  refundSurplus,
} from '../../src/index.js';
import { RobokassaGateway } from '../../src/robokassa/index.js';
import { failure, fakeRobokassaForFile } from '../support/fake-robokassa.js';

/**
 * A Robokassa refund needs the operation key (OpKey), which ResultURL does not carry: a payment learned from ResultURL
 * (or settled by a refresh that missed it) has none on its record. `refundPayment` asks OpStateExt for it before the
 * refund is written ahead and stores it on the record; when Robokassa cannot give one, the refund is refused with the
 * record untouched — never left `refund_requested` with nothing sent (issue #11: PAYMENT_SURPLUS_REFUND_FAILED).
 * Against the in-process fake Robokassa over HTTP (XML OpStateExt, JWT Refund API).
 */

const fast = { retry: { attempts: 1, baseDelayMs: 1 }, timeoutMs: 2000 };
const fake = await fakeRobokassaForFile();
afterEach(() => {
  fake.operations.clear();
  fake.refunds.clear();
});

/** A live record paid through ResultURL: no OpKey in its details. */
async function paidWithoutOpKey(options: { surplus?: boolean } = {}) {
  const ledger: PaymentLedger = createMemoryLedger();
  const gateway = new RobokassaGateway(fake.config, { http: fast });
  const created = await ledger.create({
    gateway: 'robokassa',
    reference: 'session-1',
    amount: parseMoney('100.00'),
    isTest: false,
  });
  const key = { gateway: 'robokassa' as const, invoiceId: created.invoiceId };
  await ledger.transition({
    ...key,
    from: ['pending'],
    to: 'paid',
    source: 'notification',
    patch: { details: { paymentMethod: 'BankCard', incCurrLabel: 'BankCardPSR' } },
  });
  if (options.surplus) await ledger.markSurplus(key);
  const record = (await ledger.find(key)) as PaymentRecord;
  expect(record.details.opKey).toBeUndefined();
  return { ledger, gateway, record, invId: Number(created.invoiceId), now: () => ledger.find(key) };
}

describe('a Robokassa refund of a record without the OpKey', () => {
  test('the OpKey is fetched from OpStateExt, stored on the record, and the refund is sent with it', async () => {
    const { ledger, gateway, record, invId, now } = await paidWithoutOpKey();
    fake.operations.set(invId, { stateCode: 100, opKey: `OP-${invId}`, outSum: '100.000000', incSum: '100.000000' });

    const refunded = await refundPayment({ gateway, ledger }, record, { amount: parseMoney('30.00') });

    expect(refunded).toMatchObject({ state: 'partially_refunded', details: { opKey: `OP-${invId}` } });
    expect([...fake.refunds.values()].map((r) => [r.opKey, r.amountMicros])).toEqual([[`OP-${invId}`, 30_000_000n]]);
    expect(fake.hits('OpStateExt')).toBeGreaterThanOrEqual(1);
    // The next refund uses the stored key: no second lookup.
    const before = fake.hits('OpStateExt');
    await refundPayment({ gateway, ledger }, (await now()) as PaymentRecord, { amount: parseMoney('70.00') });
    expect(fake.hits('OpStateExt')).toBe(before);
    expect((await now())?.state).toBe('refunded');
  });

  test('OpStateExt reports no OpKey: refused before the write-ahead, the record stays paid, nothing is sent', async () => {
    const { ledger, gateway, record, invId, now } = await paidWithoutOpKey();
    fake.operations.set(invId, { stateCode: 100, outSum: '100.000000', incSum: '100.000000' });
    const sent = fake.hits('Refund/Create');

    const error = await failure(refundPayment({ gateway, ledger }, record, { amount: parseMoney('100.00') }));

    expect(isKassaError(error, 'REFUND_REJECTED')).toBe(true);
    expect(error.details).toMatchObject({ reason: 'op_key_unavailable' });
    expect(await now()).toMatchObject({ state: 'paid', refunded: { currency: 'RUB', minor: 0n } });
    expect((await now())?.refundPending).toBeUndefined();
    expect(fake.hits('Refund/Create')).toBe(sent);
  });

  test('Robokassa does not know the operation: refused before the write-ahead', async () => {
    const { ledger, gateway, record, now } = await paidWithoutOpKey();
    const sent = fake.hits('Refund/Create');

    const error = await failure(refundPayment({ gateway, ledger }, record, { amount: parseMoney('100.00') }));

    expect(isKassaError(error, 'REFUND_REJECTED')).toBe(true);
    expect(await now()).toMatchObject({ state: 'paid' });
    expect(fake.hits('Refund/Create')).toBe(sent);
  });

  test('OpStateExt unreachable: its error, and the record stays paid (a later refund can still be sent)', async () => {
    const { ledger, gateway, record, invId, now } = await paidWithoutOpKey();
    fake.override('OpStateExt', { status: 503 });

    const error = await failure(refundPayment({ gateway, ledger }, record, { amount: parseMoney('100.00') }));

    expect(error.code).toBe('GATEWAY_HTTP_ERROR');
    expect(await now()).toMatchObject({ state: 'paid' });
    expect((await now())?.refundPending).toBeUndefined();

    fake.operations.set(invId, { stateCode: 100, opKey: `OP-${invId}`, outSum: '100.000000', incSum: '100.000000' });
    const again = await refundPayment({ gateway, ledger }, (await now()) as PaymentRecord, {
      amount: parseMoney('100.00'),
    });
    expect(again).toMatchObject({ state: 'refunded', details: { opKey: `OP-${invId}` } });
  });

  test('a surplus payment without an OpKey Robokassa cannot give: the merchant’s refund is refused, it stays listed (paid, surplus)', async () => {
    const { ledger, gateway, record, invId, now } = await paidWithoutOpKey({ surplus: true });
    fake.operations.set(invId, { stateCode: 100, outSum: '100.000000', incSum: '100.000000', noInfo: true });

    const error = await failure(refundSurplus({ gateway, ledger }, record));

    expect(isKassaError(error, 'REFUND_REJECTED')).toBe(true);
    expect(await now()).toMatchObject({ state: 'paid', surplus: true });
    expect((await now())?.refundPending).toBeUndefined();
  });
});
