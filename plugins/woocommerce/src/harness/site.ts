/**
 * A real WordPress 6.5.5 + WooCommerce 9.4.3 on this machine, without the internet: WordPress from npm
 * (`@wp-playground/wordpress-builds@0.9.19`), WooCommerce from `obtainWooCommerce()`, PHP 8.2 and MariaDB from Debian
 * (scripts/system-deps.sh). Each site gets a temporary folder, its own database on the machine's MariaDB, PHP's
 * built-in server (with workers: WooCommerce calls itself) and a read_write REST key. Tests, the demo and CI use it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { obtainWooCommerce } from './locate.js';

const run = promisify(execFile);

export interface WooSiteOptions {
  /** High-performance order storage (custom order tables). */
  hpos: boolean;
  port?: number | undefined;
  /** The plugin zip to install and activate (what `kassa download woocommerce` writes). */
  pluginZip?: string | undefined;
  /** `woocommerce_kassa_settings` to store before the first request (bridge URL, shared secret, gateway…). */
  pluginSettings?: Record<string, string> | undefined;
  /** PHP built-in server workers. Default 4. */
  workers?: number | undefined;
  /** Keep the folder and the database after `stop()` (debugging). */
  keep?: boolean | undefined;
  mariadb?: { host?: string; port?: number; user?: string; password?: string } | undefined;
}

