import type { KassaErrorCode } from '../../errors.js';
import { type CurrencyCode, type Money, parseGatewayMoney } from '../../money.js';
import type { Secret } from '../../secret.js';
import type { RobokassaConfig } from '../config.js';
import { type CallbackInput, parseInvId, readCallbackFields, shpViews } from './params.js';
import { matchCallbackSignature } from './signature.js';

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
  readonly outSum: string;
  readonly invIdRaw: string;
  readonly invId: number;
  readonly signature: string;
  /** `IsTest` as received: true for `1`, false for any other value, undefined when absent. */
  readonly isTestParam: boolean | undefined;
  readonly known: ReadonlyMap<string, string>;
  readonly shp: ReadonlyArray<readonly [string, string]>;
}

const SIGNATURE_FIELDS = ['outsum', 'invid', 'signaturevalue', 'istest'] as const;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Reads OutSum, InvId and SignatureValue (plus the extra fields named) without checking the signature. */
export function readSignedCallback(
  input: CallbackInput,
  extraFields: readonly string[],
): { ok: true; value: UnverifiedSignedCallback } | CallbackFailure {
  const fields = readCallbackFields(input, [...SIGNATURE_FIELDS, ...extraFields]);
  if (!fields.ok) return callbackFailure('malformed', fields.detail);
  const { known, shp } = fields.value;
  const invIdRaw = nonEmpty(known.get('invid'));
  if (invIdRaw === undefined) return callbackFailure('malformed', 'InvId is missing');
  const invId = parseInvId(invIdRaw);
  if (invId === undefined) return callbackFailure('malformed', 'InvId is not a positive integer');
  const outSum = nonEmpty(known.get('outsum'));
  if (outSum === undefined) return callbackFailure('malformed', 'OutSum is missing', invId);
  // Every currency Robokassa takes has two decimals, so the format check does not depend on the currency.
  try {
    parseGatewayMoney(outSum, 'RUB');
  } catch {
    return callbackFailure('malformed', 'OutSum is not a valid amount', invId);
  }
  const signature = nonEmpty(known.get('signaturevalue'));
  if (signature === undefined) return callbackFailure('malformed', 'SignatureValue is missing', invId);
  const isTestRaw = known.get('istest');
  const isTestParam = isTestRaw === undefined ? undefined : isTestRaw === '1';
  return { ok: true, value: { outSum, invIdRaw, invId, signature, isTestParam, known, shp } };
}

export type PasswordSlot = 'password1' | 'password2';

function candidatePasswords(
  config: RobokassaConfig,
  slot: PasswordSlot,
  isTest: boolean | undefined,
): { ok: true; candidates: Array<{ password: Secret; isTest: boolean }> } | { ok: false } {
  const real = slot === 'password1' ? config.password1 : config.password2;
  const test = slot === 'password1' ? config.testPassword1 : config.testPassword2;
  if (isTest === false) return { ok: true, candidates: [{ password: real, isTest: false }] };
  if (isTest === true) return test ? { ok: true, candidates: [{ password: test, isTest: true }] } : { ok: false };
  const candidates = [{ password: real, isTest: false }];
  if (test) candidates.push({ password: test, isTest: true });
  return { ok: true, candidates };
}

/** Checks the signature of a read callback; on success returns the common verified fields. */
export function verifySignedCallback(
  config: RobokassaConfig,
  unverified: UnverifiedSignedCallback,
  slot: PasswordSlot,
  options: VerifyCallbackOptions,
): { ok: true; value: SignedCallbackFields } | CallbackFailure {
  const wanted = options.isTest ?? unverified.isTestParam;
  const passwords = candidatePasswords(config, slot, wanted);
  if (!passwords.ok) {
    return callbackFailure(
      'test_passwords_missing',
      'a test payment needs the test passwords in the configuration',
      unverified.invId,
    );
  }
  const matched = matchCallbackSignature({
    algorithm: config.algorithm,
    outSum: unverified.outSum,
    invId: unverified.invIdRaw,
    passwords: passwords.candidates.map((c) => c.password),
    shp: unverified.shp,
    received: unverified.signature,
  });
  const candidate = passwords.candidates[matched];
  if (candidate === undefined) {
    return callbackFailure('signature_mismatch', 'SignatureValue does not match', unverified.invId);
  }
  const currency = options.currency ?? (config.country === 'KZ' ? 'KZT' : 'RUB');
  const amount = parseGatewayMoney(unverified.outSum, currency);
  return {
    ok: true,
    value: {
      outSum: unverified.outSum,
      amount,
      invId: unverified.invId,
      isTest: candidate.isTest,
      ...shpViews(unverified.shp),
    },
  };
}

export function optionalField(known: ReadonlyMap<string, string>, name: string): string | undefined {
  return nonEmpty(known.get(name));
}
