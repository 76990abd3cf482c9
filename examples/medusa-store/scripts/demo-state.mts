import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
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
