/**
 * `@kassa/core/testing`: helpers for tests, the sandbox and local development. Not for production code paths.
 */
export type {
  ContractMatchers,
  ContractTestApi,
  PaymentLedgerContractSubject,
} from './ledger-contract.js';
export { runPaymentLedgerContract } from './ledger-contract.js';
export type {
  ResultUrl2PayloadOptions,
  SignCallbackOptions,
  SignedCallback,
  SignResultCallbackOptions,
  SignSuccessRedirectOptions,
} from './sign.js';
export {
  failRedirectParams,
  resultUrl2Payload,
  signResultCallback,
  signResultUrl2Jws,
  signSuccessRedirect,
} from './sign.js';
