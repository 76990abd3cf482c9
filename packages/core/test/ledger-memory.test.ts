import { describe, expect, test } from 'vitest';
import { createMemoryLedger, isKassaError, MAX_INV_ID } from '../src/index.js';
import { runPaymentLedgerContract } from '../src/testing/index.js';

runPaymentLedgerContract({ name: 'memory', create: async () => createMemoryLedger() }, { describe, test, expect });
runPaymentLedgerContract(
  { name: 'memory, InvIds from 1000000', create: async () => createMemoryLedger({ firstInvId: 1_000_000 }) },
  { describe, test, expect },
);

async function thrownBy(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('createMemoryLedger specifics', () => {
  const rub = (minor: bigint) => ({ currency: 'RUB' as const, minor });

  test('InvIds start at the configured value and count up', async () => {
    const ledger = createMemoryLedger({ firstInvId: 500 });
    const a = await ledger.create({ reference: 'a', amount: rub(100n), isTest: false });
    const b = await ledger.create({ reference: 'b', amount: rub(100n), isTest: false });
    expect([a.invId, b.invId]).toEqual([500, 501]);
  });

  test('an out-of-range first InvId or explicit InvId is refused', async () => {
    expect(() => createMemoryLedger({ firstInvId: 0 })).toThrow(/InvId/);
    const ledger = createMemoryLedger();
    for (const invId of [0, -1, 1.5, MAX_INV_ID + 1]) {
      const error = await thrownBy(ledger.create({ reference: 'x', amount: rub(1n), isTest: false, invId }));
      expect(isKassaError(error, 'INVOICE_ID_OUT_OF_RANGE')).toBe(true);
    }
  });

  test('the InvId space running out is an error, not a reuse', async () => {
    const ledger = createMemoryLedger({ firstInvId: MAX_INV_ID });
    await ledger.create({ reference: 'last', amount: rub(1n), isTest: false });
    const error = await thrownBy(ledger.create({ reference: 'one-too-many', amount: rub(1n), isTest: false }));
    expect(isKassaError(error, 'LEDGER_CONFLICT')).toBe(true);
  });

  test('invalid new payments and transition requests are refused with stable codes', async () => {
    const ledger = createMemoryLedger();
    const bad = [
      { reference: '', amount: rub(1n), isTest: false },
      { reference: 'zero', amount: rub(0n), isTest: false },
      { reference: 'float', amount: { currency: 'RUB', minor: 1.5 }, isTest: false },
      { reference: 'currency', amount: { currency: 'XXX', minor: 1n }, isTest: false },
    ];
    for (const payment of bad) {
      // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong input from an untyped caller
      const error = await thrownBy(ledger.create(payment as any));
      expect(isKassaError(error, 'PAYMENT_INVALID')).toBe(true);
    }
    const record = await ledger.create({ reference: 'ok', amount: rub(1n), isTest: false });
    const error = await thrownBy(
      // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong input from an untyped caller
      ledger.transition({ invId: record.invId, from: [], to: 'shipped' as any, source: 'admin' }),
    );
    expect(isKassaError(error, 'INVALID_TRANSITION')).toBe(true);
  });

  test('timestamps come from the injected clock; records are frozen snapshots', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const ledger = createMemoryLedger({ now: () => now });
    const record = await ledger.create({ reference: 'clock', amount: rub(100n), isTest: false });
    expect(record.createdAt.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    now = new Date('2026-01-02T00:00:00Z');
    const paid = await ledger.transition({ invId: record.invId, from: ['pending'], to: 'paid', source: 'result_url' });
    expect(paid.record?.updatedAt.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(paid.record?.createdAt.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(Object.isFrozen(record)).toBe(true);
    expect(() => {
      (record as { state: string }).state = 'refunded';
    }).toThrow();
    expect(ledger.snapshot().map((r) => r.state)).toEqual(['paid']);
  });
});
