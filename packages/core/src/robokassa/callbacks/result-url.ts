import { type Money, parseGatewayMoney } from '../../money.js';
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
  type UnverifiedSignedCallback,
  type VerifyCallbackOptions,
} from './signed.js';

/**
 * A ResultURL notification whose signature (Password #2) has been verified: Robokassa says this invoice is paid.
 * It is still up to the shop to check the amount against its own record (the use case `handleResultUrl` does).
 */
export interface ResultCallback extends SignedCallbackFields {
  readonly kind: 'result_url';
  /** Robokassa's commission as received (the shop gets OutSum − Fee); unsigned, informational. */
  readonly fee?: string | undefined;
  /** `fee` as money when it parses as an amount (zero allowed). */
  readonly feeAmount?: Money | undefined;
  /** The buyer's e-mail (`EMail`, that spelling; absent in test mode). Personal data: do not log it. */
  readonly email?: string | undefined;
  /** E.g. `BankCard`. */
  readonly paymentMethod?: string | undefined;
  /** The method the buyer actually used, e.g. `BankCardPSR`. Not a Shp_ parameter. */
  readonly incCurrLabel?: string | undefined;
  /** `OutSumCurrency` if Robokassa ever echoes it (undocumented for callbacks); the handler checks it when present. */
  readonly outSumCurrency?: string | undefined;
}

export type ResultCallbackVerification = { readonly ok: true; readonly callback: ResultCallback } | CallbackFailure;

export const RESULT_URL_FIELDS = ['fee', 'email', 'paymentmethod', 'inccurrlabel', 'outsumcurrency'] as const;

const SPEC = signedCallbackSpec(RESULT_URL_FIELDS);
const NO_OPTIONS: VerifyCallbackOptions = Object.freeze({});
const FEE = fieldSlot(SPEC, 'fee');
const EMAIL = fieldSlot(SPEC, 'email');
const PAYMENT_METHOD = fieldSlot(SPEC, 'paymentmethod');
const INC_CURR_LABEL = fieldSlot(SPEC, 'inccurrlabel');
const OUT_SUM_CURRENCY = fieldSlot(SPEC, 'outsumcurrency');

/** Reads a ResultURL without verifying it (the handler needs the InvId to find the record first). Internal. */
export function readResultCallback(input: CallbackInput): UnverifiedSignedCallback | CallbackFailure {
  return readSignedCallback(input, SPEC);
}

/**
 * Verifies a ResultURL that `readResultCallback` has read. Internal.
 *
 * The result is not frozen: it is a fresh object per call, and nothing in this library reads it once the caller (or
 * `onPaid`) has it, so freezing would only cost time on every callback; its types are read-only.
 */
export function verifyReadResultCallback(
  config: RobokassaConfig,
  unverified: UnverifiedSignedCallback,
  options: VerifyCallbackOptions = NO_OPTIONS,
): ResultCallbackVerification {
  const isTest = checkSignedCallback(config, unverified, 'password2', options);
  if (typeof isTest !== 'boolean') return isTest;
  const fields = unverified.fields;
  const amount = callbackAmount(config, unverified, options);
  const fee = optionalField(fields, FEE);
  let feeAmount: Money | undefined;
  if (fee !== undefined) {
    try {
      feeAmount = parseGatewayMoney(fee, amount.currency, { allowZero: true });
    } catch {
      // Fee is not signed and only informs: an odd format must not lose a real payment.
      feeAmount = undefined;
    }
  }
  const shp = shpRecord(fields.shp);
  const callback: ResultCallback = {
    kind: 'result_url',
    outSum: unverified.outSum,
    amount,
    invId: unverified.invId,
    isTest,
    shp,
    shpDecoded: shpDecodedRecord(fields.shp, shp),
    fee,
    feeAmount,
    email: optionalField(fields, EMAIL),
    paymentMethod: optionalField(fields, PAYMENT_METHOD),
    incCurrLabel: optionalField(fields, INC_CURR_LABEL),
    outSumCurrency: optionalField(fields, OUT_SUM_CURRENCY),
  };
  return { ok: true, callback };
}

/**
 * Parses and verifies a ResultURL notification (protocol notes §2.1): `OutSum:InvId:Password#2[:Shp_…sorted]`,
 * OutSum signed exactly as received, SignatureValue in any hex case, compared in constant time. Never throws on bad
 * input: a malformed or forged callback is `{ ok: false, reason }`.
 *
 * Pass `{ isTest: record.isTest }` when you have the shop's record, so a test payment can never settle a real
 * invoice; see `VerifyCallbackOptions`.
 */
export function verifyResultCallback(
  config: RobokassaConfig,
  input: CallbackInput,
  options: VerifyCallbackOptions = NO_OPTIONS,
): ResultCallbackVerification {
  const read = readResultCallback(input);
  if (!read.ok) return read;
  return verifyReadResultCallback(config, read, options);
}
