import { shpRecords } from '../shp.js';
import { type CallbackInput, parseInvId, readCallbackFields } from './params.js';

/**
 * What the FailURL redirect suggests. FailURL carries no signature (protocol notes §2.3), so anyone can forge it,
 * and even a genuine one does not mean a final refusal (the buyer can go back and pay). Every field is a hint.
 */
export interface FailRedirectHint {
  readonly invId?: number | undefined;
  readonly outSum?: string | undefined;
  readonly culture?: string | undefined;
  readonly isTest?: boolean | undefined;
  readonly shp: Readonly<Record<string, string>>;
  readonly shpDecoded: Readonly<Record<string, string>>;
}

/**
 * Deliberately not shaped like a verified callback: there is no `ok: true` and the data sits under `hint`, so it
 * cannot be passed where proof of payment is expected. Ask OpStateExt (or wait for ResultURL) for the truth.
 */
export interface FailRedirect {
  readonly trusted: false;
  readonly hint: FailRedirectHint;
}

const EMPTY_HINT: FailRedirectHint = Object.freeze({ shp: Object.freeze({}), shpDecoded: Object.freeze({}) });

/** Reads a FailURL redirect. Never throws; unreadable input gives an empty hint. */
export function parseFailRedirect(input: CallbackInput): FailRedirect {
  const fields = readCallbackFields(input, ['outsum', 'invid', 'culture', 'istest']);
  if (typeof fields === 'string') return Object.freeze({ trusted: false as const, hint: EMPTY_HINT });
  const { values, shp } = fields;
  const invIdRaw = values.get('invid');
  const isTestRaw = values.get('istest');
  const hint: FailRedirectHint = Object.freeze({
    invId: invIdRaw === undefined ? undefined : parseInvId(invIdRaw),
    outSum: values.get('outsum') || undefined,
    culture: values.get('culture') || undefined,
    isTest: isTestRaw === undefined ? undefined : isTestRaw === '1',
    ...shpRecords(shp),
  });
  return Object.freeze({ trusted: false as const, hint });
}
