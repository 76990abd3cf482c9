import { type HashAlgorithm, hashHex, signaturesEqual } from '../../hash.js';
import type { Secret } from '../../secret.js';
import { joinShp, type ShpEntry, shpOrderings, sortShp } from '../shp.js';

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

/** The signed parts of a ResultURL/SuccessURL, as received. */
export interface CallbackSignedParts {
  readonly outSum: string;
  readonly invId: string;
  /** Received user parameters, in any order. */
  readonly shp: readonly ShpEntry[];
}

/**
 * `OutSum:InvId:Password[:Shp_a=…:Shp_b=…]` (DOC-pay, ResultURL/SuccessURL) for every Shp_ order a real signer uses
 * (`shpOrderings`, ours first): the bases the verifier checks, in that order. `password` is the password itself
 * when verifying, or a label such as `<Password#2>` for a base that is printed.
 */
export function callbackSignatureBases(parts: CallbackSignedParts, password: string): string[] {
  const head = `${parts.outSum}:${parts.invId}:${password}`;
  return shpOrderings(parts.shp).map((order) => head + joinShp(order));
}

/**
 * The lower-case hex signature of a ResultURL/SuccessURL callback, `OutSum:InvId:Password[:Shp_…sorted]`. Robokassa
 * itself sends upper-case hex; compare with `signaturesEqual`, never with `===`.
 */
export function callbackSignature(input: CallbackSignatureInput): string {
  const pairs = input.shp === undefined ? [] : Array.isArray(input.shp) ? input.shp : Object.entries(input.shp);
  const shp = sortShp(pairs.map(([name, value]): ShpEntry => ({ name, value })));
  // The base holds the password: it lives only here and is never returned, logged or put in an error.
  return hashHex(input.algorithm, `${input.outSum}:${input.invId}:${input.password.reveal()}${joinShp(shp)}`);
}

/**
 * Index of the first password (in the given order) under which `received` is a valid signature for any Shp_ ordering
 * a real signer uses (`callbackSignatureBases`), or -1. Every candidate is compared in constant time.
 */
export function matchCallbackSignature(
  algorithm: HashAlgorithm,
  parts: CallbackSignedParts,
  passwords: readonly Secret[],
  received: string,
): number {
  return passwords.findIndex((password) =>
    // Every ordering is checked (no early exit within one password): the time spent does not depend on which matched.
    callbackSignatureBases(parts, password.reveal())
      .map((base) => signaturesEqual(hashHex(algorithm, base), received))
      .includes(true),
  );
}
