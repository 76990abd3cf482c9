import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { AssistMerchantInput } from './assist/config.js';
import { DEMO_ASSIST_MERCHANT } from './assist/demo.js';
import { type MerchantInput, type SandboxSettingsInput, sandboxSettingsSchema } from './config.js';
import { DEMO_MERCHANT, startDemoShop } from './demo.js';
import { type Sandbox, startSandbox } from './server.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Stops the server when aborted; without it the CLI stops on SIGINT/SIGTERM (Ctrl-C). */
  signal?: AbortSignal | undefined;
  /** Called once everything listens (tests use it to find the URLs). */
  onReady?: ((info: { sandbox: Sandbox; shopUrl?: string | undefined }) => void) | undefined;
}

const USAGE = `kassa-sandbox — a strict local Robokassa (and Assist)

Usage:
  kassa-sandbox [start] [options]     run the sandbox
  kassa-sandbox demo [options]        the sandbox + a demo merchant + a demo shop to pay in
  kassa-sandbox help

Options:
  --host HOST                 listen address (default 127.0.0.1)
  --port PORT                 port (default 8787 for demo, 0 = any free port otherwise)
  --config FILE               JSON file: { host, port, merchants: [...], persistPath, retryBackoffMs, ... }
  --persist FILE              keep the state in FILE (demo default: .kassa/sandbox-demo.json)
  --no-persist                demo: keep everything in memory
  --merchant LOGIN            add a merchant (passwords default to the demo ones)
  --password1 P --password2 P --password3 P --test-password1 P --test-password2 P
  --algorithm md5|ripemd160|sha1|sha256|sha384|sha512
  --result-url URL  --result-method GET|POST
  --success-url URL --success-method GET|POST
  --fail-url URL    --fail-method GET|POST
  --shop-name NAME  --commission PERCENT
  --retry-backoff MS[,MS…]    waits between ResultURL attempts (default 1000,2000,4000,8000)
  --callback-timeout MS       one ResultURL attempt's time limit (default 10000)
  --redirect-waits-for first-attempt|delivery|nothing
  --admin-token TOKEN         require Authorization: Bearer TOKEN on /sandbox/api
  --shop-port PORT            demo: the demo shop's port (default: sandbox port + 1)

Assist (a second gateway on the same host; see README "Assist"):
  --assist-merchant ID        add an Assist merchant (Merchant_ID; secrets default to the demo ones)
  --assist-secret WORD --assist-login LOGIN --assist-password P
  --assist-mode semicolon|concat            checkvalue delimiter mode (default semicolon)
  --assist-notify-url URL --assist-return-ok URL --assist-return-no URL
  --assist-retry-backoff MS[,MS…]|four-hours  waits between notification attempts
  --quiet                     no event log
`;

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  config: { type: 'string' },
  persist: { type: 'string' },
  'no-persist': { type: 'boolean' },
  merchant: { type: 'string' },
  password1: { type: 'string' },
  password2: { type: 'string' },
  password3: { type: 'string' },
  'test-password1': { type: 'string' },
  'test-password2': { type: 'string' },
  algorithm: { type: 'string' },
  'result-url': { type: 'string' },
  'result-method': { type: 'string' },
  'success-url': { type: 'string' },
  'success-method': { type: 'string' },
  'fail-url': { type: 'string' },
  'fail-method': { type: 'string' },
  'shop-name': { type: 'string' },
  commission: { type: 'string' },
  'retry-backoff': { type: 'string' },
  'callback-timeout': { type: 'string' },
  'redirect-waits-for': { type: 'string' },
  'admin-token': { type: 'string' },
  'shop-port': { type: 'string' },
  'assist-merchant': { type: 'string' },
  'assist-secret': { type: 'string' },
  'assist-login': { type: 'string' },
  'assist-password': { type: 'string' },
  'assist-mode': { type: 'string' },
  'assist-notify-url': { type: 'string' },
  'assist-return-ok': { type: 'string' },
  'assist-return-no': { type: 'string' },
  'assist-retry-backoff': { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

class UsageError extends Error {}

const int = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number`);
  return Number(value);
};

function merchantFromFlags(v: Values): MerchantInput | undefined {
  if (v.merchant === undefined) return undefined;
  const demoPasswords = v.password1 === undefined && v.password2 === undefined;
  const input: Record<string, unknown> = {
    login: v.merchant,
    shopName: v['shop-name'],
    algorithm: v.algorithm,
    password1: v.password1 ?? (demoPasswords ? DEMO_MERCHANT.password1 : undefined),
    password2: v.password2 ?? (demoPasswords ? DEMO_MERCHANT.password2 : undefined),
    password3: v.password3 ?? (demoPasswords ? DEMO_MERCHANT.password3 : undefined),
    testPassword1: v['test-password1'] ?? (demoPasswords ? DEMO_MERCHANT.testPassword1 : undefined),
    testPassword2: v['test-password2'] ?? (demoPasswords ? DEMO_MERCHANT.testPassword2 : undefined),
    resultUrl: v['result-url'],
    resultMethod: v['result-method'],
    successUrl: v['success-url'],
    successMethod: v['success-method'],
    failUrl: v['fail-url'],
    failMethod: v['fail-method'],
    commissionPercent: v.commission === undefined ? undefined : Number(v.commission),
  };
  for (const key of Object.keys(input)) if (input[key] === undefined) delete input[key];
  return input as MerchantInput;
}

function assistMerchantFromFlags(v: Values): AssistMerchantInput | undefined {
  if (v['assist-merchant'] === undefined) return undefined;
  const input: Record<string, unknown> = {
    merchantId: v['assist-merchant'],
    secretWord: v['assist-secret'] ?? DEMO_ASSIST_MERCHANT.secretWord,
    login: v['assist-login'] ?? DEMO_ASSIST_MERCHANT.login,
    password: v['assist-password'] ?? DEMO_ASSIST_MERCHANT.password,
    checkvalueMode: v['assist-mode'],
    notifyUrl: v['assist-notify-url'],
    returnUrlOk: v['assist-return-ok'],
    returnUrlNo: v['assist-return-no'],
  };
  for (const key of Object.keys(input)) if (input[key] === undefined) delete input[key];
  return input as AssistMerchantInput;
}

function assistBackoff(raw: string | undefined): number | number[] | 'four-hours' | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'four-hours') return raw;
  const list = raw.split(',').map((part) => int(part.trim(), 'assist-retry-backoff') ?? 0);
  return list.length === 1 ? list[0] : list;
}

function settingsFrom(v: Values, demo: boolean): SandboxSettingsInput {
  let settings: Record<string, unknown> = {};
  if (v.config !== undefined) {
    try {
      settings = JSON.parse(readFileSync(v.config, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new UsageError(
        `cannot read --config ${v.config}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  const merchant = merchantFromFlags(v);
  const merchants = [...((settings.merchants as unknown[] | undefined) ?? []), ...(merchant ? [merchant] : [])];
  const assistMerchant = assistMerchantFromFlags(v);
  const assistMerchants = [
    ...((settings.assistMerchants as unknown[] | undefined) ?? []),
    ...(assistMerchant ? [assistMerchant] : []),
  ];
  const backoff = v['retry-backoff']?.split(',').map((part) => int(part.trim(), 'retry-backoff') ?? 0);
  const next: Record<string, unknown> = {
    ...settings,
    merchants,
    host: v.host ?? settings.host,
    port: int(v.port, 'port') ?? settings.port ?? (demo ? 8787 : undefined),
    persistPath: v['no-persist']
      ? undefined
      : (v.persist ?? settings.persistPath ?? (demo ? '.kassa/sandbox-demo.json' : undefined)),
    retryBackoffMs: backoff === undefined ? settings.retryBackoffMs : backoff.length === 1 ? backoff[0] : backoff,
    callbackTimeoutMs: int(v['callback-timeout'], 'callback-timeout') ?? settings.callbackTimeoutMs,
    redirectWaitsFor: v['redirect-waits-for'] ?? settings.redirectWaitsFor,
    adminToken: v['admin-token'] ?? settings.adminToken,
    assistMerchants,
    assistRetryBackoffMs: assistBackoff(v['assist-retry-backoff']) ?? settings.assistRetryBackoffMs,
  };
  for (const key of Object.keys(next)) if (next[key] === undefined) delete next[key];
  const parsed = sandboxSettingsSchema.safeParse(next);
  if (!parsed.success) throw new UsageError(`invalid settings:\n${z.prettifyError(parsed.error)}`);
  return next as SandboxSettingsInput;
}

