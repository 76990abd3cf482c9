import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Medusa's JWT and cookie secrets: random, made on the first run and kept in the clone's `.kassa/secrets.json`
 * (mode 0600), so logins survive a restart and no two installs share a secret.
 */
export async function demoSecrets(file: string): Promise<{ jwtSecret: string; cookieSecret: string }> {
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { jwtSecret?: unknown; cookieSecret?: unknown };
    if (typeof saved.jwtSecret === 'string' && typeof saved.cookieSecret === 'string') {
      return { jwtSecret: saved.jwtSecret, cookieSecret: saved.cookieSecret };
    }
  }
  const secrets = {
    jwtSecret: randomBytes(32).toString('base64url'),
    cookieSecret: randomBytes(32).toString('base64url'),
  };
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

/**
 * Where the demo listens and keeps its state. The state (database, sandbox, secrets) lives under the clone in
 * `.kassa/` (git-ignored; delete it to start afresh), so two clones never share a database.
 */
export function demoSettings(env: NodeJS.ProcessEnv, appDir: string) {
  const stateDir = env.DEMO_STATE_DIR ?? path.join(appDir, '.kassa');
  return {
    /** Loopback by default: a demo with a known admin password must not be reachable from the network. */
    host: env.DEMO_HOST ?? '127.0.0.1',
    medusaPort: Number(env.MEDUSA_PORT ?? 9000),
    storefrontPort: Number(env.STOREFRONT_PORT ?? 8000),
    sandboxPort: Number(env.SANDBOX_PORT ?? 9100),
    pgPort: Number(env.DEMO_PG_PORT ?? 54329),
    pgDir: env.DEMO_PG_DIR ?? path.join(stateDir, 'pg'),
    /** The sandbox's state, kept across restarts so an older order can still be refunded. */
    sandboxState: path.join(stateDir, 'sandbox.json'),
    secrets: path.join(stateDir, 'secrets.json'),
    admin: { email: 'admin@kassa.local', password: 'kassa-demo' },
  };
}

/**
 * What the database's setup (migrations, seed, admin user) depends on: the lockfile (Medusa's and the plugin's
 * versions), the plugin's built migrations and the seed. Equal to the one stored after the last successful setup
 * = nothing to migrate or seed, and a second start skips those steps (each boots Medusa once).
 */
export function setupFingerprint(files: { lockfile: string; seed: string; pluginDir: string }): string {
  const hash = createHash('sha256');
  const add = (file: string) => {
    hash.update(file);
    hash.update('\0');
    if (existsSync(file)) hash.update(readFileSync(file));
    hash.update('\0');
  };
  add(files.lockfile);
  add(files.seed);
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (dir.split(path.sep).includes('migrations')) add(file);
    }
  };
  walk(path.join(files.pluginDir, '.medusa/server/src/modules'));
  return hash.digest('hex');
}
