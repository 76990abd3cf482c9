/**
 * Where the real WooCommerce comes from (issue #12): neither npm nor Debian ships it, and nothing of it is ever
 * committed. Looked up, in order: the path in `KASSA_WOOCOMMERCE` (a release tarball, a zip or an unpacked plugin
 * folder), `shared/woocommerce/woocommerce-9.4.3.tar.gz` beside the repository (every ancestor folder of the working
 * directory and of this module is tried, so `../shared` beside a clone is found, and so is `/work/shared`), then a
 * download of the same release from wordpress.org. The tarball is checked against its sha256 every time; a download
 * (a zip, whose bytes we never saw) is checked file by file against the tree hash of that tarball.
 */

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WOOCOMMERCE_VERSION = '9.4.3';
export const WOOCOMMERCE_TARBALL = `woocommerce-${WOOCOMMERCE_VERSION}.tar.gz`;
/** sha256 of `shared/woocommerce/woocommerce-9.4.3.tar.gz` (its README says the same). */
export const WOOCOMMERCE_TARBALL_SHA256 = 'cf1455b869ce2f1d08e99b0ae5ecec615607f855d01157dace754ba28f58a82a';
/** `treeHash` of the plugin folder inside that tarball: what a downloaded zip must unpack to. */
export const WOOCOMMERCE_TREE_SHA256 = 'd11756c32301bdc8856123879ab758b176c2e7e70220d1261c9fc22be049e7e4';
export const WOOCOMMERCE_DOWNLOAD_URL = `https://downloads.wordpress.org/plugin/woocommerce.${WOOCOMMERCE_VERSION}.zip`;
export const WOOCOMMERCE_ENV = 'KASSA_WOOCOMMERCE';

export class WooCommerceNotFoundError extends Error {
  readonly lookedAt: readonly string[];
  constructor(lookedAt: readonly string[], cause?: unknown) {
    super(
      `WooCommerce ${WOOCOMMERCE_VERSION} was not found. Looked for: ${lookedAt.join('; ')}. ` +
        `Put the release tarball (sha256 ${WOOCOMMERCE_TARBALL_SHA256}) at one of those paths or set ` +
        `${WOOCOMMERCE_ENV}=/path/to/${WOOCOMMERCE_TARBALL} (or an unpacked woocommerce/ folder).`,
      cause === undefined ? undefined : { cause },
    );
    this.name = 'WooCommerceNotFoundError';
    this.lookedAt = lookedAt;
  }
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** sha256 over the sorted `path NUL sha256(content) LF` lines of every file under `dir`. */
export function treeHash(dir: string): string {
  const lines: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) lines.push(`${relative(dir, full)}\0${sha256File(full)}\n`);
    }
  };
  walk(dir);
  lines.sort();
  return createHash('sha256').update(lines.join('')).digest('hex');
}

function ancestors(start: string): string[] {
  const out: string[] = [];
  let current = resolve(start);
  for (;;) {
    out.push(current);
    const parent = dirname(current);
    if (parent === current) return out;
    current = parent;
  }
}

/** Every place a tarball is looked for, in order (without the environment variable). */
export function tarballCandidates(cwd = process.cwd()): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const seen = new Set<string>();
  for (const base of [...ancestors(cwd), ...ancestors(here)]) {
    seen.add(join(base, 'shared', 'woocommerce', WOOCOMMERCE_TARBALL));
  }
  seen.add(join('/work/shared/woocommerce', WOOCOMMERCE_TARBALL));
  return [...seen];
}

export type WooCommerceSource =
  | { kind: 'tarball'; path: string }
  | { kind: 'zip'; path: string }
  | { kind: 'dir'; path: string };

/** Finds WooCommerce on this machine without the network; `undefined` with the list of places tried. */
export function locateWooCommerce(env: NodeJS.ProcessEnv = process.env): {
  source: WooCommerceSource | undefined;
  lookedAt: string[];
} {
  const lookedAt: string[] = [];
  const given = env[WOOCOMMERCE_ENV];
  if (given) {
    lookedAt.push(`$${WOOCOMMERCE_ENV}=${given}`);
    if (existsSync(given)) {
      if (statSync(given).isDirectory()) return { source: { kind: 'dir', path: resolve(given) }, lookedAt };
      return { source: { kind: given.endsWith('.zip') ? 'zip' : 'tarball', path: resolve(given) }, lookedAt };
    }
    throw new WooCommerceNotFoundError(lookedAt);
  }
  for (const candidate of tarballCandidates()) {
    lookedAt.push(candidate);
    if (existsSync(candidate)) return { source: { kind: 'tarball', path: candidate }, lookedAt };
  }
  return { source: undefined, lookedAt };
}

function cacheRoot(): string {
  const root = process.env.KASSA_CACHE_DIR ?? join(homedir() || tmpdir(), '.cache', 'kassa');
  mkdirSync(root, { recursive: true });
  return root;
}

/** Unpacks a source once into the cache; returns the `woocommerce/` plugin folder. Checks the checksum every time. */
function unpack(source: WooCommerceSource): string {
  if (source.kind === 'dir') {
    if (!existsSync(join(source.path, 'woocommerce.php'))) {
      throw new Error(`${source.path} is not a WooCommerce plugin folder (no woocommerce.php)`);
    }
    return source.path;
  }
  const digest = sha256File(source.path);
  if (source.kind === 'tarball' && digest !== WOOCOMMERCE_TARBALL_SHA256) {
    throw new Error(
      `${source.path}: sha256 ${digest} is not WooCommerce ${WOOCOMMERCE_VERSION}'s ${WOOCOMMERCE_TARBALL_SHA256}`,
    );
  }
  const target = join(cacheRoot(), `woocommerce-${digest.slice(0, 16)}`);
  const plugin = join(target, 'woocommerce');
  if (existsSync(join(plugin, 'woocommerce.php'))) return plugin;
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  if (source.kind === 'tarball') execFileSync('tar', ['xzf', source.path, '-C', partial]);
  else execFileSync('unzip', ['-q', source.path, '-d', partial]);
  if (source.kind === 'zip') {
    const hash = treeHash(join(partial, 'woocommerce'));
    if (hash !== WOOCOMMERCE_TREE_SHA256) {
      rmSync(partial, { recursive: true, force: true });
      throw new Error(`${source.path} does not unpack to WooCommerce ${WOOCOMMERCE_VERSION} (tree hash ${hash})`);
    }
  }
  try {
    renameSync(partial, target);
  } catch {
    // Another process unpacked it first.
    rmSync(partial, { recursive: true, force: true });
  }
  return plugin;
}

/**
 * The WooCommerce plugin folder, ready to copy into `wp-content/plugins/`. Throws `WooCommerceNotFoundError` naming
 * every place it looked when nothing is found and the download fails (these machines have no internet).
 */
export async function obtainWooCommerce(): Promise<string> {
  const { source, lookedAt } = locateWooCommerce();
  if (source) return unpack(source);
  const zip = join(cacheRoot(), `woocommerce.${WOOCOMMERCE_VERSION}.zip`);
  lookedAt.push(zip);
  if (!existsSync(zip)) {
    lookedAt.push(WOOCOMMERCE_DOWNLOAD_URL);
    try {
      const response = await fetch(WOOCOMMERCE_DOWNLOAD_URL, { signal: AbortSignal.timeout(120_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      writeFileSync(`${zip}.partial`, Buffer.from(await response.arrayBuffer()));
      renameSync(`${zip}.partial`, zip);
    } catch (error) {
      throw new WooCommerceNotFoundError(lookedAt, error);
    }
  }
  return unpack({ kind: 'zip', path: zip });
}
