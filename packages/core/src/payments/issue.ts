import { KassaError } from '../errors.js';
import type { CreatePaymentInput, Gateway, PaymentRedirect } from '../gateway.js';
import type { PaymentLedger, PaymentRecord } from '../ledger/port.js';
import { compareMoney, type Money } from '../money.js';

export interface IssueDeps {
  gateway: Gateway;
  ledger: PaymentLedger;
}

export type IssueInput = Omit<CreatePaymentInput, 'record'> & {
  /** The platform's id for this payment. */
  reference: string;
  amount: Money;
  isTest: boolean;
};

export interface IssuedPayment {
  readonly record: PaymentRecord;
  readonly redirect: PaymentRedirect;
}

/** The gateway account must take the currency: refused before anything is recorded or cancelled. */
function checkCurrency(deps: IssueDeps, amount: Money): void {
  if (!deps.gateway.capabilities.currencies.includes(amount.currency)) {
    throw new KassaError(
      'MONEY_CURRENCY_MISMATCH',
      `This ${deps.gateway.id} account does not take ${amount.currency}`,
      {
        details: { gateway: deps.gateway.id, currency: amount.currency },
      },
    );
  }
}

/**
 * Allocates an invoice in the ledger and signs its redirect. The invoice is recorded before the buyer can reach the
 * gateway, so every notification finds it.
 */
export async function issuePayment(deps: IssueDeps, input: IssueInput): Promise<IssuedPayment> {
  const { reference, amount, isTest, ...rest } = input;
  checkCurrency(deps, amount);
  const record = await deps.ledger.create({ gateway: deps.gateway.id, reference, amount, isTest });
  return { record, redirect: deps.gateway.createPayment({ ...rest, record }) };
}

/**
 * A changed amount is a new invoice: an invoice's amount never changes (the gateway and the ledger must agree on it),
 * so the old one is cancelled in the ledger (a payment still arriving on it is a state conflict a human sees) and a new
 * one issued. An unchanged amount re-signs the same invoice.
 */
export async function reissuePayment(
  deps: IssueDeps,
  current: PaymentRecord,
  input: IssueInput,
): Promise<IssuedPayment> {
  if (current.state !== 'pending') {
    throw new KassaError('INVALID_TRANSITION', `Invoice ${current.invoiceId} is ${current.state}`, {
      details: { gateway: current.gateway, invoiceId: current.invoiceId, state: current.state },
    });
  }
  const { reference: _reference, amount, isTest: _isTest, ...rest } = input;
  if (current.amount.currency === amount.currency && compareMoney(current.amount, amount) === 0) {
    return { record: current, redirect: deps.gateway.createPayment({ ...rest, record: current }) };
  }
  // Checked before the old invoice is cancelled: a refused new amount must leave the buyer a payable invoice.
  checkCurrency(deps, amount);
  await deps.ledger.transition({
    gateway: current.gateway,
    invoiceId: current.invoiceId,
    from: ['pending'],
    to: 'cancelled',
    source: 'reissue',
  });
  return issuePayment(deps, { ...input, isTest: current.isTest });
}
