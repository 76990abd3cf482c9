import { describe, expect, test } from 'vitest';
import {
  answeredForGood,
  createMemoryLedger,
  createSettleOutbox,
  type InvoiceKey,
  memoizeSettled,
  type PaymentLedger,
  type PaymentRecord,
  parseMoney,
  processNotification,
  silentLogger,
} from '../../src/index.js';
import { ToyGateway } from '../support/toy-gateway.js';

/**
 * `memoizeSettled` is a fast path for duplicate notifications; the plain ledger is its reference. The differential
 * test runs the same random histories (notifications of every kind and amount, settlements, refunds and surplus flags
 * made by "another process" straight in the store, time passing) through a world with the memo and one without, and
 * requires the same reply bytes for every notification and the same store after every step.
 */

/** A small deterministic PRNG (mulberry32), so a failing history can be replayed from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const INVOICES = ['a-1', 'a-2', 'a-3'];
const STATUSES = ['paid', 'paid', 'paid', 'held', 'declined', 'cancelled'];
const AMOUNTS = ['100.00', '100.00', '100.00', '60.00', '150.00'];

async function world(memoized: boolean, clock: { now: number }) {
  const gateway = new ToyGateway({ capabilities: { refund: false } });
  const store = createMemoryLedger();
  for (const invoiceId of INVOICES) {
    await store.create({
      gateway: 'assist',
      invoiceId,
      reference: `cart-${invoiceId}`,
      amount: parseMoney('100.00'),
      isTest: false,
    });
  }
  const ledger: PaymentLedger = memoized ? memoizeSettled(store, { ttlMs: 1_000, now: () => clock.now }) : store;
  const settlements: string[] = [];
  // The platform as the Medusa plugin runs it: settled through the outbox, straight on the store.
  const outbox = createSettleOutbox({
    ledger: store,
    gateway,
    logger: silentLogger,
    waitMs: 60_000,
    onSettled: async (record) => {
      settlements.push(`${record.invoiceId}:${record.state}`);
      await store.markSettled(record, record.state);
    },
  });
  return { gateway, store, ledger, outbox, settlements };
}

type World = Awaited<ReturnType<typeof world>>;

const comparable = (records: PaymentRecord[]) =>
  records.map((r) => ({ ...r, createdAt: undefined, updatedAt: undefined, amount: String(r.amount.minor) }));

async function notify(w: World, invoiceId: string, status: string, amount: string): Promise<string> {
  const body = w.gateway.sign(invoiceId, status, amount);
  const request = new Request('https://shop.example/notify', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const outcome = await processNotification(request, {
    gateway: w.gateway,
    ledger: w.ledger,
    logger: silentLogger,
    onSettled: w.outbox.step,
  });
  const reply = w.gateway.notificationReply(outcome);
  return `${reply.status} ${await reply.text()}`;
}

/** Another process acting on the store: a refund (in steps), a surplus flag, a hold released or captured. */
async function elsewhere(store: PaymentLedger, key: InvoiceKey, action: number): Promise<void> {
  const record = await store.find(key);
  if (!record) return;
  if (action === 0 && record.state === 'paid') {
    await store.transition({
      ...key,
      from: ['paid'],
      to: 'refund_requested',
      source: 'refund',
      patch: { refundPending: record.amount },
    });
  } else if (action === 1 && record.state === 'refund_requested') {
    await store.transition({
      ...key,
      from: ['refund_requested'],
      to: 'refunded',
      source: 'refund',
      patch: { refunded: record.amount },
    });
  } else if (action === 2 && (record.state === 'paid' || record.state === 'held')) {
    await store.markSurplus(key);
  } else if (action === 3 && record.state === 'held') {
    await store.transition({ ...key, from: ['held'], to: 'cancelled', source: 'admin' }); // the hold released
  } else if (action === 4 && record.state === 'held') {
    await store.transition({ ...key, from: ['held'], to: 'paid', source: 'admin' }); // the hold captured
  }
}