export interface WooSite {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly database: string;
  readonly hpos: boolean;
  readonly admin: { readonly user: string; readonly password: string };
  readonly rest: { readonly consumerKey: string; readonly consumerSecret: string };
  readonly productId: number;
  /** A page with the classic `[woocommerce_checkout]` shortcode (the shop's checkout page is the Checkout block). */
  readonly classicCheckoutUrl: string;
  /** Runs PHP inside WordPress (wp-load.php is loaded); returns what it printed. */
  php(code: string): Promise<string>;
  /** PHP notices, warnings and errors logged so far (WP_DEBUG is on, WP_DEBUG_LOG goes here). */
  debugLog(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * WordPress 6.5.5 as the Playground build ships it: `src/wordpress/wp-6.5.zip` holds the PHP (and a few scripts) and
 * `public/wp-6.5/` the static files the Playground serves from its own host (jQuery, `wp-includes/js/dist/*`, CSS,
 * images) — 1,832 files; `wordpress-remote-asset-paths` lists the 1,722 the zip left out. Both come from the same npm
 * tarball (its sha512 is checked by npm against package-lock.json), and together they are the complete WordPress that
 * a browser needs (the Checkout block renders from them).
 */
function wordpressBuild(): { zip: string; statics: string } {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('@wp-playground/wordpress-builds/package.json'));
  return { zip: join(root, 'src', 'wordpress', 'wp-6.5.zip'), statics: join(root, 'public', 'wp-6.5') };
}

/** Every path the zip left out must be in the static folder: a partial WordPress fails here, not in a browser. */
function copyStatics(statics: string, dir: string): void {
  const list = join(statics, 'wordpress-remote-asset-paths');
  if (!existsSync(list))
    throw new Error(`WordPress static files not found at ${statics} (@wp-playground/wordpress-builds@0.9.19)`);
  const missing = readFileSync(list, 'utf8')
    .split('\n')
    .filter((path) => path !== '' && !existsSync(join(statics, path)));
  if (missing.length > 0) throw new Error(`WordPress static files incomplete: ${missing.slice(0, 5).join(', ')}…`);
  cpSync(statics, dir, { recursive: true, filter: (src) => !src.endsWith('wordpress-remote-asset-paths') });
}

function phpString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const ROUTER = `<?php
// PHP's built-in server with pretty permalinks: real files are served, everything else goes to WordPress.
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path !== '/' && is_file(__DIR__ . $path) && !str_ends_with($path, '.php')) return false;
if (str_ends_with($path, '.php') && is_file(__DIR__ . $path)) { $_SERVER['SCRIPT_NAME'] = $path; require __DIR__ . $path; return; }
$_SERVER['SCRIPT_NAME'] = '/index.php';
require __DIR__ . '/index.php';
`;

const SETUP = `<?php
// Installs WordPress and WooCommerce into the database of wp-config.php; prints JSON facts for the harness.
define('WP_INSTALLING', true);
$_SERVER['HTTP_HOST'] = parse_url(getenv('KASSA_WP_HOME'), PHP_URL_HOST) . ':' . parse_url(getenv('KASSA_WP_HOME'), PHP_URL_PORT);
require __DIR__ . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
wp_install('Kassa Shop', getenv('KASSA_WP_ADMIN'), 'admin@example.com', true, '', getenv('KASSA_WP_PASSWORD'), 'ru_RU');
update_option('permalink_structure', '/%postname%/');
update_option('blog_public', '0');
$hpos = getenv('KASSA_HPOS') === '1';
// HPOS is chosen before any order exists: WooCommerce refuses to switch with orders out of sync.
update_option('woocommerce_custom_orders_table_enabled', 'no');
update_option('woocommerce_custom_orders_table_data_sync_enabled', 'no');
$result = activate_plugin('woocommerce/woocommerce.php');
if (is_wp_error($result)) { fwrite(STDERR, $result->get_error_message()); exit(1); }
WC_Install::install();
if ($hpos) {
  wc_get_container()->get(Automattic\\WooCommerce\\Internal\\DataStores\\Orders\\DataSynchronizer::class)->create_database_tables();
}
update_option('woocommerce_custom_orders_table_enabled', $hpos ? 'yes' : 'no');
foreach ([
  'woocommerce_currency' => 'RUB', 'woocommerce_default_country' => 'RU:MOW', 'woocommerce_calc_taxes' => 'no',
  'woocommerce_enable_guest_checkout' => 'yes', 'woocommerce_price_num_decimals' => '2',
  'woocommerce_onboarding_profile' => ['skipped' => true], 'woocommerce_task_list_hidden' => 'yes',
  'woocommerce_coming_soon' => 'no', 'woocommerce_store_pages_only' => 'no', 'woocommerce_allowed_countries' => 'all',
  'woocommerce_ship_to_countries' => 'disabled', 'woocommerce_hold_stock_minutes' => '',
] as $k => $v) update_option($k, $v);
$product = new WC_Product_Simple();
$product->set_name('Тестовый товар');
$product->set_regular_price('1500');
$product->set_virtual(false);
$product->set_status('publish');
$product->save();
$classic = wp_insert_post(['post_type' => 'page', 'post_status' => 'publish', 'post_title' => 'Classic checkout',
  'post_name' => 'classic-checkout', 'post_content' => '[woocommerce_checkout]']);
global $wpdb;
$ck = 'ck_' . bin2hex(random_bytes(20));
$cs = 'cs_' . bin2hex(random_bytes(20));
$wpdb->insert($wpdb->prefix . 'woocommerce_api_keys', ['user_id' => 1, 'description' => 'kassa bridge',
  'permissions' => 'read_write', 'consumer_key' => wc_api_hash($ck), 'consumer_secret' => $cs,
  'truncated_key' => substr($ck, -7)]);
$plugin = getenv('KASSA_PLUGIN');
if ($plugin) {
  $settings = json_decode(getenv('KASSA_PLUGIN_SETTINGS') ?: '{}', true);
  if ($settings) update_option('woocommerce_kassa_settings', $settings);
  $result = activate_plugin($plugin);
  if (is_wp_error($result)) { fwrite(STDERR, $result->get_error_message()); exit(1); }
}
flush_rewrite_rules(true);
@unlink(__DIR__ . '/debug.log'); // what the install logged is WordPress's business; the tests read what follows
echo json_encode(['productId' => $product->get_id(), 'consumerKey' => $ck, 'consumerSecret' => $cs,
  'classicCheckout' => get_permalink($classic), 'hpos' => Automattic\\WooCommerce\\Utilities\\OrderUtil::custom_orders_table_usage_is_enabled()]);
`;

function wpConfig(input: { db: string; host: string; user: string; password: string; home: string }): string {
  const salt = () => phpString(randomBytes(24).toString('base64'));
  const keys = ['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT'];
  return `<?php
define('DB_NAME', ${phpString(input.db)});
define('DB_USER', ${phpString(input.user)});
define('DB_PASSWORD', ${phpString(input.password)});
define('DB_HOST', ${phpString(input.host)});
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
${keys.map((k) => `define('${k}', ${salt()});`).join('\n')}
define('LOGGED_IN_SALT', ${salt()});
define('NONCE_SALT', ${salt()});
$table_prefix = 'wp_';
define('WP_HOME', ${phpString(input.home)});
define('WP_SITEURL', ${phpString(input.home)});
define('WP_DEBUG', true);
define('WP_DEBUG_LOG', __DIR__ . '/debug.log');
define('WP_DEBUG_DISPLAY', false);
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('FS_METHOD', 'direct');
define('WP_ENVIRONMENT_TYPE', 'local');
if (!defined('ABSPATH')) define('ABSPATH', __DIR__ . '/');
require_once ABSPATH . 'wp-settings.php';
`;
}

async function mysql(sql: string, db: { host: string; port: number; user: string; password: string }): Promise<void> {
  const code = `$m = new mysqli(${phpString(db.host)}, ${phpString(db.user)}, ${phpString(db.password)}, '', ${db.port}); if ($m->connect_errno) { fwrite(STDERR, $m->connect_error); exit(1); } if (!$m->query(${phpString(sql)})) { fwrite(STDERR, $m->error); exit(1); }`;
  await run('php', ['-r', code]);
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`php -S exited with ${child.exitCode}`);
    try {
      const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
      await response.arrayBuffer();
      if (response.status < 500) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`WordPress did not answer on ${url} within ${timeoutMs} ms`);
}

/** Checks PHP and MariaDB are there; throws a sentence saying what to install. */
export async function checkSystem(): Promise<void> {
  try {
    await run('php', ['-r', 'if (!extension_loaded("mysqli") || !class_exists("ZipArchive")) exit(3);']);
  } catch (error) {
    throw new Error(
      'PHP 8.2 with mysqli and zip is needed for the real WooCommerce (bash scripts/system-deps.sh installs it)',
      { cause: error },
    );
  }
}

