import type { RobokassaConfig } from '../config.js';
import type { CallbackInput } from './params.js';
import {
  type CallbackFailure,
  optionalField,
  readSignedCallback,
  type SignedCallbackFields,
  type VerifyCallbackOptions,
  verifySignedCallback,
} from './signed.js';

/**
 * The buyer's browser came back through SuccessURL with a valid Password #1 signature. The docs call this redirect
 * «формальность»: it is carried by the browser, can arrive before or without ResultURL, and must not fulfil an
 * order. Use it to show a "thank you, we are confirming your payment" page; fulfil on ResultURL.
 */
export interface SuccessRedirect extends SignedCallbackFields {
  readonly kind: 'success_url';
  /** `ru` / `en` as Robokassa sends it. */
  readonly culture?: string | undefined;
}

export type SuccessRedirectVerification = { readonly ok: true; readonly redirect: SuccessRedirect } | CallbackFailure;

/**
 * Parses and verifies a SuccessURL redirect (protocol notes §2.3): `OutSum:InvId:Password#1[:Shp_…sorted]`, with the
 * test Password #1 when `IsTest=1` (or when `options.isTest` says so). Never throws on bad input.
 */
export function verifySuccessRedirect(
  config: RobokassaConfig,
  input: CallbackInput,
  options: VerifyCallbackOptions = {},
): SuccessRedirectVerification {
  const read = readSignedCallback(input, ['culture']);
  if (!read.ok) return read;
  const verified = verifySignedCallback(config, read.value, 'password1', options);
  if (!verified.ok) return verified;
  const redirect: SuccessRedirect = Object.freeze({
    kind: 'success_url' as const,
    ...verified.value,
    culture: optionalField(read.value.known, 'culture'),
  });
  return Object.freeze({ ok: true as const, redirect });
}