describe('memoizeSettled', () => {
  test('differential: 300 random histories give the same replies and the same store with and without the memo', async () => {
    let hits = 0;
    for (let seed = 1; seed <= 300; seed += 1) {
      const random = prng(seed);
      const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
      const clock = { now: 0 };
      const plain = await world(false, clock);
      const memo = await world(true, clock);
      for (let step = 0; step < 40; step += 1) {
        const invoiceId = pick(INVOICES);
        const key: InvoiceKey = { gateway: 'assist', invoiceId };
        const roll = random();
        if (roll < 0.7) {
          const status = pick(STATUSES);
          const amount = pick(AMOUNTS);
          const [a, b] = [
            await notify(plain, invoiceId, status, amount),
            await notify(memo, invoiceId, status, amount),
          ];
          expect(b, `seed ${seed} step ${step}: ${status} ${amount} on ${invoiceId}`).toBe(a);
          if (answeredForGood((await memo.store.find(key)) as PaymentRecord)) hits += 1;
        } else if (roll < 0.9) {
          const action = Math.floor(random() * 5);
          await elsewhere(plain.store, key, action);
          await elsewhere(memo.store, key, action);
        } else {
          clock.now += pick([10, 500, 2_000]);
        }
        await plain.outbox.idle();
        await memo.outbox.idle();
        expect(comparable(memo.store.snapshot()), `seed ${seed} step ${step}`).toEqual(
          comparable(plain.store.snapshot()),
        );
        expect(memo.settlements).toEqual(plain.settlements);
      }
    }
    // The histories do exercise the fast path.
    expect(hits).toBeGreaterThan(1_000);
  });

  test('a settled paid invoice is read from the store once per ttl; any write through it forgets the invoice', async () => {
    const store = createMemoryLedger();
    const reads: string[] = [];
    const counting: PaymentLedger = {
      ...store,
      find: (key) => {
        reads.push(key.invoiceId);
        return store.find(key);
      },
    };
    const clock = { now: 0 };
    const ledger = memoizeSettled(counting, { ttlMs: 1_000, now: () => clock.now });
    const key: InvoiceKey = { gateway: 'assist', invoiceId: 'x-1' };
    await store.create({ ...key, reference: 'r', amount: parseMoney('10.00'), isTest: false });
    await ledger.find(key); // pending: never remembered
    await ledger.find(key);
    expect(reads).toHaveLength(2);
    await ledger.transition({ ...key, from: ['pending'], to: 'paid', source: 'notification' });
    await ledger.find(key); // paid, not settled: not remembered
    await ledger.markSettled(key, 'paid');
    await ledger.find(key); // paid and settled: remembered from here
    await ledger.find(key);
    await ledger.find(key);
    expect(reads).toHaveLength(4);
    clock.now += 1_000; // expired
    await ledger.find(key);
    expect(reads).toHaveLength(5);
    await ledger.transition({
      ...key,
      from: ['paid'],
      to: 'refund_requested',
      source: 'refund',
      patch: { refundPending: parseMoney('10.00') },
    });
    expect((await ledger.find(key))?.state).toBe('refund_requested');
    expect(reads).toHaveLength(6);
  });

  test('at most `max` invoices are remembered, the oldest dropped first', async () => {
    const store = createMemoryLedger();
    let reads = 0;
    const counting: PaymentLedger = {
      ...store,
      find: (key) => {
        reads += 1;
        return store.find(key);
      },
    };
    const ledger = memoizeSettled(counting, { max: 2 });
    const keys = ['m-1', 'm-2', 'm-3'].map((invoiceId) => ({ gateway: 'assist' as const, invoiceId }));
    for (const key of keys) {
      await store.create({ ...key, reference: key.invoiceId, amount: parseMoney('1.00'), isTest: false });
      await store.transition({ ...key, from: ['pending'], to: 'paid', source: 'notification' });
      await store.markSettled(key, 'paid');
      await ledger.find(key);
    }
    reads = 0;
    await ledger.find(keys[2] as InvoiceKey);
    await ledger.find(keys[1] as InvoiceKey);
    expect(reads).toBe(0);
    await ledger.find(keys[0] as InvoiceKey);
    expect(reads).toBe(1);
  });
});
