import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { SandboxContext } from './context.js';
import { formatAmount, parseJsonAmount } from './money.js';
import { setState } from './payments.js';

/**
 * The Refund API (§3.5): `POST /RefundService/Refund/Create` with a JWT signed (HS256/384/512) with Password #3,
 * `GET /RefundService/Refund/GetState?id=`. Refunds never exceed what was paid, summed over all refunds; a
 * payment refunded in full goes to state 60.
 */

const HMAC_ALGORITHMS: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

/** The key tried when there is no Password #3 to try: random per process, so no token can match it. */
const UNKNOWN_KEY = randomBytes(32);

const refundItemSchema = z.object({
  Name: z.string().min(1).max(128),
  Quantity: z.number().positive(),
  Cost: z.union([z.number(), z.string()]),
  Tax: z.string().min(1),
  PaymentMethod: z.string().optional(),
  PaymentObject: z.string().optional(),
  NomenclatureCode: z.string().optional(),
});

const refundPayloadSchema = z.object({
  OpKey: z.string().min(1),
  RefundSum: z.union([z.number(), z.string()]).optional(),
  InvoiceItems: z.array(refundItemSchema).optional(),
});

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });

const refused = (message: string, status = 200) => json({ success: false, message, requestId: null }, status);

function decodeSegment(segment: string): unknown {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

/** Clients send the token JSON-quoted (`application/json`) or bare (`text/plain`); both are accepted. */
function tokenFrom(body: string): string {
  const trimmed = body.trim();
  if (trimmed.startsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (typeof parsed === 'string') return parsed;
    } catch {
      // Not JSON after all: fall through and read it bare.
    }
  }
  return trimmed;
}

export async function createRefund(ctx: SandboxContext, request: Request): Promise<Response> {
  const token = tokenFrom(await request.text());
  const parts = token.split('.');
  if (parts.length !== 3) return refused('InvalidToken', 400);
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  let header: unknown;
  let payload: unknown;
  try {
    header = decodeSegment(headerPart);
    payload = decodeSegment(payloadPart);
  } catch {
    return refused('InvalidToken', 400);
  }
  const alg = typeof header === 'object' && header !== null ? (header as { alg?: unknown }).alg : undefined;
  const digest = typeof alg === 'string' ? HMAC_ALGORITHMS[alg.toUpperCase()] : undefined;
  if (!digest) return refused('UnsupportedAlgorithm', 400);
  const parsed = refundPayloadSchema.safeParse(payload);
  if (!parsed.success) return refused('InvalidRequest', 400);

  // The token names no merchant: its key (Password #3) is only known through the OpKey. So an unknown OpKey, a
  // merchant without Password #3 and a bad signature get one and the same answer — an unauthenticated caller must
  // not learn whether an OpKey exists. An HMAC is computed in every case; the real reason goes to the log only.
  const op = ctx.store.findByOpKey(parsed.data.OpKey);
  const merchant = op && ctx.store.merchants.get(op.merchant);
  const key = merchant?.password3 ?? UNKNOWN_KEY;
  const expected = createHmac(digest, key).update(`${headerPart}.${payloadPart}`, 'ascii').digest();
  const received = Buffer.from(signaturePart, 'base64url');
  const signatureOk = received.length === expected.length && timingSafeEqual(received, expected);
  if (!op || !merchant || merchant.password3 === undefined || !signatureOk) {
    const reason =
      !op || !merchant
        ? 'no operation with this OpKey'
        : merchant.password3 === undefined
          ? `merchant ${merchant.login} has no Password #3 (Refund API not enabled)`
          : 'the JWT signature does not match Password #3';
    ctx.log(`refund refused: ${reason}`);
    return refused('InvalidSignature', 400);
  }

  // 60 after our own refunds stays refundable, so that going over the paid sum says NotEnoughOperationFunds.
  const refundable = op.state === 100 || op.state === 50 || (op.state === 60 && op.refunded > 0);
  if (!refundable) return refused('OperationNotRefundable');
  const amount = parsed.data.RefundSum === undefined ? op.amount : parseJsonAmount(parsed.data.RefundSum);
  if (amount === undefined || amount <= 0) return refused('InvalidRefundSum');
  if (op.refunded + amount > op.amount) return refused('NotEnoughOperationFunds');

  const requestId = randomUUID();
  op.refunded += amount;
  ctx.store.refunds.set(requestId, {
    requestId,
    opId: op.id,
    opKey: op.opKey,
    merchant: op.merchant,
    invId: op.invId,
    amount,
    createdAt: ctx.now().toISOString(),
  });
  if (op.refunded === op.amount) setState(ctx, op, 60);
  else ctx.store.changed();
  ctx.log(
    `refund ${op.merchant} #${op.invId} ${formatAmount(amount)} (${formatAmount(op.refunded)} of ${formatAmount(op.amount)})`,
  );
  return json({ success: true, message: null, requestId });
}

/** `{"requestId":"…","amount":1.000000,"label":"finished"}`: the amount is a JSON number written with 6 decimals. */
export function refundState(ctx: SandboxContext, id: string | undefined): Response {
  const refund = id === undefined ? undefined : ctx.store.refunds.get(id);
  if (!refund) return json({ message: 'Id is invalid or request id does not exist' }, 400);
  const body = `{"requestId":${JSON.stringify(refund.requestId)},"amount":${formatAmount(refund.amount, 6)},"label":"finished"}`;
  return new Response(body, { headers: { 'content-type': 'application/json; charset=utf-8' } });
}
