import type { RobokassaConfig } from '../config.js';
import { type CallbackInput, shpDecodedRecord, shpRecord } from './params.js';
import {
  type CallbackFailure,
  callbackAmount,
  checkSignedCallback,
  fieldSlot,
  optionalField,
  readSignedCallback,
  type SignedCallbackFields,
  signedCallbackSpec,
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
  const isTest = checkSignedCallback(config, read, 'password1', options);
  if (typeof isTest !== 'boolean') return isTest;
  const shp = shpRecord(read.fields.shp);
  const redirect: SuccessRedirect = {
    kind: 'success_url',
    outSum: read.outSum,
    amount: callbackAmount(config, read, options),
    invId: read.invId,
    isTest,
    shp,
    shpDecoded: shpDecodedRecord(read.fields.shp, shp),
    culture: optionalField(read.fields, CULTURE),
  };
  // Not frozen, like the ResultURL result: a fresh object nothing here reads again; the types are read-only.
  return { ok: true, redirect };
}
