/**
 * The app killed for real (SIGKILL of its process) between the gateway's notification and Shopify's answer to the
 * resolve, then started again on the same SQLite file: the outbox row outlives the process, its lease lapses, and
 * the session is resolved exactly once — whether Shopify never ran the first resolve or ran it and the app died
 * before it could record that.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { API_KEY, API_SECRET, gatewayUrlFrom, SHOP, startWorld, until, type World } from './harness.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const HOOKS = join(here, '../../../examples/shopify-app/scripts/source-hooks.mjs');
const CHILD = join(here, 'child/app-process.ts');

const worlds: World[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const w of worlds) await w.stop().catch(() => undefined);
});

/** Starts the app's process on the world's port and database; resolves once it listens. */
async function startChild(world: World, databaseUrl: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      HOOKS,
      '--experimental-transform-types',
      '--conditions=kassa-source',
      '--disable-warning=ExperimentalWarning',
      CHILD,
    ],
    {
      cwd: join(here, '..'),
      env: {
        ...process.env,
        KASSA_CHILD: JSON.stringify({
          apiKey: API_KEY,
          apiSecretKey: API_SECRET,
          databaseUrl,
          encryptionKeys: world.keys,
          shopOrigin: `${world.emulator.url}/store/{shop}`,
          port: world.app.port,
          leaseMs: 1000,
        }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });

  await until('the app process to listen', () => {
    if (child.exitCode !== null) throw new Error(`app process exited: ${err.slice(0, 2000)}`);
    return out.includes('ready ');
  });
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** A world whose app runs in a child process: the in-process app only writes the shop's settings, then stops. */
async function crashWorld(): Promise<{ world: World; databaseUrl: string; child: ChildProcess }> {
  const world = await startWorld({ startOutbox: false });
  worlds.push(world);
  const databaseUrl = join(world.dir, 'app.sqlite');
  await world.configure('robokassa');
  await world.app.stop();
  const child = await startChild(world, databaseUrl);
  return { world, databaseUrl, child };
}

async function payTest(world: World, amount: string) {
  const body = world.emulator.newPaymentBody({ shop: SHOP, amount, currency: 'RUB', test: true });
  const started = await world.emulator.startPayment(body, { shop: SHOP });
  expect(started.ok).toBe(true);
  const outcome = await world.sandbox.admin.pay({
    url: await gatewayUrlFrom(started.redirectUrl as string),
    method: 'BankCardPSR',
  });
  expect(outcome.ok).toBe(true);
  return String(body.gid);
}

const okCalls = (world: World, gid: string) =>
  world.emulator.calls.filter((c) => c.id === gid && c.outcome === 'ok').length;

describe('the app process killed between the notification and the resolve', () => {
  test('Shopify never ran the resolve: after the restart the outbox resolves exactly once', async () => {
    const { world, databaseUrl, child } = await crashWorld();
    world.emulator.faults.push({ kind: 'hang', times: 1 });
    const gid = await payTest(world, '310.00');
    await until('the resolve to reach Shopify', () => world.emulator.hangs === 1);
    // Robokassa has its OK{InvId}: it will not notify again, only the outbox can finish this.
    await world.sandbox.admin.idle();
    const delivered = world.sandbox.admin.notifications({ kind: 'ResultURL' }).at(-1);
    expect(delivered?.status).toBe(200);
    expect(delivered?.bodyExcerpt?.startsWith('OK')).toBe(true);
    await kill(child);
    world.emulator.release();
    expect(world.emulator.payments.get(gid)?.state).toBe('open');

    await startChild(world, databaseUrl);
    await until('the session to resolve', () => world.emulator.payments.get(gid)?.state === 'resolved');
    expect(world.emulator.transitions(gid)).toBe(1);
    expect(okCalls(world, gid)).toBe(1);
    expect(world.emulator.violations).toEqual([]);
  });

  test('Shopify ran the resolve but the app died before recording it: the restart sends it again, still one transition', async () => {
    const { world, databaseUrl, child } = await crashWorld();
    world.emulator.faults.push({ kind: 'hang', times: 1, afterExecute: true });
    const gid = await payTest(world, '320.00');
    await until('the resolve to reach Shopify', () => world.emulator.hangs === 1);
    expect(world.emulator.payments.get(gid)?.state).toBe('resolved');
    await kill(child);
    world.emulator.release();

    await startChild(world, databaseUrl);
    // The repeated resolve is answered like the first (Shopify: the same mutation on a final state succeeds).
    await until('the outbox to send the resolve again', () => okCalls(world, gid) === 2);
    expect(world.emulator.transitions(gid)).toBe(1);
    expect(world.emulator.payments.get(gid)?.state).toBe('resolved');
    expect(world.emulator.violations).toEqual([]);
  });
});
