import type { KassaErrorCode } from '../../errors.js';
import { type CurrencyCode, type Money, parseGatewayMoney } from '../../money.js';
import type { Secret } from '../../secret.js';
import type { RobokassaConfig } from '../config.js';
import { type CallbackFields, type CallbackInput, parseInvId, readCallbackFields } from './params.js';
import { type CallbackSignedParts, matchCallbackSignature } from './signature.js';

/** Why a callback was not accepted. The union is closed: a caller can switch over it exhaustively. */
export type CallbackFailureReason = 'malformed' | 'signature_mismatch' | 'test_passwords_missing';

const FAILURE_CODES = {
  malformed: 'CALLBACK_MALFORMED',
  signature_mismatch: 'SIGNATURE_MISMATCH',
  test_passwords_missing: 'TEST_PASSWORDS_MISSING',
} as const satisfies Record<CallbackFailureReason, KassaErrorCode>;

export interface CallbackFailure {
  readonly ok: false;
  readonly reason: CallbackFailureReason;
  /** The stable `KassaError` code for this reason (documented in the README's error table). */
  readonly code: (typeof FAILURE_CODES)[CallbackFailureReason];
  /** A short explanation that is safe to log: it names fields, never values or secrets. */
  readonly detail: string;
  /** The InvId, when it could be read: handy for a log line, proves nothing. */
  readonly invId?: number | undefined;
}

export function callbackFailure(reason: CallbackFailureReason, detail: string, invId?: number): CallbackFailure {
  return Object.freeze({ ok: false as const, reason, code: FAILURE_CODES[reason], detail, invId });
}

/** Fields every signed callback (ResultURL, SuccessURL) carries once it has been verified. */
export interface SignedCallbackFields {
  /** `OutSum` exactly as received and signed, e.g. `100.000000`. */
  readonly outSum: string;
  /** `OutSum` as money, in the currency the verification was told (the record's; see the docs). */
  readonly amount: Money;
  readonly invId: number;
  /** Whether the test password verified the signature (a test payment: no money moved). */
  readonly isTest: boolean;
  /** Shp_ parameters with the names and values as received (as signed), sorted by name ignoring case. */
  readonly shp: Readonly<Record<string, string>>;
  /** The same parameters decoded once more (`abc+1` → `abc 1`): the values the shop put in before encoding. */
  readonly shpDecoded: Readonly<Record<string, string>>;
}

export interface VerifyCallbackOptions {
  /**
   * Which password pair signed the callback. Pass the shop record's `isTest` whenever you have it: a test payment
   * costs nothing, so it must never be able to settle a real invoice. When omitted, an `IsTest` parameter decides
   * (`1` → test pair, anything else → real pair); when that is absent too, the real pair is tried first and then the
   * test pair if configured, and `isTest` in the result says which one matched.
   */
  isTest?: boolean | undefined;
  /** The currency `amount` is expressed in. Default: KZT for a KZ shop, RUB otherwise. */
  currency?: CurrencyCode | undefined;
}

/** A signed callback that has been read but not yet verified. Internal: never proof of anything. */
export interface UnverifiedSignedCallback {
  /** Read successfully (the discriminant against `CallbackFailure`); says nothing about the signature. */
  readonly ok: true;
  readonly outSum: string;
  /** `outSum` read as roubles: every currency Robokassa takes has two decimals, so only `currency` may differ. */
  readonly amountRub: Money;
  readonly invIdRaw: string;
  readonly invId: number;
  readonly signature: string;
  /** `IsTest` as received: true for `1`, false for any other value, undefined when absent. */
  readonly isTestParam: boolean | undefined;
  /** Every field the callback kind knows, and the Shp_ parameters (see `readSignedCallback`). */
  readonly fields: CallbackFields;
}

