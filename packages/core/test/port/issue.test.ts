import { describe, expect, test } from 'vitest';
import { createMemoryLedger, isKassaError, issuePayment, parseMoney, reissuePayment } from '../../src/index.js';
import { createRobokassaConfig, RobokassaGateway } from '../../src/robokassa/index.js';

/** issuePayment and reissuePayment through the port, with Robokassa's gateway (signing only: no network). */

const config = createRobokassaConfig({ login: 'demo', password1: 'issue-password-1', password2: 'issue-password-2' });

function setup() {
  const gateway = new RobokassaGateway(config);
  const ledger = createMemoryLedger({ firstInvoiceNumber: 700 });
  return { gateway, ledger, deps: { gateway, ledger } };
}

const input = (amount: string) => ({
  reference: 'cart-1',
  amount: parseMoney(amount),
  isTest: false,
  description: 'Order 1',
});

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('issuePayment', () => {
  test('records a pending invoice, then signs its redirect (GET link and POST form agree)', async () => {
    const { deps, ledger } = setup();
    const { record, redirect } = await issuePayment(deps, input('1500.00'));
    expect(record).toMatchObject({ gateway: 'robokassa', invoiceId: '700', state: 'pending', reference: 'cart-1' });
    expect(await ledger.find({ gateway: 'robokassa', invoiceId: '700' })).toEqual(record);
    const url = new URL(redirect.url);
    expect(url.searchParams.get('InvId')).toBe('700');
    expect(url.searchParams.get('OutSum')).toBe('1500.00');
    expect(url.searchParams.get('SignatureValue')).toMatch(/^[0-9a-f]{32}$/i);
    const fields = Object.fromEntries(redirect.form.fields.map((f) => [f.name, f.value]));
    expect(fields).toMatchObject({ InvId: '700', SignatureValue: url.searchParams.get('SignatureValue') });
  });

  test('an unsupported currency is refused before anything is recorded', async () => {
    const { deps, ledger } = setup();
    for (const currency of ['KZT', 'BYN'] as const) {
      const error = await thrown(issuePayment(deps, { ...input('10.00'), amount: parseMoney('10.00', currency) }));
      expect(isKassaError(error, 'MONEY_CURRENCY_MISMATCH')).toBe(true);
    }
    expect(ledger.snapshot()).toEqual([]);
  });
});

describe('reissuePayment', () => {
  test('the same amount re-signs the same invoice', async () => {
    const { deps, ledger } = setup();
    const first = await issuePayment(deps, input('1500.00'));
    const again = await reissuePayment(deps, first.record, { ...input('1500.00'), description: 'Order 1, again' });
    expect(again.record).toEqual(first.record);
    expect(new URL(again.redirect.url).searchParams.get('InvId')).toBe(first.record.invoiceId);
    expect(new URL(again.redirect.url).searchParams.get('SignatureValue')).toBe(
      new URL(first.redirect.url).searchParams.get('SignatureValue'),
    );
    expect(ledger.snapshot()).toHaveLength(1);
  });

  test('a changed amount cancels the old invoice and issues a new one for the same reference', async () => {
    const { deps, ledger } = setup();
    const first = await issuePayment(deps, input('1500.00'));
    const changed = await reissuePayment(deps, first.record, input('1700.00'));
    expect(changed.record.invoiceId).not.toBe(first.record.invoiceId);
    expect(changed.record).toMatchObject({ state: 'pending', reference: 'cart-1', amount: parseMoney('1700.00') });
    expect(new URL(changed.redirect.url).searchParams.get('OutSum')).toBe('1700.00');
    expect((await ledger.find({ gateway: 'robokassa', invoiceId: first.record.invoiceId }))?.state).toBe('cancelled');
    expect(await ledger.findByReference('cart-1')).toEqual(changed.record);
  });

  test('only a pending invoice is reissued', async () => {
    const { deps, ledger } = setup();
    const first = await issuePayment(deps, input('1500.00'));
    const paid = await ledger.transition({
      gateway: 'robokassa',
      invoiceId: first.record.invoiceId,
      from: ['pending'],
      to: 'paid',
      source: 'admin',
    });
    if (!paid.applied) throw new Error('fixture');
    expect(isKassaError(await thrown(reissuePayment(deps, paid.record, input('1700.00'))), 'INVALID_TRANSITION')).toBe(
      true,
    );
    expect(ledger.snapshot()).toHaveLength(1);
  });

  test('a changed amount in a currency the account does not take is refused', async () => {
    const { deps, ledger } = setup();
    const first = await issuePayment(deps, input('1500.00'));
    const error = await thrown(
      reissuePayment(deps, first.record, { ...input('10.00'), amount: parseMoney('10.00', 'USD') }),
    );
    expect(isKassaError(error, 'MONEY_CURRENCY_MISMATCH')).toBe(true);
    // The old invoice is still payable: nothing was cancelled for a reissue that could not happen.
    expect(ledger.snapshot()).toEqual([first.record]);
  });
});
