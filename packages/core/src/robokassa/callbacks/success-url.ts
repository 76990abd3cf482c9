import type { RobokassaConfig } from '../config.js';
import { shpRecords } from '../shp.js';
import type { CallbackInput } from './params.js';
import {
  type CallbackFailure,
  callbackAmount,
  checkSignedCallback,
  optionalField,
  readSignedCallback,
  type SignedCallbackFields,
  type VerifyCallbackOptions,
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
  const isTest = checkSignedCallback(config, read, 'password1', options);
  if (typeof isTest !== 'boolean') return isTest;
  const redirect: SuccessRedirect = {
    kind: 'success_url',
    outSum: read.outSum,
    amount: callbackAmount(config, read, options),
    invId: read.invId,
    isTest,
    ...shpRecords(read.fields.shp),
    culture: optionalField(read.fields, 'culture'),
  };
  return { ok: true, redirect };
}
