// The server-side Robokassa API clients (protocol §3). Internal helpers (XML parsing, input validation, error
// builders) stay unexported.
export { type CalcOutSummInput, calcOutSumm } from './calc.js';
export { type ApiLanguage, shopCurrency } from './common.js';
export {
  getCurrencies,
  getPaymentMethods,
  type LanguageInput,
  type PaymentCurrency,
  type PaymentCurrencyGroup,
  type PaymentMethodInfo,
} from './currencies.js';
export {
  type AttachResult,
  attachSecondReceipt,
  type FiscalAlphabet,
  type FiscalBodyOptions,
  type FiscalCallOptions,
  fiscalBody,
  getReceiptStatus,
  type ReceiptStatus,
  type ReceiptStatusInput,
  type ReceiptStatusResult,
  type SecondReceiptInput,
  secondReceiptJson,
} from './fiscal.js';
export {
  type CancelHoldInput,
  type ConfirmHoldInput,
  cancelHold,
  confirmHold,
  type HoldResult,
  parseHoldReply,
  type ReceiptParam,
} from './hold.js';
export {
  type ApiCallOptions,
  DEFAULT_RETRY_ATTEMPTS,
  DEFAULT_RETRY_BASE_DELAY_MS,
  DEFAULT_TIMEOUT_MS,
  type FetchLike,
} from './http.js';
export { compactJson, decimalToJsonNumber, JsonNumber, moneyToJsonNumber, parseJsonKeepingNumbers } from './json.js';
export {
  invoiceApiKey,
  invoiceJwtAlgorithm,
  JWT_ALGORITHMS,
  type JwtAlgorithm,
  REFUND_JWT_ALGORITHMS,
  type RefundJwtAlgorithm,
  type SignJwtOptions,
  signJwt,
  type VerifiedJwt,
  verifyJwt,
} from './jwt.js';
export {
  OPERATION_STATE_CODES,
  type OperationInfo,
  type OperationStateCode,
  type OperationStateFound,
  type OperationStateNotFound,
  type OperationStateResult,
  type OperationStatus,
  type OpStateExtInput,
  opStateExt,
} from './op-state.js';
export { type ChargeRecurringInput, chargeRecurring, type RecurringResult } from './recurring.js';
export {
  type CreateRefundInput,
  createRefund,
  getRefundState,
  type RefundInvoiceItem,
  type RefundLabel,
  type RefundState,
  type RefundStateInput,
  refundPayloadJson,
} from './refund.js';
export { XML_RESULT_CODES } from './xml.js';
