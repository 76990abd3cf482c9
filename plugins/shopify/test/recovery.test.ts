/** Recovery paths: a lost notification with no buyer return; a crashed claimer; two outbox workers on one table. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@kassa/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase } from '../src/db.js';
import { Outbox } from '../src/outbox.js';
import { gatewayUrlFrom, SHOP, startWorld, type World } from './harness.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
  await world.configure('robokassa');
});
afterAll(async () => {
  await world?.stop();
});

describe('recovery', () => {
  test('ResultURL lost and the buyer closed the tab: reconciliation asks the gateway and resolves once', async () => {
    const body = world.emulator.newPaymentBody({ shop: SHOP, amount: '77.00', currency: 'RUB', test: true });
    const started = await world.emulator.startPayment(body, { shop: SHOP });
    await world.sandbox.admin.pay({
      url: await gatewayUrlFrom(started.redirectUrl as string),
      method: 'BankCardPSR',
      faults: { callback: { drop: true }, buyerClosesTab: true },
    });
    await world.app.app.outbox.idle();
    expect(world.emulator.payments.get(String(body.gid))?.state).toBe('open');
    // Age the session past the reconciliation threshold.
    await world.app.app.db.client.query('update kassa_shopify_payment set updated_at = 0 where id = ?', [body.id]);
    const summary = await world.app.app.reconcile();
    expect(summary.settled).toBeGreaterThanOrEqual(1);
    await world.app.app.outbox.idle();
    expect(world.emulator.payments.get(String(body.gid))?.state).toBe('resolved');
    expect(world.emulator.transitions(String(body.gid))).toBe(1);
  });

  test('a claimer that died mid-issue: the retry waits for its claim to lapse, then issues exactly one invoice', async () => {
    const body = world.emulator.newPaymentBody({ shop: SHOP, amount: '31.00', currency: 'RUB', test: true });
    const now = Date.now();
    await world.app.app.db.client.query(
      `insert into kassa_shopify_payment (id, shop, gid, kind, amount, currency, test, cancel_url, status, claim_until, created_at, updated_at)
       values (?, ?, ?, 'sale', '31.00', 'RUB', 1, ?, 'new', ?, ?, ?)`,
      [
        body.id,
        SHOP,
        body.gid,
        (body.payment_method as { data: { cancel_url: string } }).data.cancel_url,
        now + 400,
        now,
        now,
      ],
    );
    const started = await world.emulator.startPayment(body, { shop: SHOP });
    expect(started.ok).toBe(true);
    const rows = await world.app.app.db.client.query('select invoice_id from kassa_payment where reference = ?', [
      body.id,
    ]);
    expect(rows).toHaveLength(1);
  });
});

describe('outbox', () => {
  test('two workers (two instances) on one table run every row exactly once', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kassa-ob-')), 'o.sqlite');
    const a = await openDatabase(path);
    const b = await openDatabase(path);
    const runs = new Map<string, number>();
    const handler = async (job: { dedupe: string }) => {
      runs.set(job.dedupe, (runs.get(job.dedupe) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 2));
      return { status: 'done' as const };
    };
    const one = new Outbox({ client: a.client, handlers: { work: handler }, logger: silentLogger, pollMs: 20 });
    const two = new Outbox({ client: b.client, handlers: { work: handler }, logger: silentLogger, pollMs: 20 });
    for (let i = 0; i < 60; i += 1) {
      await one.enqueue({ dedupe: `job:${i}`, shop: SHOP, kind: 'work', payload: {} });
      expect(await two.enqueue({ dedupe: `job:${i}`, shop: SHOP, kind: 'work', payload: {} })).toBe(false);
    }
    one.start();
    two.start();
    for (let i = 0; i < 200 && runs.size < 60; i += 1) await new Promise((r) => setTimeout(r, 20));
    await one.idle();
    await two.idle();
    await one.stop();
    await two.stop();
    expect(runs.size).toBe(60);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    await a.close();
    await b.close();
  });
});
