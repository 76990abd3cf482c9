import {
  type CurrencyCode,
  formatMoney,
  isCurrencyCode,
  KassaError,
  type Money,
  type NewPayment,
  PAYMENT_STATES,
  type PaymentLedger,
  type PaymentRecord,
  type PaymentState,
  parseMoney,
  type TransitionRequest,
  type TransitionResult,
} from '@kassa/core';
import type { SqlClient } from './sql';

/** Robokassa InvIds are shop-allocated integers from 1 to 2^31−1 (the sequence's MAXVALUE says the same). */
export const MAX_INV_ID = 2 ** 31 - 1;

/** Table and sequence created by this module's migration (see ../migrations). */
export const LEDGER_TABLE = 'robokassa_payment';
export const INV_ID_SEQUENCE = 'robokassa_inv_id_seq';

/** How many sequence values we skip at most when explicitly-chosen InvIds are in the way. */
const MAX_ALLOCATION_ATTEMPTS = 100;

interface Row extends Record<string, unknown> {
  id: string;
  inv_id: number;
  reference: string;
  currency_code: string;
  amount: string;
  refunded_amount: string;
  is_test: boolean;
  state: string;
  op_key: string | null;
  payment_method: string | null;
  inc_curr_label: string | null;
  fee: string | null;
  medusa_settled_state: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'id, inv_id, reference, currency_code, amount::text as amount, refunded_amount::text as refunded_amount, is_test, state, op_key, payment_method, inc_curr_label, fee, medusa_settled_state, created_at, updated_at';

function isState(value: string): value is PaymentState {
  return (PAYMENT_STATES as readonly string[]).includes(value);
}

function toRecord(row: Row): PaymentRecord {
  const currency = row.currency_code;
  if (!isCurrencyCode(currency)) {
    throw new KassaError('LEDGER_CONFLICT', 'A ledger row has a currency Kassa does not know', {
      details: { invId: row.inv_id, currency },
    });
  }
  if (!isState(row.state)) {
    throw new KassaError('LEDGER_CONFLICT', 'A ledger row has an unknown state', {
      details: { invId: row.inv_id, state: row.state },
    });
  }
  return Object.freeze({
    invId: Number(row.inv_id),
    reference: row.reference,
    amount: parseNumeric(row.amount, currency),
    isTest: row.is_test,
    state: row.state,
    refunded: parseNumeric(row.refunded_amount, currency),
    opKey: row.op_key ?? undefined,
    paymentMethod: row.payment_method ?? undefined,
    incCurrLabel: row.inc_curr_label ?? undefined,
    fee: row.fee ?? undefined,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  });
}

/** Postgres `numeric::text` keeps the scale it was written with ("1500.00"); trailing zeros beyond it are harmless. */
function parseNumeric(value: string, currency: CurrencyCode): Money {
  const trimmed = value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
  return parseMoney(trimmed, currency, { allowZero: true });
}

/** Medusa's BigNumber columns carry a `raw_*` JSON twin; we write it so Medusa's own readers see the same value. */
function rawBigNumber(money: Money): string {
  return JSON.stringify({ value: formatMoney(money), precision: 20 });
}

function checkInvId(invId: number): void {
  if (!Number.isSafeInteger(invId) || invId < 1 || invId > MAX_INV_ID) {
    throw new KassaError('INVOICE_ID_OUT_OF_RANGE', `InvId must be an integer from 1 to ${MAX_INV_ID}`, {
      details: { invId: String(invId) },
    });
  }
}

function checkNewPayment(payment: NewPayment): void {
  const bad: string[] = [];
  if (typeof payment.reference !== 'string' || payment.reference.length < 1 || payment.reference.length > 255) {
    bad.push('reference');
  }
  if (!payment.amount || !isCurrencyCode(payment.amount.currency)) bad.push('amount.currency');
  else if (typeof payment.amount.minor !== 'bigint' || payment.amount.minor < 1n) bad.push('amount.minor');
  if (typeof payment.isTest !== 'boolean') bad.push('isTest');
  if (bad.length > 0) {
    throw new KassaError('PAYMENT_INVALID', 'Invalid new payment for the ledger', { details: { fields: bad } });
  }
  // Range and format of the amount (e.g. above Robokassa's maximum) are core's rules: reuse them.
  parseMoney(formatMoney(payment.amount), payment.amount.currency);
}

function isUniqueViolation(error: unknown, constraintHint: string): boolean {
  const e = error as { code?: unknown; constraint?: unknown; message?: unknown } | null;
  if (e?.code !== '23505') return false;
  const where = `${String(e.constraint ?? '')} ${String(e.message ?? '')}`;
  return where.includes(constraintHint);
}

function newId(): string {
  // Same shape as Medusa's generated ids (`prefix_` + ULID-like); uniqueness is what matters here.
  return `rkpay_${Date.now().toString(36)}${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

/**
 * `PaymentLedger` on the shop's Postgres. InvIds come from a Postgres sequence (never reused, safe across processes
 * and machines); every transition is one conditional `UPDATE … WHERE state IN (…) RETURNING`, so of N racing callers
 * exactly one sees `applied: true`, whichever process or instance it runs in.
 */
export class PostgresPaymentLedger implements PaymentLedger {
  readonly #db: SqlClient;
  /** What each record object read from the table said about its settlement (see `settledState`). */
  readonly #settled = new WeakMap<PaymentRecord, PaymentState | null>();

  constructor(db: SqlClient) {
    this.#db = db;
  }

  #read(row: Row): PaymentRecord {
    const record = toRecord(row);
    const settled = row.medusa_settled_state;
    this.#settled.set(record, settled && isState(settled) ? settled : null);
    return record;
  }

  async create(payment: NewPayment): Promise<PaymentRecord> {
    checkNewPayment(payment);
    if (payment.invId !== undefined) {
      checkInvId(payment.invId);
      try {
        return await this.#insert(payment, payment.invId);
      } catch (error) {
        if (isUniqueViolation(error, 'inv_id')) {
          throw new KassaError('LEDGER_CONFLICT', 'This InvId is already taken', { details: { invId: payment.invId } });
        }
        throw error;
      }
    }
    // A value chosen explicitly earlier may sit on the sequence's path: skip it rather than fail the checkout.
    for (let attempt = 0; attempt < MAX_ALLOCATION_ATTEMPTS; attempt += 1) {
      try {
        return await this.#insert(payment, undefined);
      } catch (error) {
        if (!isUniqueViolation(error, 'inv_id')) throw translateSequenceError(error);
      }
    }
    throw new KassaError('LEDGER_CONFLICT', 'Could not allocate a free InvId', {
      details: { attempts: MAX_ALLOCATION_ATTEMPTS },
    });
  }

  async #insert(payment: NewPayment, invId: number | undefined): Promise<PaymentRecord> {
    const zero: Money = { currency: payment.amount.currency, minor: 0n };
    const rows = await this.#db.query<Row>(
      `insert into ${LEDGER_TABLE}
         (id, inv_id, reference, currency_code, amount, raw_amount, refunded_amount, raw_refunded_amount, is_test, state)
       values (?, ${invId === undefined ? `nextval('${INV_ID_SEQUENCE}')` : '?'}, ?, ?, ?::numeric, ?::jsonb, 0, ?::jsonb, ?, 'pending')
       returning ${COLUMNS}`,
      [
        newId(),
        ...(invId === undefined ? [] : [invId]),
        payment.reference,
        payment.amount.currency,
        formatMoney(payment.amount),
        rawBigNumber(payment.amount),
        rawBigNumber(zero),
        payment.isTest,
      ],
    );
    return this.#read(single(rows));
  }

  async findByInvId(invId: number): Promise<PaymentRecord | undefined> {
    if (!Number.isSafeInteger(invId) || invId < 1 || invId > MAX_INV_ID) return undefined;
    const rows = await this.#db.query<Row>(
      `select ${COLUMNS} from ${LEDGER_TABLE} where inv_id = ? and deleted_at is null`,
      [invId],
    );
    return rows[0] && this.#read(rows[0]);
  }

  async findByReference(reference: string): Promise<PaymentRecord | undefined> {
    // The newest attempt wins: a platform may start a new attempt for the same reference.
    const rows = await this.#db.query<Row>(
      `select ${COLUMNS} from ${LEDGER_TABLE} where reference = ? and deleted_at is null
       order by created_at desc, inv_id desc limit 1`,
      [reference],
    );
    return rows[0] && this.#read(rows[0]);
  }

  async transition(request: TransitionRequest): Promise<TransitionResult> {
    checkTransition(request);
    const patch = request.patch ?? {};
    const sets: string[] = ['state = ?', 'last_source = ?', 'updated_at = clock_timestamp()'];
    const values: unknown[] = [request.to, request.source];
    const optional = [
      ['op_key', patch.opKey],
      ['payment_method', patch.paymentMethod],
      ['inc_curr_label', patch.incCurrLabel],
      ['fee', patch.fee],
    ] as const;
    for (const [column, value] of optional) {
      if (value !== undefined) {
        sets.push(`${column} = ?`);
        values.push(value);
      }
    }
    if (patch.refunded !== undefined) {
      sets.push('refunded_amount = ?::numeric', 'raw_refunded_amount = ?::jsonb');
      values.push(formatMoney(patch.refunded), rawBigNumber(patch.refunded));
    }
    const from = [...new Set(request.from)];
    const rows = await this.#db.query<Row>(
      `update ${LEDGER_TABLE} set ${sets.join(', ')}
       where inv_id = ? and deleted_at is null and state in (${from.map(() => '?').join(', ')})
       returning ${COLUMNS}`,
      [...values, request.invId, ...from],
    );
    if (rows[0]) return { applied: true, record: this.#read(rows[0]) };
    const current = await this.findByInvId(request.invId);
    return current ? { applied: false, record: current } : { applied: false, record: undefined };
  }

  /**
   * Not part of the port: the state in which the platform (Medusa) last confirmed it reflects this invoice. Lets a
   * duplicate ResultURL answer `OK{InvId}` after one indexed read instead of asking Medusa again.
   */
  async settledState(record: PaymentRecord): Promise<PaymentState | undefined> {
    // A record this ledger just read carries the answer already: a duplicate callback costs no extra query.
    const known = this.#settled.get(record);
    if (known !== undefined) return known ?? undefined;
    const invId = record.invId;
    const rows = await this.#db.query<{ medusa_settled_state: string | null }>(
      `select medusa_settled_state from ${LEDGER_TABLE} where inv_id = ? and deleted_at is null`,
      [invId],
    );
    const state = rows[0]?.medusa_settled_state;
    return state && isState(state) ? state : undefined;
  }

  async markSettled(invId: number, state: PaymentState): Promise<void> {
    await this.#db.query(
      `update ${LEDGER_TABLE} set medusa_settled_state = ?, medusa_settled_at = clock_timestamp() where inv_id = ?`,
      [state, invId],
    );
  }

  async listStale(options: {
    states: readonly PaymentState[];
    olderThan: Date;
    limit: number;
  }): Promise<PaymentRecord[]> {
    const limit = Math.max(0, Math.floor(options.limit));
    const states = [...new Set(options.states)].filter(isState);
    if (limit === 0 || states.length === 0) return [];
    const rows = await this.#db.query<Row>(
      `select ${COLUMNS} from ${LEDGER_TABLE}
       where deleted_at is null and updated_at < ? and state in (${states.map(() => '?').join(', ')})
       order by updated_at asc, inv_id asc limit ?`,
      [options.olderThan, ...states, limit],
    );
    return rows.map((row) => this.#read(row));
  }
}

function checkTransition(request: TransitionRequest): void {
  const bad: string[] = [];
  if (!Number.isSafeInteger(request.invId)) bad.push('invId');
  if (!Array.isArray(request.from) || request.from.length === 0 || !request.from.every(isState)) bad.push('from');
  if (!isState(request.to)) bad.push('to');
  if (typeof request.source !== 'string' || request.source.length === 0) bad.push('source');
  if (bad.length > 0) {
    throw new KassaError('INVALID_TRANSITION', 'Invalid transition request', { details: { fields: bad } });
  }
}

function single(rows: Row[]): Row {
  const row = rows[0];
  if (!row) throw new KassaError('LEDGER_CONFLICT', 'The ledger insert returned no row');
  return row;
}

function translateSequenceError(error: unknown): unknown {
  const e = error as { code?: unknown } | null;
  // 2200H: sequence_generator_limit_exceeded — the 2^31−1 InvIds are used up.
  if (e?.code === '2200H') return new KassaError('LEDGER_CONFLICT', 'The InvId range is exhausted', { cause: error });
  return error;
}
