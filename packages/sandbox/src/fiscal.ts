import { z } from 'zod';
import type { SandboxContext } from './context.js';
import { hexEquals } from './hash.js';
import { parseJsonAmount } from './money.js';
import { fiscalSignatureHex } from './signature.js';
import { newOpKey } from './store.js';

/**
 * The second (final) receipt and its status, RoboFiscal (§3.9). Body: `base64(payload).base64(hex(hash(
 * base64(payload) + Password1)))` with `=` stripped; plain base64 and base64url are both accepted, and the hash
 * covers the payload text exactly as received.
 */

const id = z.union([z.string().min(1), z.number().int().positive()]).transform(String);
const amount = z.union([z.number(), z.string()]);

const attachSchema = z.object({
  merchantId: z.string().min(1),
  id,
  originId: id,
  operation: z.literal('sell'),
  sno: z.enum(['osn', 'usn_income', 'usn_income_outcome', 'esn', 'patent']).optional(),
  url: z.string().optional(),
  total: amount,
  items: z
    .array(
      z.object({
        name: z.string().min(1).max(128),
        quantity: z.number().positive(),
        sum: amount,
        tax: z.string().min(1),
        payment_method: z.literal('full_payment'),
        payment_object: z.string().min(1),
        nomenclature_code: z.string().optional(),
      }),
    )
    .min(1)
    .max(100),
  client: z.object({ email: z.string().optional(), phone: z.string().optional() }).optional(),
  payments: z.array(z.object({ type: z.number().int(), sum: amount })).min(1),
  vats: z.array(z.object({ type: z.string(), sum: amount })).optional(),
});

const statusSchema = z.object({ merchantId: z.string().min(1), id });

const json = (body: unknown) =>
  new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json; charset=utf-8' } });

type Signed = { ok: true; payload: unknown; merchant: string } | { ok: false; problem: string };

async function readSigned(ctx: SandboxContext, request: Request): Promise<Signed> {
  let body = (await request.text()).trim();
  if (body.startsWith('"') && body.endsWith('"')) body = body.slice(1, -1);
  const [payloadPart = '', signaturePart = '', ...rest] = body.split('.');
  if (payloadPart === '' || signaturePart === '' || rest.length > 0)
    return { ok: false, problem: 'Body is not payload.signature' };
  let payload: unknown;
  try {
    // Node's base64 decoder reads both alphabets and needs no padding.
    payload = JSON.parse(Buffer.from(payloadPart, 'base64').toString('utf8'));
  } catch {
    return { ok: false, problem: 'Payload is not base64 JSON' };
  }
  const merchantId =
    typeof payload === 'object' && payload !== null ? (payload as { merchantId?: unknown }).merchantId : undefined;
  const merchant = typeof merchantId === 'string' ? ctx.store.merchants.get(merchantId) : undefined;
  if (!merchant) {
    return {
      ok: false,
      problem: "Exception of type 'Robox.Merchant.Util.Exceptions.MerchantNotFoundException' was thrown.",
    };
  }
  const receivedHex = Buffer.from(signaturePart, 'base64').toString('latin1');
  const expected = fiscalSignatureHex(merchant.algorithm, payloadPart, merchant.password1);
  if (!hexEquals(expected, receivedHex)) return { ok: false, problem: 'Invalid signature' };
  return { ok: true, payload, merchant: merchant.login };
}

export async function attachReceipt(ctx: SandboxContext, request: Request): Promise<Response> {
  const signed = await readSigned(ctx, request);
  if (!signed.ok) return json({ ResultCode: '1000', ResultDescription: signed.problem });
  const parsed = attachSchema.safeParse(signed.payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return json({ ResultCode: '1000', ResultDescription: `${issue?.path.join('.')}: ${issue?.message}` });
  }
  const receipt = parsed.data;
  if (receipt.id === receipt.originId)
    return json({ ResultCode: '1000', ResultDescription: 'id must differ from originId' });
  if (ctx.store.fiscal.has(`${signed.merchant}\n${receipt.id}`)) {
    return json({ ResultCode: '1000', ResultDescription: `Receipt id ${receipt.id} already exists` });
  }
  const origin = /^\d{1,10}$/.test(receipt.originId)
    ? ctx.store.byInvoiceId(signed.merchant, Number(receipt.originId)).find((op) => op.state === 100 || op.state === 50)
    : undefined;
  if (!origin)
    return json({ ResultCode: '1000', ResultDescription: `No paid operation with InvId ${receipt.originId}` });
  // At most two receipts per operation: the one at payment and one final receipt (§3.9).
  if (origin.secondReceipts >= 1) {
    return json({ ResultCode: '1000', ResultDescription: 'The operation already has its second receipt' });
  }
  const total = parseJsonAmount(receipt.total);
  const items = receipt.items.reduce((sum, item) => sum + (parseJsonAmount(item.sum) ?? Number.NaN), 0);
  const paid = receipt.payments.reduce((sum, p) => sum + (parseJsonAmount(p.sum) ?? Number.NaN), 0);
  if (total === undefined || total !== items || total !== paid) {
    return json({ ResultCode: '1000', ResultDescription: 'total must equal the sum of items and of payments' });
  }
  const opKey = newOpKey();
  origin.secondReceipts++;
  ctx.store.fiscal.set(`${signed.merchant}\n${receipt.id}`, {
    merchant: signed.merchant,
    id: receipt.id,
    originId: receipt.originId,
    opKey,
    createdAt: ctx.now().toISOString(),
    payload: signed.payload,
  });
  ctx.store.changed();
  ctx.log(`second receipt ${signed.merchant} #${receipt.id} for #${receipt.originId}`);
  return json({ ResultCode: '0', ResultDescription: 'ok', OpKey: opKey });
}

export async function receiptStatus(ctx: SandboxContext, request: Request): Promise<Response> {
  const signed = await readSigned(ctx, request);
  const parsed = signed.ok ? statusSchema.safeParse(signed.payload) : undefined;
  const record =
    signed.ok && parsed?.success ? ctx.store.fiscal.get(`${signed.merchant}\n${parsed.data.id}`) : undefined;
  if (!record) return json({ Code: '1000', Description: 'Error', Statuses: null });
  const digits = String(record.createdAt.replace(/\D/g, '')).slice(-6);
  return json({
    Code: '2',
    Description: 'Done',
    FnNumber: '9289000100348548',
    FiscalDocumentNumber: String(100000 + Number(record.id.replace(/\D/g, '').slice(-5) || '0')),
    FiscalDocumentAttribute: `20${digits}`,
    FiscalDate: null,
    FiscalType: null,
  });
}