function describe(sandbox: Sandbox, shopUrl: string | undefined): string {
  const e = sandbox.endpoints;
  const row = (label: string, value: string) => `  ${label.padEnd(18)}${value}`;
  const lines = [
    '',
    `Kassa sandbox (a local Robokassa) is running at ${sandbox.url}`,
    '',
    'Point the shop at it: the same paths as auth.robokassa.ru, services.robokassa.ru and ws.roboxchange.com,',
    'all on this one host.',
    row('payment page', e.payment),
    row('XML interface', e.xml),
    row('hold confirm', e.holdConfirm),
    row('hold cancel', e.holdCancel),
    row('recurring', e.recurring),
    row('refund API', e.refundCreate),
    row('second receipt', e.fiscalAttach),
    row('ResultUrl2 cert', e.certificate),
    row('admin API', e.admin),
    row('dashboard', e.dashboard),
    '',
  ];
  for (const m of sandbox.admin.merchants()) {
    lines.push(
      `Merchant "${m.login}" (${m.shopName ?? 'no shop name'}), hash ${m.algorithm}, test passwords: ${m.testPassword1 ? 'yes' : 'no'}, passwords not printed`,
      row('ResultURL', m.resultUrl ? `${m.resultMethod} ${m.resultUrl}` : '(none: set resultUrl to get notifications)'),
      row('SuccessURL', m.successUrl ? `${m.successMethod} ${m.successUrl}` : '(none)'),
      row('FailURL', m.failUrl ? `${m.failMethod} ${m.failUrl}` : '(none)'),
      '',
    );
  }
  const a = e.assist;
  lines.push(
    'Assist: the same paths as payments.paysecure.ru / payments.demo.paysecure.ru, on this host too.',
    row('payment page', a.payment),
    row('orderstate', a.orderstate),
    row('orderresult', a.orderresult),
    row('charge', a.charge),
    row('cancel', `${a.cancel} (also ${a.wscancel})`),
    row('recurring', a.recurring),
    row('admin API', a.admin),
    '',
  );
  for (const m of sandbox.admin.assist.merchants()) {
    lines.push(
      `Assist merchant ${m.merchantId} (${m.name ?? 'no name'}), checkvalue ${m.checkvalueMode}, web-service login ${m.login}, secrets not printed`,
      row('notifications', m.notifyUrl ? `POST ${m.notifyUrl}` : '(none: set notifyUrl to get notifications)'),
      row('URL_RETURN_OK', m.returnUrlOk ?? m.returnUrl ?? '(none)'),
      row('URL_RETURN_NO', m.returnUrlNo ?? m.returnUrl ?? '(none)'),
      '',
    );
  }
  if (shopUrl) lines.push(`Demo shop: open ${shopUrl} and press "Pay" (Robokassa) or "через Assist".`, '');
  lines.push('Press Ctrl-C to stop.', '');
  return lines.join('\n');
}

