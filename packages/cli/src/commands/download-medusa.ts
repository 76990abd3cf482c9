import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { parseFlags } from '../args.js';
import { type CliIo, EXIT, UsageError } from '../io.js';

export const DOWNLOAD_MEDUSA_HELP = `kassa download medusa --out DIR — the Medusa plugin as installable packages

  writes DIR/kassa-core-<version>.tgz and DIR/kassa-medusa-<version>.tgz (npm pack of the built packages)
  and prints the one line that installs both into your Medusa app:
    npm install DIR/kassa-core-<version>.tgz DIR/kassa-medusa-<version>.tgz
  (the plugin pins @kassa/core exactly, so the two go in together)
`;

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
}

/** What must exist in a package before it is worth packing (the published files are the build output). */
const BUILT: Record<string, string> = {
  '@kassa/medusa': '.medusa/server/src/providers/robokassa/index.js',
  '@kassa/core': 'dist/index.js',
};

const require = createRequire(import.meta.url);

/** The package's folder when it is installed beside this CLI (or a workspace of this repo); else undefined. */
function localPackage(name: string): { dir: string; pkg: PackageJson } | undefined {
  try {
    const dir = dirname(require.resolve(`${name}/package.json`));
    return { dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson };
  } catch {
    return undefined;
  }
}

/** `npm pack` into `out`; returns the tarball's file name. `source` is a folder or a registry spec. */
function npmPack(source: string, cwd: string, out: string): string {
  let text: string;
  try {
    text = execFileSync(
      'npm',
      ['pack', source, '--pack-destination', out, '--json', '--ignore-scripts', '--loglevel=error'],
      { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new UsageError(
      `npm pack ${source} failed${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : ''}`,
    );
  }
  const parsed = JSON.parse(text) as Array<{ filename: string }>;
  const file = parsed[0]?.filename;
  if (!file) throw new UsageError(`npm pack ${source} wrote nothing`);
  // npm names scoped tarballs `kassa-core-0.1.0.tgz`; older npms prefix the scope with `@`: keep what it wrote.
  return file.replace(/^@/, '').replace('/', '-');
}

/**
 * One package: packed from its built folder when it is here (this repo, or installed beside the CLI) at the wanted
 * version, else fetched from the registry by exact version.
 */
function packOne(name: string, version: string | undefined, out: string): { file: string; pkg?: PackageJson } {
  const local = localPackage(name);
  if (local && (version === undefined || local.pkg.version === version)) {
    if (!existsSync(join(local.dir, BUILT[name] ?? 'package.json'))) {
      throw new UsageError(`${name} in ${local.dir} is not built: run \`npm run build\` at the repo root first`);
    }
    return { file: npmPack(local.dir, out, out), pkg: local.pkg };
  }
  const spec = `${name}@${version ?? 'latest'}`;
  return { file: npmPack(spec, out, out) };
}

export async function downloadMedusaCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, { out: { type: 'string' }, help: { type: 'boolean' } });
  if (values.help) {
    io.stdout(DOWNLOAD_MEDUSA_HELP);
    return EXIT.ok;
  }
  if (typeof values.out !== 'string' || values.out === '') throw new UsageError('--out DIR is required');
  const out = resolve(values.out);
  mkdirSync(out, { recursive: true });
  const medusa = packOne('@kassa/medusa', undefined, out);
  const medusaPkg =
    medusa.pkg ??
    (JSON.parse(
      execFileSync('tar', ['-xzOf', join(out, medusa.file), 'package/package.json'], { encoding: 'utf8' }),
    ) as PackageJson);
  // The plugin pins @kassa/core exactly: pack that very version beside it.
  const core = packOne('@kassa/core', medusaPkg.dependencies?.['@kassa/core'], out);
  const files = [core.file, medusa.file].map((f) => join(out, f));
  const shown = files.map((f) => {
    const rel = relative(process.cwd(), f);
    return rel.startsWith('..') || rel === '' ? f : `./${rel}`;
  });
  io.stdout(`${files.join('\n')}\n\nInstall both in your Medusa app (one line):\n  npm install ${shown.join(' ')}\n`);
  return EXIT.ok;
}