/** The fields every signed callback has; a kind adds its own (`RESULT_URL_FIELDS`, `culture`). */
const SIGNATURE_FIELDS = ['outsum', 'invid', 'signaturevalue', 'istest'] as const;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Reads OutSum, InvId and SignatureValue (plus `extraFields`) without checking the signature. */
export function readSignedCallback(
  input: CallbackInput,
  extraFields: readonly string[] = [],
): UnverifiedSignedCallback | CallbackFailure {
  const fields = readCallbackFields(input, [...SIGNATURE_FIELDS, ...extraFields]);
  if (typeof fields === 'string') return callbackFailure('malformed', fields);
  const values = fields.values;
  const invIdRaw = nonEmpty(values.get('invid'));
  if (invIdRaw === undefined) return callbackFailure('malformed', 'InvId is missing');
  const invId = parseInvId(invIdRaw);
  if (invId === undefined) return callbackFailure('malformed', 'InvId is not a positive integer');
  const outSum = nonEmpty(values.get('outsum'));
  if (outSum === undefined) return callbackFailure('malformed', 'OutSum is missing', invId);
  // Every currency Robokassa takes has two decimals, so the format check does not depend on the currency.
  let amountRub: Money;
  try {
    amountRub = parseGatewayMoney(outSum, 'RUB');
  } catch {
    return callbackFailure('malformed', 'OutSum is not a valid amount', invId);
  }
  const signature = nonEmpty(values.get('signaturevalue'));
  if (signature === undefined) return callbackFailure('malformed', 'SignatureValue is missing', invId);
  const isTestRaw = values.get('istest');
  const isTestParam = isTestRaw === undefined ? undefined : isTestRaw === '1';
  return { ok: true, outSum, amountRub, invIdRaw, invId, signature, isTestParam, fields };
}

export type PasswordSlot = 'password1' | 'password2';

const NO_TEST_PASSWORD = 'no test password';

/**
 * The passwords that may have signed, in the order tried: the pair the caller or `IsTest` names, or the real one and
 * then the test one when nothing does. The real password, when tried, is always first.
 */
function candidatePasswords(
  config: RobokassaConfig,
  slot: PasswordSlot,
  isTest: boolean | undefined,
): Secret[] | typeof NO_TEST_PASSWORD {
  const real = slot === 'password1' ? config.password1 : config.password2;
  const test = slot === 'password1' ? config.testPassword1 : config.testPassword2;
  if (isTest === false) return [real];
  if (isTest === true) return test ? [test] : NO_TEST_PASSWORD;
  return test ? [real, test] : [real];
}

/** The parts of a read callback that are signed. */
export function signedParts(unverified: UnverifiedSignedCallback): CallbackSignedParts {
  return { outSum: unverified.outSum, invId: unverified.invIdRaw, shp: unverified.fields.shp };
}

/**
 * For tools that explain a signature (the CLI's check-result): the signed parts and the received signature of a
 * ResultURL/SuccessURL, read exactly as the verifier reads them. Pair with `callbackSignatureBases`.
 */
export function readCallbackSignature(
  input: CallbackInput,
): (CallbackSignedParts & { readonly signature: string }) | CallbackFailure {
  const read = readSignedCallback(input);
  return read.ok ? { ...signedParts(read), signature: read.signature } : read;
}

/**
 * Checks the signature of a read callback: `true` when the test password matched, `false` for the real one, or why
 * it was not accepted. The caller builds its result straight from `unverified` (`callbackAmount`, `shpRecords`).
 */
export function checkSignedCallback(
  config: RobokassaConfig,
  unverified: UnverifiedSignedCallback,
  slot: PasswordSlot,
  options: VerifyCallbackOptions,
): boolean | CallbackFailure {
  const wanted = options.isTest ?? unverified.isTestParam;
  const passwords = candidatePasswords(config, slot, wanted);
  if (passwords === NO_TEST_PASSWORD) {
    return callbackFailure(
      'test_passwords_missing',
      'a test payment needs the test passwords in the configuration',
      unverified.invId,
    );
  }
  const matched = matchCallbackSignature(config.algorithm, signedParts(unverified), passwords, unverified.signature);
  if (matched < 0) {
    return callbackFailure('signature_mismatch', 'SignatureValue does not match', unverified.invId);
  }
  // Only the test password itself can match at index 1, and only it at index 0 when the caller asked for test.
  return matched === 1 || wanted === true;
}

/** `OutSum` as money in the currency the caller names (default: KZT for a KZ shop, RUB otherwise). */
export function callbackAmount(
  config: RobokassaConfig,
  unverified: UnverifiedSignedCallback,
  options: VerifyCallbackOptions,
): Money {
  const currency = options.currency ?? (config.country === 'KZ' ? 'KZT' : 'RUB');
  // Parsed once while reading; only another currency (a caller's value, checked as before) needs a second look.
  return currency === 'RUB' ? unverified.amountRub : parseGatewayMoney(unverified.outSum, currency);
}

/** A field's value by lower-case name, with an empty value read as absent. */
export function optionalField(fields: CallbackFields, name: string): string | undefined {
  return nonEmpty(fields.values.get(name));
}