export async function startWooCommerce(options: WooSiteOptions): Promise<WooSite> {
  await checkSystem();
  const plugin = await obtainWooCommerce();
  const db = {
    host: options.mariadb?.host ?? process.env.KASSA_MARIADB_HOST ?? '127.0.0.1',
    port: options.mariadb?.port ?? Number(process.env.KASSA_MARIADB_PORT ?? 3306),
    user: options.mariadb?.user ?? process.env.KASSA_MARIADB_USER ?? 'root',
    password: options.mariadb?.password ?? process.env.KASSA_MARIADB_PASSWORD ?? '',
  };
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'kassa-wc-'));
  const database = `w_wc_${randomBytes(5).toString('hex')}`;
  const admin = { user: 'admin', password: `pw-${randomBytes(6).toString('hex')}` };

  const wordpress = wordpressBuild();
  await run('unzip', ['-q', '-o', wordpress.zip, '-d', dir]);
  copyStatics(wordpress.statics, dir);
  // The Playground build's SQLite drop-in and config are replaced by a MariaDB install.
  rmSync(join(dir, 'wp-content', 'db.php'), { force: true });
  rmSync(join(dir, 'wp-content', 'database'), { recursive: true, force: true });
  rmSync(join(dir, 'wp-content', 'mu-plugins'), { recursive: true, force: true });
  rmSync(join(dir, 'wp-content', 'plugins', 'sqlite-database-integration'), { recursive: true, force: true });
  cpSync(plugin, join(dir, 'wp-content', 'plugins', 'woocommerce'), { recursive: true });
  let pluginFile: string | undefined;
  if (options.pluginZip) {
    await run('unzip', ['-q', '-o', options.pluginZip, '-d', join(dir, 'wp-content', 'plugins')]);
    pluginFile = 'kassa-woocommerce/kassa-woocommerce.php';
  }
  writeFileSync(
    join(dir, 'wp-config.php'),
    wpConfig({ db: database, host: `${db.host}:${db.port}`, user: db.user, password: db.password, home: url }),
  );
  writeFileSync(join(dir, 'kassa-router.php'), ROUTER);
  writeFileSync(join(dir, 'kassa-setup.php'), SETUP);
  mkdirSync(join(dir, 'wp-content', 'uploads'), { recursive: true });
  await mysql(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`, db);

  const cleanup = async () => {
    if (options.keep) return;
    await mysql(`DROP DATABASE IF EXISTS \`${database}\``, db).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };

  let facts: { productId: number; consumerKey: string; consumerSecret: string; classicCheckout: string };
  try {
    const { stdout } = await run('php', ['-d', 'memory_limit=512M', join(dir, 'kassa-setup.php')], {
      cwd: dir,
      env: {
        ...process.env,
        KASSA_WP_HOME: url,
        KASSA_WP_ADMIN: admin.user,
        KASSA_WP_PASSWORD: admin.password,
        KASSA_HPOS: options.hpos ? '1' : '0',
        KASSA_PLUGIN: pluginFile ?? '',
        KASSA_PLUGIN_SETTINGS: JSON.stringify(options.pluginSettings ?? {}),
      },
      maxBuffer: 16 * 1024 * 1024,
    });
    const json = stdout.slice(stdout.lastIndexOf('{"productId"'));
    facts = JSON.parse(json);
  } catch (error) {
    await cleanup();
    throw error;
  }

  const child = spawn('php', ['-d', 'memory_limit=512M', '-S', `127.0.0.1:${port}`, '-t', dir, 'kassa-router.php'], {
    cwd: dir,
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, PHP_CLI_SERVER_WORKERS: String(options.workers ?? 4) },
  });
  const stopServer = async () => {
    if (child.pid === undefined || child.exitCode !== null) return;
    // The workers outlive the master: the whole process group goes.
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // gone already
    }
    await new Promise((r) => setTimeout(r, 50));
  };
  try {
    await waitForHttp(`${url}/wp-json/`, child, 30_000);
  } catch (error) {
    await stopServer();
    await cleanup();
    throw error;
  }

  return {
    url,
    port,
    dir,
    database,
    hpos: options.hpos,
    admin,
    rest: { consumerKey: facts.consumerKey, consumerSecret: facts.consumerSecret },
    productId: facts.productId,
    classicCheckoutUrl: facts.classicCheckout,
    async php(code: string) {
      const file = join(dir, `kassa-eval-${randomBytes(4).toString('hex')}.php`);
      writeFileSync(
        file,
        `<?php\n$_SERVER['HTTP_HOST'] = '127.0.0.1:${port}';\nrequire __DIR__ . '/wp-load.php';\n${code}\n`,
      );
      try {
        const { stdout } = await run('php', [file], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
        return stdout;
      } finally {
        rmSync(file, { force: true });
      }
    },
    debugLog() {
      const file = join(dir, 'debug.log');
      return existsSync(file) ? readFileSync(file, 'utf8') : '';
    },
    async stop() {
      await stopServer();
      await cleanup();
    },
  };
}
