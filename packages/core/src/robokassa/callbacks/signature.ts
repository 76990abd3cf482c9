import { type HashAlgorithm, hashHex, signaturesEqual } from '../../hash.js';
import type { Secret } from '../../secret.js';
import { otherShpOrderings, type ShpParam, sortShpCaseInsensitive } from './params.js';

export interface CallbackSignatureInput {
  algorithm: HashAlgorithm;
  /** Exactly as sent/received (`100.000000`): reformatting it breaks the signature (protocol notes §2.1). */
  outSum: string;
  /** Exactly as sent/received; an empty InvId keeps its slot (`10::password`). */
  invId: string;
  /** Password #2 for ResultURL, Password #1 for SuccessURL (or their test twins). */
  password: Secret;
  /** User parameters with the names and values Robokassa echoes; sorted here, by name ignoring case. */
  shp?: ReadonlyArray<readonly [string, string]> | Readonly<Record<string, string>>;
}

function shpPairs(shp: CallbackSignatureInput['shp']): ReadonlyArray<readonly [string, string]> {
  if (shp === undefined) return [];
  return Array.isArray(shp) ? (shp as ReadonlyArray<readonly [string, string]>) : Object.entries(shp);
}

function hashBase(
  algorithm: HashAlgorithm,
  outSum: string,
  invId: string,
  password: Secret,
  shp: ReadonlyArray<readonly [string, string]>,
): string {
  // OutSum:InvId:Password[:Shp_a=…:Shp_b=…] (DOC-pay, ResultURL/SuccessURL). The base holds the password, so it
  // lives only inside this function and is never returned, logged or put in an error.
  const parts = [outSum, invId, password.reveal(), ...shp.map(([name, value]) => `${name}=${value}`)];
  return hashHex(algorithm, parts.join(':'));
}

/**
 * The lower-case hex signature of a ResultURL/SuccessURL callback, `OutSum:InvId:Password[:Shp_…sorted]`. Robokassa
 * itself sends upper-case hex; compare with `signaturesEqual`, never with `===`.
 */
export function callbackSignature(input: CallbackSignatureInput): string {
  return hashBase(
    input.algorithm,
    input.outSum,
    input.invId,
    input.password,
    sortShpCaseInsensitive(shpPairs(input.shp)),
  );
}

const NO_SUFFIXES: readonly string[] = [];

/** `:name=value` for each parameter, in the given order: the part of the base after the password. */
function shpSuffix(order: readonly ShpParam[]): string {
  let suffix = '';
  for (const { name, value } of order) suffix += `:${name}=${value}`;
  return suffix;
}

/**
 * Index of the first password (in the given order) under which `received` is a valid signature for any Shp_ ordering
 * a real signer uses (`shp` in `sortShpParams` order, then `otherShpOrderings`), or -1. Every candidate is compared in
 * constant time.
 *
 * This is the verification hot path: the parts of the base that do not depend on the password or the ordering are
 * joined once, and the extra orderings exist only when they differ from the usual one (see `otherShpOrderings`).
 */
export function matchCallbackSignature(options: {
  algorithm: HashAlgorithm;
  outSum: string;
  invId: string;
  passwords: readonly Secret[];
  shp: readonly ShpParam[];
  received: string;
}): number {
  const { algorithm, passwords, received } = options;
  const head = `${options.outSum}:${options.invId}:`;
  const suffix = shpSuffix(options.shp);
  const others = otherShpOrderings(options.shp);
  const otherSuffixes = others.length === 0 ? NO_SUFFIXES : others.map(shpSuffix);
  for (let index = 0; index < passwords.length; index++) {
    // The base holds the password: it lives only in this loop and is never returned, logged or put in an error.
    const withPassword = head + (passwords[index] as Secret).reveal();
    let matched = signaturesEqual(hashHex(algorithm, withPassword + suffix), received);
    for (const other of otherSuffixes) {
      // No early exit inside one password: the time spent does not depend on which ordering matched.
      matched = signaturesEqual(hashHex(algorithm, withPassword + other), received) || matched;
    }
    if (matched) return index;
  }
  return -1;
}
