import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { assistMerchantSchema } from './assist/config.js';
import { merchantSchema } from './config.js';
import type { StoreSnapshot } from './store.js';

/**
 * Keeps the sandbox's state in one JSON file so that a demo survives a restart. Writes are coalesced (one per
 * tick of changes) and atomic (temp file + rename); a file that does not look like a snapshot is refused loudly.
 */

const snapshotSchema = z.object({
  version: z.literal(1),
  merchants: z.array(merchantSchema),
  operations: z.array(
    z.looseObject({
      id: z.string(),
      opKey: z.string(),
      merchant: z.string(),
      invId: z.number().int(),
      amount: z.number().int(),
      shp: z.array(z.tuple([z.string(), z.string()])),
      notifications: z.array(z.looseObject({ outcome: z.string() })),
      warnings: z.array(z.string()),
    }),
  ),
  emails: z.array(z.looseObject({ id: z.string() })),
  refunds: z.array(z.looseObject({ requestId: z.string() })),
  fiscal: z.array(z.looseObject({ merchant: z.string(), id: z.string() })),
  sms: z.array(z.looseObject({ merchant: z.string() })).default([]),
  invoiceFaults: z.array(z.looseObject({ merchant: z.string(), invId: z.number() })),
  nextInvId: z.number().int(),
  signingKey: z.object({ privateKeyPem: z.string(), certificatePem: z.string() }).optional(),
  assist: z
    .object({
      merchants: z.array(assistMerchantSchema),
      bills: z.array(
        z.looseObject({
          billNumber: z.string(),
          merchantId: z.string(),
          orderNumber: z.string(),
          amount: z.number().int(),
          operations: z.array(z.looseObject({ number: z.number().int() })),
          notifications: z.array(z.looseObject({ outcome: z.string() })),
          warnings: z.array(z.string()),
        }),
      ),
      orderFaults: z.array(z.looseObject({ merchantId: z.string(), orderNumber: z.string() })),
      nextBill: z.number().int(),
    })
    .optional(),
});

export function loadSnapshot(path: string): StoreSnapshot | undefined {
  if (!existsSync(path)) return undefined;
  const parsed = snapshotSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new Error(`${path} is not a Kassa sandbox state file: ${z.prettifyError(parsed.error)}`);
  }
  // The loose parts were checked where it matters (ids, amounts, lists); the rest is the sandbox's own output.
  return parsed.data as unknown as StoreSnapshot;
}

export class SnapshotWriter {
  private scheduled = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly snapshot: () => StoreSnapshot,
    private readonly onError: (error: unknown) => void,
  ) {}

  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.writing = this.writing.then(() => this.write()).catch(this.onError);
    });
  }

  async flush(): Promise<void> {
    this.scheduled = false;
    this.writing = this.writing.then(() => this.write()).catch(this.onError);
    await this.writing;
  }

  private async write(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(this.snapshot(), null, 1)}\n`, { mode: 0o600 });
    await rename(temp, this.path);
  }
}
