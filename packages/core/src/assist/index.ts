/**
 * `@kassa/core/assist`: the Assist (IPS Assist, paysecure.ru / paysec.by) merchant protocol. Public names only;
 * see docs/assist.md for the module map and every choice where the sources are silent or disagree.
 */

export {
  ASSIST_FIRST_CODES,
  ASSIST_RESPONSE_CODES,
  ASSIST_SECOND_CODES,
  type AssistCodeText,
  type AssistErrorExplanation,
  explainAssistError,
  explainAssistResponseCode,
} from './api/codes.js';
export type { AssistOrderBase } from './api/common.js';
export {
  ASSIST_DEFAULT_RETRY_ATTEMPTS,
  ASSIST_DEFAULT_RETRY_BASE_DELAY_MS,
  ASSIST_DEFAULT_TIMEOUT_MS,
  type AssistCallOptions,
  type AssistFetch,
} from './api/http.js';
export {
  ASSIST_CANCEL_PATHS,
  ASSIST_CANCEL_REASONS,
  ASSIST_CHARGE_PATH,
  ASSIST_RECURRING_PATH,
  type AssistCancelInput,
  type AssistCancelReason,
  type AssistChargeInput,
  type AssistOperationResult,
  type AssistRecurringInput,
  cancelAssistPayment,
  chargeAssistHold,
  chargeAssistRecurring,
} from './api/operations.js';
export {
  ASSIST_ORDERRESULT_PATH,
  type AssistOperation,
  type AssistOrderDetails,
  type AssistOrderResult,
  type AssistOrderResultInput,
  getOrderResult,
} from './api/orderresult.js';
export {
  ASSIST_ORDERSTATE_PATH,
  type AssistOrderStateInput,
  type AssistOrderStateResult,
  type AssistOrderStatus,
  getOrderState,
  pickAssistOrder,
} from './api/orderstate.js';
export {
  assistCheckvalue,
  checkvaluesEqual,
  type NotificationCheckvalueParts,
  notificationCheckvalue,
  notificationCheckvalueBase,
  type OrderCheckvalueParts,
  orderCheckvalue,
  orderCheckvalueBase,
  type PaymentCheckvalueParts,
  paymentCheckvalue,
  paymentCheckvalueBase,
  verifyNotificationCheckvalue,
  verifyOrderCheckvalue,
} from './checkvalue.js';
export {
  ASSIST_CURRENCIES,
  ASSIST_DEFAULT_HOSTS,
  ASSIST_LANGUAGES,
  ASSIST_REGIONS,
  type AssistConfig,
  type AssistConfigInput,
  type AssistCurrency,
  type AssistLanguage,
  type AssistRegion,
  assistConfigSchema,
  CANCEL_ENDPOINTS,
  type CancelEndpoint,
  CHECKVALUE_MODES,
  type CheckvalueMode,
  createAssistConfig,
  RECURRING_PERIOD_FIELDS,
  type RecurringPeriodField,
} from './config.js';
export {
  type AssistDetails,
  AssistGateway,
  type AssistGatewayOptions,
  assistDetails,
  assistGateway,
} from './gateway.js';
export {
  ASSIST_NOTIFICATION_FIELDS,
  ASSIST_RETRY_LATER_REPLY,
  type AssistNotification,
  type AssistNotificationFailure,
  type AssistNotificationFailureReason,
  type AssistNotificationField,
  type AssistNotificationFields,
  type AssistNotificationInput,
  type AssistNotificationResult,
  type AssistReply,
  assistNotificationErrorReply,
  assistNotificationReply,
  assistNotificationSchema,
  parseAssistNotification,
  type VerifyAssistNotificationOptions,
  verifyAssistNotification,
} from './notification.js';
export {
  ASSIST_MAX_MINOR_UNITS,
  ASSIST_PAY_PATH,
  ASSIST_PAYMENT_METHOD_FLAGS,
  type AssistFormField,
  type AssistPaymentIssue,
  type AssistPaymentMethod,
  type AssistPaymentParams,
  type AssistPaymentRequest,
  type AssistReceipt,
  type AssistRecurringSetup,
  assistPaymentParamsSchema,
  buildAssistPayment,
} from './payment.js';
export { type AssistReturn, type AssistReturnOutcome, parseAssistReturn } from './return.js';
export {
  ASSIST_OPERATION_TYPES,
  ASSIST_ORDER_STATE_EVENTS,
  ASSIST_ORDER_STATES,
  type AssistOrderState,
  assistEventKind,
  assistStateRank,
  type GatewayEventKind,
  isAssistOrderState,
} from './states.js';
