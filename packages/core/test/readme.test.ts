import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { KASSA_ERROR_CODES } from '../src/errors.js';
import { createMemoryLedger, formatMoney, parseMoney } from '../src/index.js';
import { tinyshopPayments } from './port/readme-adapter.js';
import { ToyGateway } from './support/toy-gateway.js';

test('the README documents every error code, and no code that does not exist', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const table = readme.slice(readme.indexOf('## Error codes'), readme.indexOf('## How it is tested'));
  const documented = new Set([...table.matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]));
  for (const code of KASSA_ERROR_CODES) expect(documented, code).toContain(code);
  for (const code of documented) expect(KASSA_ERROR_CODES as readonly string[], code).toContain(code);
});

describe('the adapter example ("An adapter over the port")', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## An adapter over the port'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];

  test('is test/port/readme-adapter.ts byte for byte (so tsc checks it and the next test runs it)', () => {
    const file = readFileSync(new URL('./port/readme-adapter.ts', import.meta.url), 'utf8');
    const marker = '// --- README block ---\n';
    expect(block).toBeDefined();
    expect(block).toBe(file.slice(file.indexOf(marker) + marker.length));
  });

  test('works: checkout → a notification settles the order once → a partial refund', async () => {
    const gateway = new ToyGateway();
    const ledger = createMemoryLedger();
    const paid: Array<[string, string]> = [];
    const shop = tinyshopPayments(gateway, ledger, {
      markPaid: async (orderId, amount) => {
        paid.push([orderId, formatMoney(amount)]);
      },
    });
    const url = new URL(await shop.checkout('T-1', '250.00'));
    const invoice = url.searchParams.get('invoice') ?? '';
    expect(url.searchParams.get('amount')).toBe('250.00');

    const notify = () =>
      new Request('https://tinyshop.example/notify', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: gateway.sign(invoice, 'paid', '250.00'),
      });
    for (let i = 0; i < 3; i += 1) {
      const response = await shop.notification(notify());
      expect([response.status, await response.text()]).toEqual([200, `ACK ${invoice}`]);
    }
    // Settled on every copy (idempotently), moved once.
    expect(paid).toEqual([
      ['T-1', '250.00'],
      ['T-1', '250.00'],
      ['T-1', '250.00'],
    ]);

    gateway.on.refund = async () => ({ details: { refundId: 'rf-1' } });
    expect(await shop.refund('T-1', '50.00')).toMatchObject({
      state: 'partially_refunded',
      refunded: parseMoney('50.00'),
    });
    await expect(shop.refund('T-2', '1.00')).rejects.toThrow(/no payment for order T-2/);
  });
});
