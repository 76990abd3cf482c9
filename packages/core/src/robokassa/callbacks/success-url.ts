import type { RobokassaConfig } from '../config.js';
import type { CallbackInput } from './params.js';
import {
  type CallbackFailure,
  fieldSlot,
  optionalField,
  readSignedCallback,
  type SignedCallbackFields,
  signedCallbackSpec,
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

const SPEC = signedCallbackSpec(['culture']);
const CULTURE = fieldSlot(SPEC, 'culture');

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
  const read = readSignedCallback(input, SPEC);
  if (!read.ok) return read;
  const verified = verifySignedCallback(config, read, 'password1', options);
  if (!verified.ok) return verified;
  const redirect: SuccessRedirect = {
    kind: 'success_url',
    outSum: verified.outSum,
    amount: verified.amount,
    invId: verified.invId,
    isTest: verified.isTest,
    shp: verified.shp,
    shpDecoded: verified.shpDecoded,
    culture: optionalField(read.fields, CULTURE),
  };
  // Not frozen, like the ResultURL result: a fresh object nothing here reads again; the types are read-only.
  return { ok: true, redirect };
}
