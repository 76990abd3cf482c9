import { Secret } from '@kassa/core';
import {
  callbackSignature,
  callbackSignatureBases,
  createRobokassaConfig,
  HASH_ALGORITHMS,
  type HashAlgorithm,
  hashHex,
  hexLength,
  isHashAlgorithm,
  readCallbackSignature,
  signaturesEqual,
  verifyResultCallback,
  verifySuccessRedirect,
} from '@kassa/core/robokassa';
import { extractParams, flagOrEnv, parseFlags } from '../args.js';
import { type CliIo, EXIT, UsageError } from '../io.js';

export const CHECK_RESULT_HELP = `kassa robokassa check-result — does a ResultURL/SuccessURL callback verify?

  kassa robokassa check-result 'OutSum=100.000000&InvId=5&SignatureValue=…' --password2 PASS
  echo "$BODY" | kassa robokassa check-result --password2 PASS

  QUERY                   the query string, the POST body or the whole URL (else read from stdin)
  --password2 PASS        Password #2, for --kind result (or env KASSA_PASSWORD2)
  --password1 PASS        Password #1, for --kind success (or env KASSA_PASSWORD1); with --kind result it is
                          only used to tell whether the callback was signed with the wrong password
  --kind result|success   which callback (default result)
  --algorithm ALG         the cabinet's hash algorithm (default md5)
  --json                  print {valid, expected, received, base, reason}

Exit code: 0 valid, 1 invalid, 2 bad input.
`;

interface Report {
  valid: boolean;
  expected: string | null;
  received: string | null;
  base: string | null;
  reason: string;
}

export async function checkResultCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    password1: { type: 'string' },
    password2: { type: 'string' },
    kind: { type: 'string' },
    algorithm: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(CHECK_RESULT_HELP);
    return EXIT.ok;
  }
  const kind = values.kind ?? 'result';
  if (kind !== 'result' && kind !== 'success') throw new UsageError('--kind is result or success');
  const algorithm = values.algorithm ?? 'md5';
  if (!isHashAlgorithm(algorithm)) throw new UsageError(`--algorithm is one of ${HASH_ALGORITHMS.join(', ')}`);
  const password1 = flagOrEnv(values.password1, 'KASSA_PASSWORD1');
  const password2 = flagOrEnv(values.password2, 'KASSA_PASSWORD2');
  const signing = kind === 'result' ? password2 : password1;
  if (!signing)
    throw new UsageError(
      kind === 'result' ? 'missing --password2' : 'missing --password1 (SuccessURL is signed with Password #1)',
    );

  const raw = positionals.length > 0 ? positionals.join('&') : await io.readStdin();
  const params = extractParams(raw);
  if (params === '') throw new UsageError('no callback parameters given (argument or stdin)');

  // Only the password under test is configured (real pair, isTest false), so nothing else can make it verify.
  const config = createRobokassaConfig({ login: 'check-result', password1: signing, password2: signing, algorithm });
  const verification =
    kind === 'result'
      ? verifyResultCallback(config, params, { isTest: false })
      : verifySuccessRedirect(config, params, { isTest: false });
  if (!verification.ok && verification.reason === 'malformed') {
    print(
      io,
      { valid: false, expected: null, received: null, base: null, reason: verification.detail },
      values.json ?? false,
    );
    return EXIT.usage;
  }
  // Core reads the callback and builds the bases it checks; the one printed is one of them (the one that matched,
  // else ours), with the password replaced by a label.
  const cb = readCallbackSignature(params);
  if (!('signature' in cb)) throw new UsageError(cb.detail);
  const bases = callbackSignatureBases(cb, signing);
  const matched = bases.findIndex((b) => signaturesEqual(hashHex(algorithm, b), cb.signature));
  const shown = matched === -1 ? 0 : matched;
  const passwordLabel = kind === 'result' ? '<Password#2>' : '<Password#1>';
  const shp = cb.shp.map(({ name, value }) => [name, value] as const);
  const report: Report = {
    valid: verification.ok,
    expected: hashHex(algorithm, bases[shown] as string).toUpperCase(),
    received: cb.signature,
    base: callbackSignatureBases(cb, passwordLabel)[shown] as string,
    reason: verification.ok
      ? 'the signature matches'
      : likelyReason({
          kind,
          algorithm,
          outSum: cb.outSum,
          invId: cb.invId,
          shp,
          received: cb.signature,
          signing,
          other: kind === 'result' ? password1 : password2,
        }),
  };
  print(io, report, values.json ?? false);
  return verification.ok ? EXIT.ok : EXIT.invalid;
}

