export { cancelPayment, capturePayment, type OperationDeps } from './capture.js';
export { type IssueDeps, type IssuedPayment, type IssueInput, issuePayment, reissuePayment } from './issue.js';
export { RECONCILE_LOG_CODES, type ReconcileOptions, type ReconcileSummary, reconcilePayments } from './reconcile.js';
export {
  REFRESH_LOG_CODES,
  type RefreshDeps,
  type RefreshOutcome,
  type RefreshResult,
  refreshPayment,
} from './refresh.js';
export { finishRefund, type RefundDeps, type RefundRequest, refundPayment, refundSurplus } from './refund.js';
export {
  createSettleOutbox,
  type DrainSummary,
  SETTLE_OUTBOX_LOG_CODES,
  type SettleOutbox,
  type SettleOutboxOptions,
} from './settle-outbox.js';
