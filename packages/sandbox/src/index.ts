/**
 * @kassa/sandbox — a strict, faithful local Robokassa for tests, demos and merchants' developers.
 * Start it with `startSandbox()`, or from a shell with `kassa-sandbox` / `kassa-sandbox demo`.
 */
export {
  type PayInput,
  type PaymentUrlInput,
  type PaymentUrlOutput,
  type PayOutcome,
  type RedirectView,
  SandboxAdmin,
  SandboxInputError,
} from './admin.js';
export {
  AssistAdmin,
  type AssistOrderUrlInput,
  type AssistOrderUrlOutput,
  type AssistPayInput,
  type AssistPayOutcome,
} from './assist/admin.js';
export type { AssistAction, AssistDelivery, AssistReturn } from './assist/bills.js';
export type {
  AssistMerchantConfig,
  AssistMerchantInput,
  AssistMerchantPatch,
  AssistMerchantView,
  AssistMethod,
} from './assist/config.js';
export { DEMO_ASSIST_MERCHANT } from './assist/demo.js';
export type { NotificationOutcome as AssistNotificationOutcome } from './assist/notify.js';
export type {
  AssistBill,
  AssistNotificationAttempt,
  AssistOperation,
  AssistOrderState,
} from './assist/store.js';
export { type CatalogEntry, defaultCatalog, type PaymentMethod, type PaymentMethodGroup } from './catalog.js';
export type {
  FaultConfig,
  HttpMethod,
  MerchantConfig,
  MerchantInput,
  MerchantPatch,
  MerchantView,
  SandboxSettings,
  SandboxSettingsInput,
} from './config.js';
export { DEMO_MERCHANT, type DemoShop, startDemoShop } from './demo.js';
export { ERROR_CODES, type ErrorCode } from './error-codes.js';
export { HASH_ALGORITHMS, type HashAlgorithm } from './hash.js';
export type { DeliveryOutcome } from './notifier.js';
export type { DeliverySummary, PayAction, WaitFor } from './payments.js';
export type { Redirect } from './redirect.js';
export { type CliIo, runCli } from './run-cli.js';
export {
  type AssistEndpoints,
  type Sandbox,
  type SandboxEndpoints,
  type SandboxOptions,
  startSandbox,
} from './server.js';
export type {
  Culture,
  Currency,
  EmailRecord,
  FiscalRecord,
  NotificationAttempt,
  Operation,
  OperationState,
  PaidWith,
  RefundRecord,
  SmsRecord,
} from './store.js';
export const VERSION = '0.1.0';
