import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';

/** The benchmark's baseline: a POST route on the same server doing nothing, answered like ResultURL (text/plain). */
export async function POST(_req: MedusaRequest, res: MedusaResponse): Promise<void> {
  res.status(200).type('text/plain').send('OK');
}
