import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { handleAssistReturn } from '../../../../lib/assist-return';

/** URL_RETURN_NO (`https://<medusa>/assist/return/no`): unsigned, confirmed with `orderstate` (lib/assist-return.ts). */
async function handle(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  await handleAssistReturn(req, res, 'fail');
}

export const GET = handle;
export const POST = handle;
