/**
 * Robokassa callbacks (protocol notes §2): ResultURL (Password #2), SuccessURL (Password #1), FailURL (unsigned,
 * never trusted) and ResultUrl2 (RS256 JWS). Parsing and verification only; the exactly-once use case on top of
 * them is `handleResultUrl` in `handler/result-url.ts`.
 */

export type { FailRedirect, FailRedirectHint } from './callbacks/fail-url.js';
export { parseFailRedirect } from './callbacks/fail-url.js';
export type { CallbackInput } from './callbacks/params.js';
export { MAX_CALLBACK_PARAMETERS } from './callbacks/params.js';
export type { ResultCallback, ResultCallbackVerification } from './callbacks/result-url.js';
export { verifyResultCallback } from './callbacks/result-url.js';
export type {
  ResultUrl2Failure,
  ResultUrl2FailureReason,
  ResultUrl2KeyInput,
  ResultUrl2Notification,
  ResultUrl2Payload,
  ResultUrl2Verification,
  VerifyResultUrl2Options,
} from './callbacks/result-url2.js';
export {
  DEFAULT_RESULT_URL2_FUTURE_SKEW_SECONDS,
  DEFAULT_RESULT_URL2_MAX_AGE_SECONDS,
  resultUrl2PayloadSchema,
  resultUrl2PublicKey,
  verifyResultUrl2,
} from './callbacks/result-url2.js';
export type { CallbackSignatureInput, CallbackSignedParts } from './callbacks/signature.js';
export { callbackSignature, callbackSignatureBases } from './callbacks/signature.js';
export type {
  CallbackFailure,
  CallbackFailureReason,
  SignedCallbackFields,
  VerifyCallbackOptions,
} from './callbacks/signed.js';
export { readCallbackSignature } from './callbacks/signed.js';
export type { SuccessRedirect, SuccessRedirectVerification } from './callbacks/success-url.js';
export { verifySuccessRedirect } from './callbacks/success-url.js';
