import { KassaError } from '../../errors.js';
import { isCurrencyCode, type Money } from '../../money.js';
import {
  type GatewayId,
  type InvoiceKey,
  type ListPaymentsOptions,
  type ListStaleOptions,
  MAX_ALLOCATED_INVOICE_ID,
  MAX_PAGE_SIZE,
  type NewPayment,
  type PaymentLedger,
  type PaymentPage,
  type PaymentRecord,
  type PaymentState,
  type TransitionRequest,
  type TransitionResult,
} from '../port.js';
import {
  checkNewPayment,
  checkSettled,
  checkTransition,
  copyDetails,
  isGatewayId,
  isInvoiceKey,
  isPaymentState,
  normalizeLimit,
  patchFits,
  patchMismatch,
} from '../validate.js';
import type { SqlClient, SqlDialect } from './client.js';
import { checkDialect, type LedgerSchemaNames, type LedgerTableOptions, ledgerSchemaNames } from './schema.js';

export interface SqlLedgerOptions extends LedgerTableOptions {
  dialect: SqlDialect;
  /** The clock for `createdAt`/`updatedAt`. Default: the system clock. */
  now?: () => Date;
}

/** How many allocated numbers we step over at most when explicitly chosen invoice ids are in the way. */
const MAX_ALLOCATION_ATTEMPTS = 100;

/** Every column read back as text (or a JSON/ISO-free form), so no driver's type parsers can turn money into floats. */
interface Row extends Record<string, unknown> {
  gateway: unknown;
  invoice_id: unknown;
  reference: unknown;
  currency: unknown;
  amount_minor: unknown;
  refunded_minor: unknown;
  refund_pending_minor: unknown;
  is_test: unknown;
  state: unknown;
  details: unknown;
  settled_state: unknown;
  surplus: unknown;
  created_at: unknown;
  updated_at: unknown;
}

/** What differs between the dialects, as SQL fragments and parameter encoders. */
interface DialectSql {
  columns: string;
  /** A bigint parameter (sent as a decimal string). */
  bigParam: string;
  /** A timestamp parameter and its value. */
  tsParam: string;
  ts(date: Date): unknown;
  bool(value: boolean): unknown;
  /** A details (JSON text) parameter, and the expression merging it into the stored details. */
  detailsParam: string;
  mergeDetails: string;
}

function dialectSql(dialect: SqlDialect): DialectSql {
  const pg = dialect === 'postgres';
  // PostgreSQL timestamps come back as epoch milliseconds whatever the driver's parsers (we write ms precision).
  const ts = (column: string) =>
    pg
      ? `cast(cast(round(extract(epoch from ${column}) * 1000) as bigint) as text) as ${column}`
      : `cast(${column} as text) as ${column}`;
  const columns = [
    'gateway',
    'invoice_id',
    'reference',
    'currency',
    'cast(amount_minor as text) as amount_minor',
    'cast(refunded_minor as text) as refunded_minor',
    'cast(refund_pending_minor as text) as refund_pending_minor',
    pg
      ? `case when is_test then '1' else '0' end as is_test`
      : `case when is_test <> 0 then '1' else '0' end as is_test`,
    'state',
    'cast(details as text) as details',
    'settled_state',
    pg
      ? `case when surplus then '1' else '0' end as surplus`
      : `case when surplus <> 0 then '1' else '0' end as surplus`,
    ts('created_at'),
    ts('updated_at'),
  ].join(', ');
  return pg
    ? {
        columns,
        bigParam: 'cast(? as bigint)',
        tsParam: 'cast(? as timestamptz)',
        ts: (date) => date.toISOString(),
        bool: (value) => value,
        detailsParam: 'cast(? as jsonb)',
        mergeDetails: 'details || cast(? as jsonb)',
      }
    : {
        columns,
        bigParam: 'cast(? as integer)',
        tsParam: '?',
        ts: (date) => date.getTime(),
        bool: (value) => (value ? 1 : 0),
        detailsParam: '?',
        mergeDetails: 'json_patch(details, ?)',
      };
}

