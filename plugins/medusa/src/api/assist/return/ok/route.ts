import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { handleAssistReturn } from '../../../../lib/assist-return';

/** URL_RETURN_OK (`https://<medusa>/assist/return/ok`): unsigned, confirmed with `orderstate` (lib/assist-return.ts). */
async function handle(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  await handleAssistReturn(req, res, 'success');
}

export const GET = handle;
export const POST = handle;
