/**
 * The bridge killed mid-notification, on the real WooCommerce 9.4.3 (HPOS on), with its ledger on PostgreSQL (a fresh
 * database on 127.0.0.1:5432, dropped afterwards). The bridge runs as a child process (`src/cli.ts`, as deployed) and is
 * SIGKILLed while its settle step waits on WooCommerce — a test mu-plugin holds the REST request open until the test
 * lets it go — once before anything reached the order (GET in flight), once while WooCommerce applies `set_paid` (PUT in
 * flight). After a restart, reconciliation and the gateway's next delivery re-run the settle step for the unsettled
 * record: the order is paid exactly once, with one note of ours.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signApiRequest } from '../../src/index.js';
import { blockCheckout, gatewaySettings, openPayLink, SECRET, startWorld, type World } from '../support/world.js';

const PACKAGE = join(import.meta.dirname, '..', '..');
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' };
const database = `w_wc_restart_${randomBytes(4).toString('hex')}`;
let world: World;
let child: ChildProcess | undefined;

const SLOW_PLUGIN = `<?php
// Test only: holds wc/v3 order requests open while the flag file for their method exists (max 20 s), and says so.
add_filter( 'rest_pre_dispatch', static function ( $result, $server, $request ) {
	if ( preg_match( '#^/wc/v3/orders/\\\\d+$#', $request->get_route() ) ) {
		$flag = ABSPATH . 'kassa-slow-' . strtolower( $request->get_method() );
		if ( file_exists( $flag ) ) {
			touch( $flag . '.hit' );
			$until = microtime( true ) + 20;
			while ( file_exists( $flag ) && microtime( true ) < $until ) {
				usleep( 20000 );
			}
		}
	}
	return $result;
}, 10, 3 );
`;

async function admin(sql: string) {
  const client = new pg.Client(PG);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function startChild(): Promise<ChildProcess> {
  const proc = spawn(
    process.execPath,
    ['--conditions=kassa-source', '--import', './scripts/source-hooks.mjs', 'src/cli.ts'],
    {
      cwd: PACKAGE,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        KASSA_WC_URL: world.site.url,
        KASSA_WC_CONSUMER_KEY: world.site.rest.consumerKey,
        KASSA_WC_CONSUMER_SECRET: world.site.rest.consumerSecret,
        KASSA_WC_SECRET: SECRET,
        KASSA_WC_DATABASE: `postgres://postgres@127.0.0.1:5432/${database}`,
        KASSA_WC_PORT: String(world.bridgePort),
        KASSA_WC_SETTINGS: JSON.stringify(gatewaySettings('robokassa', world.sandbox.url)),
        KASSA_WC_RECONCILE_MS: '0',
      },
    },
  );
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  proc.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const started = Date.now();
  while (!out.includes('listening on')) {
    if (proc.exitCode !== null || Date.now() - started > 20_000) throw new Error(`bridge did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  child = proc;
  return proc;
}

async function kill(proc: ChildProcess) {
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGKILL');
  await exited;
  child = undefined;
}

async function waitFor(file: string) {
  const started = Date.now();
  while (!existsSync(file)) {
    if (Date.now() - started > 15_000) throw new Error(`${file} never appeared`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function reconcileNow() {
  const body = JSON.stringify({ olderThanMs: 0 });
  const response = await fetch(`${world.bridgeUrl}/api/reconcile`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...signApiRequest(SECRET, { method: 'POST', path: '/api/reconcile', body }),
    },
    body,
  });
  expect(response.status).toBe(200);
  return response.json();
}

/** Robokassa's next delivery of the same ResultURL (what it does after a failed attempt), signed with Password #2. */
async function redeliver(invId: string, outSum: string) {
  const signature = createHash('md5').update(`${outSum}:${invId}:rk-p2`).digest('hex').toUpperCase();
  const response = await fetch(`${world.bridgeUrl}/notify/robokassa`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `OutSum=${outSum}&InvId=${invId}&SignatureValue=${signature}`,
  });
  return { status: response.status, text: await response.text() };
}

async function ourNotes(orderId: number) {
  return (await world.shop.listNotes(orderId)).filter((n) => n.note.includes('[kassa:'));
}

beforeAll(async () => {
  await admin(`create database ${database}`);
  world = await startWorld({ gateway: 'robokassa', hpos: true, bridge: false });
  mkdirSync(join(world.site.dir, 'wp-content', 'mu-plugins'), { recursive: true });
  writeFileSync(join(world.site.dir, 'wp-content', 'mu-plugins', 'kassa-test-slow.php'), SLOW_PLUGIN);
});
afterAll(async () => {
  if (child) await kill(child);
  await world?.stop();
  await admin(`drop database if exists ${database} with (force)`);
});

describe('the bridge killed mid-notification (child process, PostgreSQL ledger, real WooCommerce)', () => {
  test.each([
    ['before anything reached the order (GET in flight)', 'get', 'reconcile'],
    ['while WooCommerce applies set_paid (PUT in flight)', 'put', 'redelivery'],
  ] as const)('killed %s → restart → settled exactly once', async (_name, method, recovery) => {
    let proc = await startChild();
    const { orderId, payUrl } = await blockCheckout(world.site);
    const form = await openPayLink(payUrl);
    expect(form.status).toBe(200);
    const invId = form.fields.find(([k]) => k === 'InvId')?.[1] as string;
    const flag = join(world.site.dir, `kassa-slow-${method}`);
    writeFileSync(flag, '');
    // The sandbox pays and delivers ResultURL; the bridge records `paid` in the ledger, then its settle step blocks.
    const paying = world.sandbox.admin.pay({ params: form.fields, method: 'BankCardPSR' });
    await waitFor(`${flag}.hit`);
    await kill(proc);
    rmSync(flag); // WooCommerce finishes (or not) what it was doing; nobody is listening for the answer any more
    rmSync(`${flag}.hit`);
    await paying;
    await world.sandbox.admin.idle();
    const between = await world.shop.getOrder(orderId);
    if (method === 'get') expect(between?.date_paid).toBeNull();
    expect(await ourNotes(orderId)).toHaveLength(0);

    proc = await startChild();
    if (recovery === 'reconcile') {
      await reconcileNow();
    } else {
      const replay = await redeliver(invId, '3000.000000');
      expect(replay).toEqual({ status: 200, text: `OK${invId}` });
    }
    // Everything again, twice: nothing more happens.
    await reconcileNow();
    expect((await redeliver(invId, '3000.000000')).text).toBe(`OK${invId}`);
    const order = await world.shop.getOrder(orderId);
    expect(order?.status).toBe('processing');
    expect(order?.date_paid).not.toBeNull();
    expect(order?.transaction_id).not.toBe('');
    expect(await ourNotes(orderId)).toHaveLength(1);
    // WooCommerce's own "Pending payment → Processing" note: payment_complete ran once.
    const statusNotes = (await world.shop.listNotes(orderId)).filter((n) => /→|to Processing|Обработка/i.test(n.note));
    expect(statusNotes.length).toBeLessThanOrEqual(1);
    // The ledger that survived the kill is the PostgreSQL one: paid and settled there.
    const client = new pg.Client({ ...PG, database });
    await client.connect();
    try {
      const { rows } = await client.query(
        'select state, settled_state from kassa_payment where gateway = $1 and invoice_id = $2',
        ['robokassa', invId],
      );
      expect(rows).toEqual([{ state: 'paid', settled_state: 'paid' }]);
    } finally {
      await client.end();
    }
    await kill(proc);
  });
});
