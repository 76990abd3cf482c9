/** `kassa download shopify --out DIR`: a ready-to-deploy copy of the app (TOMLs, env, package.json, README). */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DownloadOptions {
  out: string;
  /** Fills `{{APP_URL}}` in the TOMLs and env (else left as a placeholder to replace). */
  appUrl?: string | undefined;
  apiKey?: string | undefined;
}

function packageRoot(): string {
  // src/download.ts and dist/download.js both sit one level below the package root.
  return fileURLToPath(new URL('..', import.meta.url));
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** Writes the deployable app into `out`; returns the files written (relative). */
export function writeDeployableApp(options: DownloadOptions): string[] {
  const root = packageRoot();
  const template = join(root, 'shopify-app');
  mkdirSync(options.out, { recursive: true });
  const written: string[] = [];
  for (const file of walk(template)) {
    const rel = relative(template, file);
    const target = join(options.out, rel === 'env.example' ? '.env.example' : rel);
    mkdirSync(join(target, '..'), { recursive: true });
    let text = readFileSync(file, 'utf8');
    if (options.appUrl) text = text.replaceAll('{{APP_URL}}', options.appUrl.replace(/\/+$/, ''));
    if (options.apiKey) text = text.replaceAll('{{SHOPIFY_API_KEY}}', options.apiKey);
    writeFileSync(target, text);
    written.push(relative(options.out, target));
  }
  const readme = join(root, 'README.md');
  if (existsSync(readme)) {
    cpSync(readme, join(options.out, 'README.md'));
    written.push('README.md');
  }
  return written.sort();
}
