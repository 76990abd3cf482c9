import {
  type ApiCallOptions,
  moneyEquals,
  type OperationStateResult,
  opStateExt,
  type PaymentLedger,
  type PaymentRecord,
  type RobokassaConfig,
  type TransitionRequest,
} from '@kassa/core';
import type { PaymentSessionStatus } from '@medusajs/framework/utils';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * What the plugin believes about one invoice, in Medusa's words. The ledger is the source of truth once a verified
 * callback (or an earlier check) moved it; only a `pending` record makes us ask Robokassa (OpStateExt).
 */
export function sessionStatusOf(state: PaymentRecord['state']): `${PaymentSessionStatus}` {
  switch (state) {
    case 'paid':
    case 'partially_refunded':
    case 'refunded':
      return 'captured';
    case 'held':
      return 'authorized';
    case 'cancelled':
      return 'canceled';
    case 'failed':
      return 'error';
    case 'pending':
      return 'pending';
  }
}

export interface SyncDeps {
  config: RobokassaConfig;
  ledger: PaymentLedger;
  http?: ApiCallOptions | undefined;
  opState?: ((record: PaymentRecord) => Promise<OperationStateResult>) | undefined;
}

/**
 * Brings a `pending` record up to date with OpStateExt through the same compare-and-set transitions the ResultURL
 * handler uses (source `reconcile`), so whichever of callback, buyer's return or job gets there first wins, once.
 *
 * 100/50 with the expected amount → paid; 20 → held; 60 (returned to the buyer) → cancelled. 5, 10 (refused, the
 * buyer may still retry with another card), 80 and "not found" leave it pending.
 */
export async function syncWithGateway(deps: SyncDeps, record: PaymentRecord): Promise<PaymentRecord> {
  if (record.state !== 'pending' && record.state !== 'held') return record;
  const state = deps.opState
    ? await deps.opState(record)
    : await opStateExt(
        deps.config,
        { invId: record.invId, isTest: record.isTest, currency: record.amount.currency },
        deps.http,
      );
  if (!state.found) return record;
  const info = state.info;
  const patch: Mutable<NonNullable<TransitionRequest['patch']>> = {};
  if (info?.opKey) patch.opKey = info.opKey;
  if (info?.paymentMethod?.code) patch.paymentMethod = info.paymentMethod.code;
  if (info?.incCurrLabel) patch.incCurrLabel = info.incCurrLabel;

  const move = async (to: PaymentRecord['state'], from: readonly PaymentRecord['state'][]) => {
    const result = await deps.ledger.transition({ invId: record.invId, from, to, source: 'reconcile', patch });
    return result.record ?? record;
  };
  switch (state.status) {
    case 'paid':
    case 'processing': {
      const matches = [info?.outSum, info?.incSum].some((sum) => sum !== undefined && moneyEquals(sum, record.amount));
      // A different amount is not this invoice's payment: leave it for a human (the ResultURL handler refuses it too).
      return matches ? move('paid', ['pending', 'held']) : record;
    }
    case 'held':
      return record.state === 'pending' ? move('held', ['pending']) : record;
    case 'refunded':
      return move('cancelled', ['pending', 'held']);
    default:
      return record;
  }
}
