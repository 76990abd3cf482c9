import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../src/index.js';
import { hash, MERCHANT } from './helpers.js';

describe('persistence', () => {
  it('keeps merchants, payments and the signing key in a JSON file across a restart', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kassa-sandbox-')), 'state.json');
    const first = await startSandbox({ persistPath: path });
    first.admin.upsertMerchant({ ...MERCHANT });
    const paid = await first.admin.pay({
      url: first.admin.paymentUrl({ merchant: 'shop', outSum: '15', invId: '1001' })?.url ?? '',
    });
    expect(paid.ok).toBe(true);
    const certificate = await first.admin.certificatePem();
    await first.stop();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ version: 1, merchants: [{ login: 'shop' }] });

    const second = await startSandbox({ persistPath: path });
    try {
      expect(second.admin.merchant('shop')).toMatchObject({ login: 'shop', password1: '***' });
      expect(second.admin.operations()).toMatchObject([{ invId: 1001, state: 100 }]);
      expect(await second.admin.certificatePem()).toBe(certificate);
      const xml = await (
        await fetch(
          `${second.url}/Merchant/WebService/Service.asmx/OpStateExt?MerchantLogin=shop&InvoiceID=1001&Signature=${hash('md5', 'shop:1001:pass-2')}`,
        )
      ).text();
      expect(xml).toContain('<Code>100</Code>');
    } finally {
      await second.stop();
    }
  });

  it('refuses a file that is not a sandbox state', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kassa-sandbox-')), 'state.json');
    writeFileSync(path, JSON.stringify({ hello: 'world' }));
    await expect(startSandbox({ persistPath: path })).rejects.toThrow(/is not a Kassa sandbox state file/);
  });
});
