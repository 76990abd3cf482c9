import { createMemoryLedger, type IssueDeps, type PaymentState, parseMoney } from '@kassa/core';
import { describe, expect, test } from 'vitest';
import { RobokassaProviderService } from '../src/providers/robokassa/service';

/**
 * Issue #11 §1 "two instances": when one Medusa instance loses the race to settle a cart, Medusa compensates its
 * payment step by calling the provider's `cancelPayment` on an invoice that is already paid. That call must leave the
 * money where it is and answer (a refusal fails the compensation and the callback gets a 500). Cancelling a pending
 * invoice asks the gateway first and is covered by the integration tests.
 */
const merchant = {
  login: 'kassa-test-shop',
  password1: 'test-shop-password-1',
  password2: 'test-shop-password-2',
  algorithm: 'sha256',
};

function provider() {
  const warnings: string[] = [];
  const logger = {
    info: () => undefined,
    warn: (line: string) => warnings.push(line),
    error: () => undefined,
    debug: () => undefined,
  };
  // The cradle's pool is never queried: the ledger is swapped for the memory adapter below.
  const service = new RobokassaProviderService(
    { __pg_connection__: { raw: async () => ({ rows: [] }) }, logger } as never,
    merchant,
  );
  const ledger = createMemoryLedger();
  const internals = service as unknown as { deps: IssueDeps };
  internals.deps = { ...internals.deps, ledger };
  return { service, ledger, warnings };
}

async function invoiceIn(ledger: ReturnType<typeof createMemoryLedger>, state: PaymentState) {
  const record = await ledger.create({
    gateway: 'robokassa',
    reference: 'payses_1',
    amount: parseMoney('2769.00'),
    isTest: false,
  });
  if (state !== 'pending') {
    await ledger.transition({
      gateway: 'robokassa',
      invoiceId: record.invoiceId,
      from: ['pending'],
      to: state,
      source: 'notification',
    });
  }
  return { session_id: 'payses_1', inv_id: Number(record.invoiceId) };
}

describe('cancelPayment (Medusa compensating a failed payment step)', () => {
  test('a paid invoice is left paid: the call answers with its data, logs CANCEL_ON_PAID_IGNORED and never throws', async () => {
    const { service, ledger, warnings } = provider();
    const data = await invoiceIn(ledger, 'paid');
    const out = await service.cancelPayment({ data } as never);
    expect(out.data).toMatchObject({ ...data, state: 'paid' });
    expect((await ledger.find({ gateway: 'robokassa', invoiceId: String(data.inv_id) }))?.state).toBe('paid');
    expect(warnings.filter((w) => w.includes('CANCEL_ON_PAID_IGNORED'))).toHaveLength(1);
    // A second compensation (Medusa retries) is just as harmless.
    await expect(service.cancelPayment({ data } as never)).resolves.toMatchObject({ data: { state: 'paid' } });
  });

  test('an invoice already cancelled (an earlier compensation) answers as it is, without a warning', async () => {
    const { service, ledger, warnings } = provider();
    const data = await invoiceIn(ledger, 'cancelled');
    const out = await service.cancelPayment({ data } as never);
    expect(out.data).toMatchObject({ state: 'cancelled' });
    expect(warnings).toEqual([]);
  });
});
