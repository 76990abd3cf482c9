import { type Money, parseGatewayMoney } from '../../money.js';
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

const NO_OPTIONS: VerifyCallbackOptions = Object.freeze({});

/** Reads a ResultURL without verifying it (the handler needs the InvId to find the record first). Internal. */
export function readResultCallback(input: CallbackInput): UnverifiedSignedCallback | CallbackFailure {
  return readSignedCallback(input, RESULT_URL_FIELDS);
}

/** Verifies a ResultURL that `readResultCallback` has read. Internal. */
export function verifyReadResultCallback(
  config: RobokassaConfig,
  unverified: UnverifiedSignedCallback,
  options: VerifyCallbackOptions = NO_OPTIONS,
): ResultCallbackVerification {
  const isTest = checkSignedCallback(config, unverified, 'password2', options);
  if (typeof isTest !== 'boolean') return isTest;
  const fields = unverified.fields;
  const amount = callbackAmount(config, unverified, options);
  const fee = optionalField(fields, 'fee');
  let feeAmount: Money | undefined;
  if (fee !== undefined) {
    try {
      feeAmount = parseGatewayMoney(fee, amount.currency, { allowZero: true });
    } catch {
      // Fee is not signed and only informs: an odd format must not lose a real payment.
      feeAmount = undefined;
    }
  }
  const callback: ResultCallback = {
    kind: 'result_url',
    outSum: unverified.outSum,
    amount,
    invId: unverified.invId,
    isTest,
    ...shpRecords(fields.shp),
    fee,
    feeAmount,
    email: optionalField(fields, 'email'),
    paymentMethod: optionalField(fields, 'paymentmethod'),
    incCurrLabel: optionalField(fields, 'inccurrlabel'),
    outSumCurrency: optionalField(fields, 'outsumcurrency'),
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