function print(io: CliIo, report: Report, json: boolean): void {
  if (json) {
    io.stdout(`${JSON.stringify(report)}\n`);
    return;
  }
  const lines = [report.valid ? 'valid' : 'invalid'];
  if (report.base !== null) lines.push(`  base:     ${report.base}`);
  if (report.expected !== null) lines.push(`  expected: ${report.expected}`);
  if (report.received !== null) lines.push(`  received: ${report.received}`);
  lines.push(`  reason:   ${report.reason}`);
  io.stdout(`${lines.join('\n')}\n`);
}

interface Diagnosis {
  kind: 'result' | 'success';
  algorithm: HashAlgorithm;
  outSum: string;
  invId: string;
  shp: ReadonlyArray<readonly [string, string]>;
  received: string;
  signing: string;
  other: string | undefined;
}

/**
 * Re-signs the callback under the usual mistakes (protocol notes §7) and names the first one that reproduces the
 * received signature. Every guess still needs the right password, so this reveals nothing an attacker could use.
 */
function likelyReason(d: Diagnosis): string {
  const sign = (o: Partial<{ algorithm: HashAlgorithm; outSum: string; shp: typeof d.shp; password: string }>) =>
    callbackSignature({
      algorithm: o.algorithm ?? d.algorithm,
      outSum: o.outSum ?? d.outSum,
      invId: d.invId,
      password: new Secret(o.password ?? d.signing),
      shp: o.shp ?? d.shp,
    });
  const matches = (hex: string) => signaturesEqual(hex, d.received);

  if (!/^[0-9a-f]+$/i.test(d.received)) return 'SignatureValue is not hexadecimal';
  for (const other of HASH_ALGORITHMS) {
    if (other !== d.algorithm && hexLength(other) === d.received.length && matches(sign({ algorithm: other }))) {
      return `signed with ${other}, not ${d.algorithm}: set the same hash algorithm in the cabinet and in the shop`;
    }
  }
  if (hexLength(d.algorithm) !== d.received.length) {
    const fits = HASH_ALGORITHMS.filter((a) => hexLength(a) === d.received.length);
    return `the signature has ${d.received.length} hex digits but ${d.algorithm} gives ${hexLength(d.algorithm)}${fits.length ? `: the signer probably used ${fits.join(' or ')}` : ''}`;
  }
  if (d.shp.length > 0 && matches(sign({ shp: [] }))) {
    return 'the Shp_ parameters were left out of the signature: they belong after the password, sorted by name';
  }
  const [whole, fraction = ''] = d.outSum.split('.');
  const variants = [
    whole,
    `${whole}.${fraction.slice(0, 2).padEnd(2, '0')}`,
    `${whole}.${fraction.padEnd(6, '0').slice(0, 6)}`,
  ];
  for (const variant of new Set(variants)) {
    if (variant !== d.outSum && variant !== undefined && matches(sign({ outSum: variant }))) {
      return `OutSum was reformatted: the signer used "${variant}" but the callback carries "${d.outSum}" (sign OutSum exactly as received)`;
    }
  }
  if (d.other && matches(sign({ password: d.other }))) {
    return d.kind === 'result'
      ? 'signed with Password #1: ResultURL is signed with Password #2'
      : 'signed with Password #2: SuccessURL is signed with Password #1';
  }
  return d.kind === 'result'
    ? 'wrong Password #2 (for IsTest=1 payments use the test Password #2), or a value changed in transit'
    : 'wrong Password #1 (for IsTest=1 payments use the test Password #1), or a value changed in transit';
}