function waitForStop(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    if (signal) signal.addEventListener('abort', done, { once: true });
    else {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    }
  });
}

/**
 * The `kassa-sandbox` command line, as a function so that `@kassa/cli` can offer `kassa sandbox …` by calling it.
 * Resolves with the exit code once the server has stopped (Ctrl-C, SIGTERM or `io.signal`).
 */
export async function runCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const out = io.stdout ?? ((text: string) => process.stdout.write(text));
  const err = io.stderr ?? ((text: string) => process.stderr.write(text));
  let values: Values;
  let command: string;
  try {
    const parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    values = parsed.values;
    command = parsed.positionals[0] ?? 'start';
    if (parsed.positionals.length > 1) throw new UsageError(`unexpected argument: ${parsed.positionals[1]}`);
  } catch (error) {
    err(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help || command === 'help') {
    out(USAGE);
    return 0;
  }
  if (command !== 'start' && command !== 'demo') {
    err(`unknown command: ${command}\n\n${USAGE}`);
    return 2;
  }
  const demo = command === 'demo';
  const log = values.quiet ? undefined : (line: string) => out(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

  let sandbox: Sandbox | undefined;
  let shop: Awaited<ReturnType<typeof startDemoShop>> | undefined;
  try {
    const settings = settingsFrom(values, demo);
    sandbox = await startSandbox({ ...settings, log });
    if (demo) {
      const shopPort = int(values['shop-port'], 'shop-port') ?? (sandbox.port === 0 ? 0 : sandbox.port + 1);
      shop = await startDemoShop({
        sandboxUrl: sandbox.url,
        merchant: { ...DEMO_MERCHANT },
        assist: { merchantId: DEMO_ASSIST_MERCHANT.merchantId, secretWord: DEMO_ASSIST_MERCHANT.secretWord },
        host: values.host ?? '127.0.0.1',
        port: shopPort,
        log,
      });
      sandbox.admin.upsertMerchant({
        ...DEMO_MERCHANT,
        resultUrl: shop.resultUrl,
        successUrl: shop.successUrl,
        failUrl: shop.failUrl,
      });
      sandbox.admin.assist.upsertMerchant({
        ...DEMO_ASSIST_MERCHANT,
        notifyUrl: shop.assistNotifyUrl,
        returnUrlOk: shop.assistReturnUrlOk,
        returnUrlNo: shop.assistReturnUrlNo,
      });
    }
    out(describe(sandbox, shop?.url));
    io.onReady?.({ sandbox, shopUrl: shop?.url });
    await waitForStop(io.signal);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      err(`${error.message}\n`);
      return 2;
    }
    const code = (error as { code?: unknown }).code;
    if (code === 'EADDRINUSE') err(`the port is taken: ${(error as Error).message}. Try --port 0 for any free port.\n`);
    else err(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await shop?.stop();
    await sandbox?.stop();
  }
}
