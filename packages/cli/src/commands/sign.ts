import { readFile } from 'node:fs/promises';
import { isKassaError } from '@kassa/core';
import { buildPaymentRequest, createRobokassaConfig, type PaymentParams } from '@kassa/core/robokassa';
import { flagOrEnv, parseFlags, parseShpFlags } from '../args.js';
import { type CliIo, EXIT, UsageError } from '../io.js';

export const SIGN_HELP = `kassa robokassa sign — build a signed Robokassa payment URL and form

  --login LOGIN           shop identifier (MerchantLogin)
  --password1 PASS        Password #1 (or env KASSA_PASSWORD1); with --test, the test Password #1
  --out-sum AMOUNT        e.g. 1500.00 (signed exactly as given)
  --inv-id N              invoice number, 1..2147483647
  --description TEXT      at most 100 characters
  --algorithm ALG         md5 (default), ripemd160, sha1, sha256, sha384, sha512
  --shp name=value        a user parameter (repeatable), sent as Shp_name
  --receipt FILE          a 54-FZ receipt as JSON
  --currency CUR          OutSumCurrency: USD, EUR or KZT
  --test                  IsTest=1
  --country RU|KZ         payment host (default RU)
  --culture ru|en  --email ADDR  --inc-curr-label LABEL  --step-by-step  --recurring
  --base-url URL          another Robokassa (e.g. the sandbox)
  --json                  print {url, fields, signature, base}
`;

export async function signCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, {
    login: { type: 'string' },
    password1: { type: 'string' },
    'out-sum': { type: 'string' },
    'inv-id': { type: 'string' },
    description: { type: 'string' },
    algorithm: { type: 'string' },
    shp: { type: 'string', multiple: true },
    receipt: { type: 'string' },
    currency: { type: 'string' },
    test: { type: 'boolean' },
    country: { type: 'string' },
    culture: { type: 'string' },
    email: { type: 'string' },
    'inc-curr-label': { type: 'string' },
    'step-by-step': { type: 'boolean' },
    recurring: { type: 'boolean' },
    'base-url': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(SIGN_HELP);
    return EXIT.ok;
  }
  const password1 = flagOrEnv(values.password1, 'KASSA_PASSWORD1');
  const missing = [
    ['--login', values.login],
    ['--password1', password1],
    ['--out-sum', values['out-sum']],
    ['--inv-id', values['inv-id']],
    ['--description', values.description],
  ].filter(([, v]) => v === undefined);
  if (missing.length > 0) throw new UsageError(`missing ${missing.map(([f]) => f).join(', ')}`);

  let receipt: unknown;
  if (values.receipt) {
    try {
      receipt = JSON.parse(await readFile(values.receipt, 'utf8'));
    } catch (error) {
      throw new UsageError(`--receipt ${values.receipt}: ${(error as Error).message}`);
    }
  }

  try {
    // Signing needs only Password #1; the config schema wants Password #2 too, so the same secret stands in for it.
    // It is never printed: every output masks the password.
    const config = createRobokassaConfig({
      login: values.login,
      password1: password1,
      password2: password1,
      ...(values.test ? { testMode: true, testPassword1: password1, testPassword2: password1 } : {}),
      ...(values.algorithm ? { algorithm: values.algorithm } : {}),
      ...(values.country ? { country: values.country } : {}),
      ...(values['base-url'] ? { baseUrl: values['base-url'] } : {}),
    });
    const params: PaymentParams = {
      outSum: values['out-sum'] as string,
      invId: values['inv-id'] as string,
      description: values.description as string,
      isTest: values.test ?? false,
      shp: parseShpFlags(values.shp),
      receipt: receipt as PaymentParams['receipt'],
      outSumCurrency: values.currency as PaymentParams['outSumCurrency'],
      culture: values.culture as PaymentParams['culture'],
      email: values.email,
      incCurrLabel: values['inc-curr-label'],
      stepByStep: values['step-by-step'],
      recurring: values.recurring,
    };
    const request = buildPaymentRequest(config, params);
    const fields = request.form.fields.map((f) => ({ name: f.name, value: f.value }));
    if (values.json) {
      io.stdout(
        `${JSON.stringify({ url: request.url, fields, signature: request.signature, base: request.signatureBase })}\n`,
      );
      return EXIT.ok;
    }
    const width = Math.max(...fields.map((f) => f.name.length));
    io.stdout(
      [
        'Payment URL (GET):',
        `  ${request.url}`,
        '',
        `Form (POST ${request.form.action}):`,
        ...fields.map((f) => `  ${f.name.padEnd(width)}  ${f.value}`),
        '',
        `Signature (${config.algorithm}): ${request.signature}`,
        `Signature base:  ${request.signatureBase}`,
        '',
      ].join('\n'),
    );
    return EXIT.ok;
  } catch (error) {
    if (isKassaError(error)) throw new UsageError(`${error.code}: ${error.message}`);
    throw error;
  }
}
