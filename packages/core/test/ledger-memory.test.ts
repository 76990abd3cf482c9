import { describe, expect, test } from 'vitest';
import { isKassaError } from '../src/errors.js';
import { createMemoryLedger, MAX_ALLOCATED_INVOICE_ID } from '../src/ledger/index.js';
import { runPaymentLedgerContract } from '../src/testing/index.js';

runPaymentLedgerContract({ name: 'memory', create: async () => createMemoryLedger() }, { describe, test, expect });
runPaymentLedgerContract(
  {
    name: 'memory, invoice numbers from 1000000',
    create: async () => createMemoryLedger({ firstInvoiceNumber: 1_000_000 }),
  },
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
  const payment = (reference: string, extra: { gateway?: 'robokassa' | 'assist'; invoiceId?: string } = {}) => ({
    gateway: 'robokassa' as const,
    reference,
    amount: rub(100n),
    isTest: false,
    ...extra,
  });

  test('invoice numbers start at the configured value and count up across gateways', async () => {
    const ledger = createMemoryLedger({ firstInvoiceNumber: 500 });
    const a = await ledger.create(payment('a'));
    const b = await ledger.create(payment('b', { gateway: 'assist' }));
    const c = await ledger.create(payment('c'));
    expect([a.invoiceId, b.invoiceId, c.invoiceId]).toEqual(['500', '501', '502']);
  });

  test('an out-of-range first invoice number is refused', () => {
    for (const first of [0, -1, 1.5, MAX_ALLOCATED_INVOICE_ID + 1]) {
      expect(() => createMemoryLedger({ firstInvoiceNumber: first })).toThrow(/first invoice number/);
    }
  });

  test('the number space running out is an error, not a reuse', async () => {
    const ledger = createMemoryLedger({ firstInvoiceNumber: MAX_ALLOCATED_INVOICE_ID });
    const last = await ledger.create(payment('last'));
    expect(last.invoiceId).toBe(String(MAX_ALLOCATED_INVOICE_ID));
    const error = await thrownBy(ledger.create(payment('one-too-many', { gateway: 'assist' })));
    expect(isKassaError(error, 'LEDGER_CONFLICT')).toBe(true);
    // Explicit ids still work.
    expect((await ledger.create(payment('explicit', { gateway: 'assist', invoiceId: 'A-1' }))).invoiceId).toBe('A-1');
  });

  test('timestamps come from the injected clock; records are frozen snapshots', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const ledger = createMemoryLedger({ now: () => now });
    const record = await ledger.create({ ...payment('clock'), details: { a: '1' } });
    expect(record.createdAt.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    now = new Date('2026-01-02T00:00:00Z');
    const key = { gateway: record.gateway, invoiceId: record.invoiceId };
    const paid = await ledger.transition({ ...key, from: ['pending'], to: 'paid', source: 'notification' });
    expect(paid.record?.updatedAt.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(paid.record?.createdAt.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(Object.isFrozen(record)).toBe(true);
    expect(Object.isFrozen(record.details)).toBe(true);
    expect(() => {
      (record as { state: string }).state = 'refunded';
    }).toThrow();
    expect(() => {
      (record.details as Record<string, string>)['a'] = '2';
    }).toThrow();
    expect(ledger.snapshot().map((r) => [r.state, r.details])).toEqual([['paid', { a: '1' }]]);
  });

  test('snapshot lists every record in creation order', async () => {
    const ledger = createMemoryLedger();
    await ledger.create(payment('one', { gateway: 'assist', invoiceId: 'Z' }));
    await ledger.create(payment('two'));
    await ledger.create(payment('three', { gateway: 'assist', invoiceId: 'A' }));
    expect(ledger.snapshot().map((r) => r.reference)).toEqual(['one', 'two', 'three']);
  });
});