const DIGITS = /^[0-9]+$/;

function corrupt(row: Row, what: string): KassaError {
  return new KassaError('LEDGER_CONFLICT', `A ledger row has ${what}`, {
    details: { gateway: String(row.gateway), invoiceId: String(row.invoice_id).slice(0, 128) },
  });
}

function parseMinor(row: Row, value: unknown, what: string): bigint {
  const text = typeof value === 'bigint' || typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !DIGITS.test(text)) throw corrupt(row, `a malformed ${what}`);
  return BigInt(text);
}

function parseTime(row: Row, value: unknown, what: string): Date {
  const ms = Number(typeof value === 'bigint' ? value.toString() : value);
  if (!Number.isSafeInteger(ms)) throw corrupt(row, `a malformed ${what}`);
  return new Date(ms);
}

function parseDetails(row: Row): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = typeof row.details === 'string' ? JSON.parse(row.details) : row.details;
  } catch {
    throw corrupt(row, 'details that are not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw corrupt(row, 'malformed details');
  const details: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') details[k] = v;
  return details;
}

function toRecord(row: Row): PaymentRecord {
  const { gateway, currency, state, settled_state: settled } = row;
  if (!isGatewayId(gateway)) throw corrupt(row, 'a gateway this version of Kassa does not know');
  if (!isCurrencyCode(currency)) throw corrupt(row, 'a currency Kassa does not know');
  if (!isPaymentState(state)) throw corrupt(row, 'an unknown state');
  const money = (minor: bigint): Money => Object.freeze({ currency, minor });
  const pending = row.refund_pending_minor;
  return Object.freeze({
    gateway,
    invoiceId: String(row.invoice_id),
    reference: String(row.reference),
    amount: money(parseMinor(row, row.amount_minor, 'amount')),
    isTest: String(row.is_test) === '1',
    state,
    refunded: money(parseMinor(row, row.refunded_minor, 'refunded amount')),
    refundPending: pending === null || pending === undefined ? undefined : money(parseMinor(row, pending, 'refund')),
    details: Object.freeze(parseDetails(row)),
    settledState: isPaymentState(settled) ? settled : undefined,
    ...(String(row.surplus) === '1' ? { surplus: true } : {}),
    createdAt: parseTime(row, row.created_at, 'creation time'),
    updatedAt: parseTime(row, row.updated_at, 'update time'),
  });
}

function exhausted(cause?: unknown): KassaError {
  return new KassaError('LEDGER_CONFLICT', 'The invoice number range is exhausted', {
    details: { max: MAX_ALLOCATED_INVOICE_ID },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * `PaymentLedger` on PostgreSQL or SQLite through any `SqlClient`: one table (see `ledgerSchemaStatements`; create
 * it with `migrateLedger`). Allocated invoice ids are numbers from a PostgreSQL sequence or a SQLite AUTOINCREMENT
 * table (never reused, safe across processes and machines); every transition is one conditional
 * `UPDATE … WHERE state IN (…) RETURNING`, so of N racing callers exactly one sees `applied: true`, in whichever
 * process it runs.
 */
export class SqlLedger implements PaymentLedger {
  readonly #db: SqlClient;
  readonly #dialect: SqlDialect;
  readonly #names: LedgerSchemaNames;
  readonly #sql: DialectSql;
  readonly #now: () => Date;

  constructor(client: SqlClient, options: SqlLedgerOptions) {
    checkDialect(options?.dialect);
    this.#db = client;
    this.#dialect = options.dialect;
    this.#names = ledgerSchemaNames(options);
    this.#sql = dialectSql(options.dialect);
    this.#now = options.now ?? (() => new Date());
  }

  get table(): string {
    return this.#names.table;
  }

  async create(payment: NewPayment): Promise<PaymentRecord> {
    checkNewPayment(payment);
    // SQLite: one write transaction (one lock, one commit) for the number and the row; PostgreSQL needs none.
    if (this.#dialect === 'sqlite' && this.#db.transaction) {
      return this.#db.transaction((db) => this.#create(db, payment));
    }
    return this.#create(this.#db, payment);
  }

  async #create(db: SqlClient, payment: NewPayment): Promise<PaymentRecord> {
    if (payment.invoiceId !== undefined) {
      const record = await this.#insert(db, payment, payment.invoiceId);
      if (record) return record;
      throw new KassaError('LEDGER_CONFLICT', 'This invoice id is already taken for the gateway', {
        details: { gateway: payment.gateway, invoiceId: payment.invoiceId },
      });
    }
    // An id chosen explicitly earlier may sit on the sequence's path: step over it rather than fail the checkout.
    for (let attempt = 0; attempt < MAX_ALLOCATION_ATTEMPTS; attempt += 1) {
      const record = await this.#insert(db, payment, String(await this.#nextNumber(db)));
      if (record) return record;
    }
    throw new KassaError('LEDGER_CONFLICT', 'Could not allocate a free invoice id', {
      details: { attempts: MAX_ALLOCATION_ATTEMPTS, gateway: payment.gateway },
    });
  }

  /** A fresh number, never handed out before, from 1 to 2^31−1. */
  async #nextNumber(db: SqlClient): Promise<number> {
    const { sequence, numbers } = this.#names;
    let value: unknown;
    if (this.#dialect === 'postgres') {
      try {
        const rows = await db.query<{ n: unknown }>(`select cast(nextval('${sequence}') as text) as n`, []);
        value = rows[0]?.n;
      } catch (error) {
        // 2200H sequence_generator_limit_exceeded: all 2^31−1 numbers are used.
        if ((error as { code?: unknown } | null)?.code === '2200H') throw exhausted(error);
        throw error;
      }
    } else {
      const rows = await db.query<{ n: unknown }>(
        `insert into ${numbers} default values returning cast(n as text) as n`,
        [],
      );
      value = rows[0]?.n;
    }
    const number = Number(value);
    if (!Number.isSafeInteger(number) || number < 1) {
      throw new KassaError('LEDGER_CONFLICT', 'The invoice number allocator returned no number');
    }
    // The SQLite table only carries AUTOINCREMENT's high-water mark; its rows are not needed.
    if (this.#dialect === 'sqlite') await db.query(`delete from ${numbers} where n <= ?`, [number]);
    if (number > MAX_ALLOCATED_INVOICE_ID) throw exhausted();
    return number;
  }

  /** The inserted record, or undefined when the gateway already has this invoice id. */
  async #insert(db: SqlClient, payment: NewPayment, invoiceId: string): Promise<PaymentRecord | undefined> {
    const { table } = this.#names;
    const s = this.#sql;
    const at = s.ts(this.#now());
    const rows = await db.query<Row>(
      `insert into ${table}
         (gateway, invoice_id, reference, currency, amount_minor, refunded_minor, refund_pending_minor, is_test,
          state, details, settled_state, last_source, created_at, updated_at)
       values (?, ?, ?, ?, ${s.bigParam}, 0, null, ?, 'pending', ${s.detailsParam}, null, null, ${s.tsParam}, ${s.tsParam})
       on conflict (gateway, invoice_id) do nothing
       returning ${s.columns}`,
      [
        payment.gateway,
        invoiceId,
        payment.reference,
        payment.amount.currency,
        payment.amount.minor.toString(),
        s.bool(payment.isTest),
        JSON.stringify(copyDetails(payment.details)),
        at,
        at,
      ],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async find(key: InvoiceKey): Promise<PaymentRecord | undefined> {
    if (!isInvoiceKey(key)) return undefined;
    return this.#find(key);
  }

  async #find(key: InvoiceKey): Promise<PaymentRecord | undefined> {
    const rows = await this.#db.query<Row>(
      `select ${this.#sql.columns} from ${this.#names.table} where gateway = ? and invoice_id = ?`,
      [key.gateway, key.invoiceId],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async findByReference(reference: string): Promise<PaymentRecord | undefined> {
    if (typeof reference !== 'string') return undefined;
    // The newest attempt wins: a platform may start a new attempt for the same reference.
    const rows = await this.#db.query<Row>(
      `select ${this.#sql.columns} from ${this.#names.table} where reference = ?
       order by created_at desc, id desc limit 1`,
      [reference],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async transition(request: TransitionRequest): Promise<TransitionResult> {
    checkTransition(request);
    const s = this.#sql;
    const patch = request.patch ?? {};
    const sets = ['state = ?', 'last_source = ?', `updated_at = ${s.tsParam}`];
    const values: unknown[] = [request.to, request.source, s.ts(this.#now())];
    if (patch.details !== undefined) {
      sets.push(`details = ${s.mergeDetails}`);
      values.push(JSON.stringify(copyDetails(patch.details)));
    }
    if (patch.refunded !== undefined) {
      sets.push(`refunded_minor = ${s.bigParam}`);
      values.push(patch.refunded.minor.toString());
    }
    // The write-ahead amount lives exactly as long as the refund_requested state (checkTransition enforces the patch).
    if (request.to === 'refund_requested' && patch.refundPending) {
      sets.push(`refund_pending_minor = ${s.bigParam}`);
      values.push(patch.refundPending.minor.toString());
    } else {
      sets.push('refund_pending_minor = null');
    }
    const from = [...new Set(request.from)];
    const where = ['gateway = ?', 'invoice_id = ?', `state in (${from.map(() => '?').join(', ')})`];
    const whereValues: unknown[] = [request.gateway, request.invoiceId, ...from];
    // Amounts in the patch must fit the record: checked in the same statement, diagnosed below if they do not.
    for (const money of [patch.refunded, patch.refundPending]) {
      if (!money) continue;
      where.push('currency = ?', `amount_minor >= ${s.bigParam}`);
      whereValues.push(money.currency, money.minor.toString());
    }
    const rows = await this.#db.query<Row>(
      `update ${this.#names.table} set ${sets.join(', ')} where ${where.join(' and ')} returning ${s.columns}`,
      [...values, ...whereValues],
    );
    if (rows[0]) return { applied: true, record: toRecord(rows[0]) };
    const current = await this.#find(request);
    if (!current) return { applied: false, record: undefined };
    if (from.includes(current.state) && !patchFits(patch, current.amount)) throw patchMismatch(request, current.amount);
    return { applied: false, record: current };
  }

  async markSettled(key: InvoiceKey, state: PaymentState): Promise<void> {
    checkSettled(key, state);
    await this.#db.query(`update ${this.#names.table} set settled_state = ? where gateway = ? and invoice_id = ?`, [
      state,
      key.gateway,
      key.invoiceId,
    ]);
  }

  async markSurplus(key: InvoiceKey): Promise<TransitionResult> {
    checkSettled(key, 'paid');
    const s = this.#sql;
    const rows = await this.#db.query<Row>(
      `update ${this.#names.table} set surplus = ${s.bool(true) === true ? 'true' : '1'}, settled_state = state,
         updated_at = ${s.tsParam}
       where gateway = ? and invoice_id = ? and state in ('paid', 'held') and surplus = ${s.bool(true) === true ? 'false' : '0'}
       returning ${s.columns}`,
      [s.ts(this.#now()), key.gateway, key.invoiceId],
    );
    if (rows[0]) return { applied: true, record: toRecord(rows[0]) };
    const current = await this.#find(key);
    return current ? { applied: false, record: current } : { applied: false, record: undefined };
  }

  async list(options: ListPaymentsOptions): Promise<PaymentPage> {
    const limit = Math.min(normalizeLimit(options.limit), MAX_PAGE_SIZE);
    const offset = normalizeLimit(options.offset ?? 0);
    const pg = this.#dialect === 'postgres';
    const where: string[] = ['1 = 1'];
    const values: unknown[] = [];
    if (options.gateway !== undefined) {
      where.push('gateway = ?');
      values.push(options.gateway);
    }
    if (options.states !== undefined) {
      const states = [...new Set(options.states)].filter(isPaymentState);
      if (states.length === 0) return { records: [], total: 0 };
      where.push(`state in (${states.map(() => '?').join(', ')})`);
      values.push(...states);
    }
    if (options.surplus !== undefined)
      where.push(options.surplus ? (pg ? 'surplus' : 'surplus <> 0') : pg ? 'not surplus' : 'surplus = 0');
    const owed = `(state in ('paid', 'held') and (settled_state is null or settled_state <> state))`;
    if (options.unsettled === true) where.push(owed);
    if (options.attention === true) {
      where.push(`(${owed} or (state in ('paid', 'refund_requested') and ${pg ? 'surplus' : 'surplus <> 0'}))`);
    }
    for (const [bound, op] of [
      [options.createdFrom, '>='],
      [options.createdTo, '<'],
    ] as const) {
      if (bound === undefined) continue;
      if (!(bound instanceof Date) || Number.isNaN(bound.getTime())) return { records: [], total: 0 };
      where.push(`created_at ${op} ${this.#sql.tsParam}`);
      values.push(this.#sql.ts(bound));
    }
    const clause = where.join(' and ');
    const counted = await this.#db.query<{ n: unknown }>(
      `select cast(count(*) as text) as n from ${this.#names.table} where ${clause}`,
      values,
    );
    const total = Number(counted[0]?.n ?? 0);
    if (limit === 0) return { records: [], total };
    const rows = await this.#db.query<Row>(
      `select ${this.#sql.columns} from ${this.#names.table} where ${clause}
       order by created_at desc, id desc limit ? offset ?`,
      [...values, limit, offset],
    );
    return { records: rows.map(toRecord), total };
  }

  async listStale(options: ListStaleOptions): Promise<PaymentRecord[]> {
    const limit = normalizeLimit(options.limit);
    const states = [...new Set(options.states)].filter(isPaymentState);
    const { olderThan, gateway } = options;
    if (limit === 0 || states.length === 0 || !(olderThan instanceof Date) || Number.isNaN(olderThan.getTime())) {
      return [];
    }
    const where = [`state in (${states.map(() => '?').join(', ')})`, `updated_at < ${this.#sql.tsParam}`];
    const values: unknown[] = [...states, this.#sql.ts(olderThan)];
    if (gateway !== undefined) {
      where.push('gateway = ?');
      values.push(gateway);
    }
    return this.#list(where, values, limit);
  }

  async listUnsettled(options: { limit: number; gateway?: GatewayId | undefined }): Promise<PaymentRecord[]> {
    const limit = normalizeLimit(options.limit);
    if (limit === 0) return [];
    const where = [`state in ('paid', 'held')`, '(settled_state is null or settled_state <> state)'];
    const values: unknown[] = [];
    if (options.gateway !== undefined) {
      where.push('gateway = ?');
      values.push(options.gateway);
    }
    return this.#list(where, values, limit);
  }

  /** Oldest update first; equal timestamps in insertion order, so the order is stable. */
  async #list(where: string[], values: unknown[], limit: number): Promise<PaymentRecord[]> {
    const rows = await this.#db.query<Row>(
      `select ${this.#sql.columns} from ${this.#names.table} where ${where.join(' and ')}
       order by updated_at asc, id asc limit ?`,
      [...values, limit],
    );
    return rows.map(toRecord);
  }
}
