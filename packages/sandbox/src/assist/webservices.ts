import type { SandboxContext } from '../context.js';
import type { ParamBag } from '../params.js';
import { sleep } from '../timers.js';
import { addOperation, assistFaults, expireHold, setBillState } from './bills.js';
import { checkvalue, notificationString } from './checkvalue.js';
import { type AssistError, assistError, FIRST, SECOND } from './codes.js';
import type { AssistMerchantConfig } from './config.js';
import { formatAssistDate, parseDayMonthYear } from './dates.js';
import { formatMinor, parseServiceAmount } from './money.js';
import { responseMessage, sendNotification } from './notify.js';
import { AUTHORISED_STATES } from './order-request.js';
import type { AssistBill, AssistOperation } from './store.js';
import { element, resultDocument, type XmlField, xmlResponse } from './xml.js';

/**
 * Assist's web services (assist.md §3): orderstate, orderresult, charge, cancel/wscancel and rp.cfm, all behind
 * Merchant_ID + Login + Password, all answering `Format=3` XML with the §3.7 code pair.
 */

export type AssistService = 'orderstate' | 'orderresult' | 'charge' | 'cancel' | 'recurring';

type Outcome = { ok: true; body: string } | { ok: false; error: AssistError };

const refuse = (firstcode: number, secondcode: number, detail: string): Outcome => ({
  ok: false,
  error: assistError(firstcode, secondcode, detail),
});

function authenticate(
  ctx: SandboxContext,
  bag: ParamBag,
): { ok: true; merchant: AssistMerchantConfig } | { ok: false; error: AssistError } {
  const merchantId = bag.get('Merchant_ID');
  const login = bag.get('Login');
  const password = bag.get('Password');
  if (!merchantId) return { ok: false, error: assistError(FIRST.missing, SECOND.merchantId, 'no Merchant_ID') };
  if (!login) return { ok: false, error: assistError(FIRST.missing, SECOND.login, 'no Login') };
  if (!password) return { ok: false, error: assistError(FIRST.missing, SECOND.password, 'no Password') };
  const merchant = ctx.store.assist.merchants.get(merchantId);
  const owner = ctx.store.assist.merchantByLogin(login);
  if (!owner || owner.password !== password) {
    return { ok: false, error: assistError(FIRST.auth, SECOND.loginPassword, 'wrong Login or Password') };
  }
  // «14/200 = wrong merchant_id or the user has no access to it» (§3.7, GAM6).
  if (!merchant || merchant !== owner) {
    return {
      ok: false,
      error: assistError(FIRST.forbiddenObject, SECOND.merchant, 'the user has no access to this Merchant_ID'),
    };
  }
  return { ok: true, merchant };
}

/** Applies an `xml` fault of the merchant: HTTP 500, or a hang; `times` counts down, then the fault is gone. */
async function serviceFault(ctx: SandboxContext, bag: ParamBag): Promise<Response | undefined> {
  const merchant = ctx.store.assist.merchants.get(bag.get('Merchant_ID') ?? '');
  const fault = merchant?.faults?.xml;
  if (!merchant?.faults || !fault) return undefined;
  if (fault.times !== undefined) {
    if (fault.times <= 1) delete merchant.faults.xml;
    else fault.times--;
    ctx.store.changed();
  }
  if (fault.mode === 'error500') {
    return new Response('Internal Server Error (sandbox fault injection)', {
      status: 500,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  await sleep(fault.delayMs ?? 30_000, ctx.stopSignal);
  return undefined;
}

const BILLNUMBER = /^(\d{15,16})(?:\.(\d{1,3}))?$/;

function findBill(
  ctx: SandboxContext,
  merchant: AssistMerchantConfig,
  raw: string | undefined,
  name = 'Billnumber',
): { ok: true; bill: AssistBill } | { ok: false; error: AssistError } {
  if (!raw) return { ok: false, error: assistError(FIRST.missing, SECOND.billNumber, `no ${name}`) };
  const match = BILLNUMBER.exec(raw.trim());
  if (!match)
    return { ok: false, error: assistError(FIRST.format, SECOND.billNumber, `${name} is not 15-16 digits[.k]`) };
  const bill = ctx.store.assist.bills.get(match[1] ?? '');
  if (!bill || bill.merchantId !== merchant.merchantId) {
    return { ok: false, error: assistError(FIRST.notFound, SECOND.order, `no bill ${match[1]} for this merchant`) };
  }
  expireHold(ctx, bill);
  return { ok: true, bill };
}

/** `Amount` + `Currency` «can be available or missing only simultaneously» (§3.3, §3.4). */
function amountAndCurrency(
  bag: ParamBag,
  bill: AssistBill,
): { ok: true; amount: number | undefined } | { ok: false; error: AssistError } {
  const rawAmount = bag.get('Amount');
  const rawCurrency = bag.get('Currency');
  const hasAmount = rawAmount !== undefined && rawAmount !== '';
  const hasCurrency = rawCurrency !== undefined && rawCurrency !== '';
  if (!hasAmount && !hasCurrency) return { ok: true, amount: undefined };
  if (!hasAmount) return { ok: false, error: assistError(FIRST.missing, SECOND.amount, 'Currency without Amount') };
  if (!hasCurrency) return { ok: false, error: assistError(FIRST.missing, SECOND.currency, 'Amount without Currency') };
  const amount = parseServiceAmount(rawAmount);
  if (amount === undefined)
    return { ok: false, error: assistError(FIRST.format, SECOND.amount, 'Amount is not a sum') };
  if (amount === 0) return { ok: false, error: assistError(FIRST.invalid, SECOND.amount, 'Amount is zero') };
  if (rawCurrency.toUpperCase() !== bill.currency) {
    return {
      ok: false,
      error: assistError(FIRST.invalid, SECOND.currency, `only ${bill.currency}, the payment's currency`),
    };
  }
  return { ok: true, amount };
}

const orderCheckvalue = (merchant: AssistMerchantConfig, bill: AssistBill) =>
  checkvalue(
    merchant.secretWord,
    notificationString(bill.merchantId, bill.orderNumber, formatMinor(bill.amount), bill.currency, bill.state),
  );

/** An orderstate `<order>` (§3.1): the checkvalue is over merchant_id+ordernumber+orderamount+ordercurrency+orderstate. */
function orderStateFields(ctx: SandboxContext, merchant: AssistMerchantConfig, bill: AssistBill): XmlField[] {
  return [
    ['ordernumber', bill.orderNumber],
    ['billnumber', bill.billNumber],
    ['orderamount', formatMinor(bill.amount)],
    ['ordercurrency', bill.currency],
    ['orderstate', bill.state],
    ['packetdate', formatAssistDate(ctx.now())],
    ['signature', ''],
    ['checkvalue', orderCheckvalue(merchant, bill)],
  ];
}

const operationState = (op: AssistOperation) =>
  op.responseCode === 'AS000' ? 'Success' : op.orderState === 'Timeout' ? 'Timeout' : 'Declined';

function operationFields(bill: AssistBill, op: AssistOperation): XmlField[] {
  const mean = bill.mean;
  return [
    ['billnumber', `${bill.billNumber}.${op.number}`],
    ['operationtype', String(op.type)],
    ['operationstate', operationState(op)],
    ['amount', formatMinor(op.amount)],
    ['currency', op.currency],
    ['ipaddress', bill.ipAddress],
    ['meantype_id', mean?.meanTypeId ?? ''],
    ['meansubtype', mean?.meanSubtype ?? ''],
    ['meannumber', mean?.meanNumber ?? ''],
    ['cardholder', mean?.cardholder ?? ''],
    ['cardexpirationdate', mean?.cardExpirationDate ?? ''],
    ['issuebank', mean?.method === 'card' ? 'SANDBOX BANK' : ''],
    ['bankcountry', mean?.method === 'card' ? 'Russian Federation' : ''],
    ['responsecode', op.responseCode],
    ['message', responseMessage(op.responseCode)],
    ['customermessage', responseMessage(op.responseCode)],
    ['recommendation', ''],
    ['approvalcode', op.responseCode === 'AS000' ? (bill.approvalCode ?? '') : ''],
    ['protocoltypename', 'NET'],
    ['processingname', bill.testMode ? 'Fake' : 'Sandbox'],
    ['operationdate', formatAssistDate(new Date(op.date))],
    ['slipno', op.responseCode === 'AS000' ? bill.billNumber.slice(-6) : ''],
  ];
}

/** An orderresult `<order>` (§3.2): the order, its payer, its checkvalue, and one `<operation>` per operation. */
function orderResultFields(ctx: SandboxContext, merchant: AssistMerchantConfig, bill: AssistBill): XmlField[] {
  return [
    ['ordernumber', bill.orderNumber],
    ['billnumber', bill.billNumber],
    ['testmode', bill.testMode ? '1' : '0'],
    ['ordercomment', bill.comment],
    ['orderamount', formatMinor(bill.amount)],
    ['ordercurrency', bill.currency],
    ['rate', '1'],
    ['orderdate', formatAssistDate(new Date(bill.createdAt))],
    ['orderstate', bill.state],
    ['firstname', bill.payer.firstname],
    ['lastname', bill.payer.lastname],
    ['middlename', bill.payer.middlename],
    ['email', bill.payer.email],
    ['packetdate', formatAssistDate(ctx.now())],
    ['signature', ''],
    ['checkvalue', orderCheckvalue(merchant, bill)],
    ...bill.operations.map((op): XmlField => ['operation', operationFields(bill, op)]),
  ];
}

/** The `<orders><order>` of charge, cancel and rp.cfm: the operation just made, and the order's new state. */
function operationReply(merchant: AssistMerchantConfig, bill: AssistBill, op: AssistOperation): string {
  const fields: XmlField[] = [
    ['billnumber', `${bill.billNumber}.${op.number}`],
    ['ordernumber', bill.orderNumber],
    ['operationtype', String(op.type)],
    ['responsecode', op.responseCode],
    ['message', responseMessage(op.responseCode)],
    ['customermessage', responseMessage(op.responseCode)],
    ['amount', formatMinor(op.amount)],
    ['currency', op.currency],
    ['orderamount', formatMinor(bill.amount)],
    ['ordercurrency', bill.currency],
    ['meannumber', bill.mean?.meanNumber ?? ''],
    ['approvalcode', bill.approvalCode ?? ''],
    ['orderstate', op.orderState],
    ['testmode', bill.testMode ? '1' : '0'],
    ['packetdate', formatAssistDate(new Date(op.date))],
    ['signature', ''],
    [
      'checkvalue',
      checkvalue(
        merchant.secretWord,
        notificationString(bill.merchantId, bill.orderNumber, formatMinor(bill.amount), bill.currency, op.orderState),
      ),
    ],
  ];
  return resultDocument(0, 0, `<orders>${element('order', fields)}</orders>`, 1);
}

const DAY = 24 * 60 * 60 * 1000;

/** `StartYear/StartMonth/StartDay/StartHour/StartMin` (GMT); a missing part is the default's. */
function windowPart(bag: ParamBag, prefix: 'Start' | 'End', fallback: Date): Date | undefined {
  const parts = ['Year', 'Month', 'Day', 'Hour', 'Min'].map((p) => bag.get(`${prefix}${p}`));
  if (parts.every((p) => p === undefined || p === '')) return fallback;
  if (parts.some((p) => p !== undefined && p !== '' && !/^\d{1,4}$/.test(p))) return undefined;
  const [y, mo, d, h, mi] = parts.map((p, i) =>
    p === undefined || p === ''
      ? [
          fallback.getUTCFullYear(),
          fallback.getUTCMonth() + 1,
          fallback.getUTCDate(),
          fallback.getUTCHours(),
          fallback.getUTCMinutes(),
        ][i]
      : Number(p),
  ) as [number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, prefix === 'End' ? 59 : 0, prefix === 'End' ? 999 : 0));
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59) return undefined;
  return date;
}

function billsInWindow(
  ctx: SandboxContext,
  merchant: AssistMerchantConfig,
  bag: ParamBag,
): { ok: true; bills: AssistBill[] } | { ok: false; error: AssistError } {
  const orderNumber = bag.get('Ordernumber');
  if (!orderNumber) return { ok: false, error: assistError(FIRST.missing, SECOND.orderNumber, 'no Ordernumber') };
  if (orderNumber.length > 128) {
    return { ok: false, error: assistError(FIRST.format, SECOND.orderNumber, 'Ordernumber is over 128 characters') };
  }
  const now = ctx.now();
  // The default window is the last three days (DOC-BY orderstate, §3.1).
  const start = windowPart(bag, 'Start', new Date(now.getTime() - 3 * DAY));
  if (!start) return { ok: false, error: assistError(FIRST.format, SECOND.startDate, 'Start* is not a date') };
  const end = windowPart(bag, 'End', now);
  if (!end) return { ok: false, error: assistError(FIRST.format, SECOND.endDate, 'End* is not a date') };
  const bills = ctx.store.assist.billsOf(merchant.merchantId, orderNumber).filter((b) => {
    const created = Date.parse(b.createdAt);
    return created >= start.getTime() && created <= end.getTime();
  });
  for (const bill of bills) expireHold(ctx, bill);
  if (bills.length === 0) {
    return { ok: false, error: assistError(FIRST.notFound, SECOND.order, 'no payments for this order in the period') };
  }
  return { ok: true, bills };
}

function orderState(ctx: SandboxContext, merchant: AssistMerchantConfig, bag: ParamBag): Outcome {
  const found = billsInWindow(ctx, merchant, bag);
  if (!found.ok) return found;
  const inner = found.bills.map((b) => element('order', orderStateFields(ctx, merchant, b))).join('');
  return { ok: true, body: resultDocument(0, 0, inner, found.bills.length) };
}

function orderResult(ctx: SandboxContext, merchant: AssistMerchantConfig, bag: ParamBag): Outcome {
  let bills: AssistBill[];
  if (bag.get('Billnumber')) {
    const found = findBill(ctx, merchant, bag.get('Billnumber'));
    if (!found.ok) return found;
    bills = [found.bill];
  } else {
    if (!bag.get('Ordernumber')) return refuse(FIRST.missing, SECOND.billNumber, 'give Ordernumber or Billnumber');
    const found = billsInWindow(ctx, merchant, bag);
    if (!found.ok) return found;
    bills = found.bills;
  }
  const inner = bills.map((b) => element('order', orderResultFields(ctx, merchant, b))).join('');
  return { ok: true, body: resultDocument(0, 0, inner, bills.length) };
}

/** charge.cfm (§3.3): a Delayed bill, fully or (if the processing allows) partly; a repeat returns the first. */
function charge(ctx: SandboxContext, merchant: AssistMerchantConfig, bag: ParamBag): Outcome {
  const found = findBill(ctx, merchant, bag.get('Billnumber'));
  if (!found.ok) return found;
  const bill = found.bill;
  const earlier = bill.operations.find((o) => o.type === 200 && o.responseCode === 'AS000');
  // «Repeated confirmation can't make a double withdrawal»: the same successful answer again.
  if (earlier) return { ok: true, body: operationReply(merchant, bill, earlier) };
  if (bill.state !== 'Delayed') {
    return refuse(FIRST.forbiddenOperation, SECOND.financialConfirmation, `the bill is ${bill.state}, not Delayed`);
  }
  const sum = amountAndCurrency(bag, bill);
  if (!sum.ok) return sum;
  const amount = sum.amount ?? bill.amount;
  if (amount > bill.amount) return refuse(FIRST.invalid, SECOND.amount, 'Amount is more than the hold');
  const partial = amount < bill.amount;
  if (partial && merchant.partialCharge === 'forbidden') {
    return refuse(
      FIRST.forbiddenOperation,
      SECOND.financialConfirmation,
      'the processing does not confirm part of a hold',
    );
  }
  const state = partial && merchant.partialCharge === 'partial-delayed' ? 'PartialDelayed' : 'Approved';
  bill.charged = amount;
  const op = addOperation(ctx, bill, {
    type: 200,
    amount,
    currency: bill.currency,
    responseCode: 'AS000',
    orderState: state,
  });
  setBillState(ctx, bill, state);
  ctx.log(
    `Assist charge ${bill.merchantId}/${bill.orderNumber} bill ${bill.billNumber}: ${formatMinor(amount)} → ${state}`,
  );
  return { ok: true, body: operationReply(merchant, bill, op) };
}

const EXTERNAL_REFUND_ID = /^[A-Za-z0-9_-]{10,100}$/;

/** cancel.cfm / wscancel.cfm (§3.4): a hold is voided whole; a paid bill is refunded, in full or in parts. */
function cancel(ctx: SandboxContext, merchant: AssistMerchantConfig, bag: ParamBag): Outcome {
  const found = findBill(ctx, merchant, bag.get('Billnumber'));
  if (!found.ok) return found;
  const bill = found.bill;
  const sum = amountAndCurrency(bag, bill);
  if (!sum.ok) return sum;
  const reasonRaw = bag.get('CancelReason');
  if (reasonRaw !== undefined && reasonRaw !== '' && !/^[123]$/.test(reasonRaw)) {
    return refuse(FIRST.format, SECOND.none, 'CancelReason is 1, 2 or 3');
  }
  const cancelReason = reasonRaw ? Number(reasonRaw) : 2;
  const externalRefundId = bag.get('Externalrefundid') || undefined;
  if (externalRefundId !== undefined) {
    if (!EXTERNAL_REFUND_ID.test(externalRefundId)) {
      return refuse(FIRST.format, SECOND.none, 'Externalrefundid is 10-100 of [A-Za-z0-9-_]');
    }
    const used = ctx.store.assist
      .billsOf(bill.merchantId, bill.orderNumber)
      .some((b) => b.operations.some((o) => o.externalRefundId === externalRefundId));
    if (used) return refuse(FIRST.duplicate, SECOND.none, 'Externalrefundid is already used in this order');
  }

  if (bill.state === 'Delayed') {
    if (sum.amount !== undefined && sum.amount !== bill.amount) {
      return refuse(FIRST.forbiddenOperation, SECOND.cancelAuthorization, 'a hold is cancelled whole');
    }
    const op = addOperation(ctx, bill, {
      type: 300,
      amount: bill.amount,
      currency: bill.currency,
      responseCode: 'AS000',
      orderState: 'Canceled',
      cancelReason,
      externalRefundId,
    });
    setBillState(ctx, bill, 'Canceled');
    ctx.log(`Assist cancel ${bill.merchantId}/${bill.orderNumber} bill ${bill.billNumber}: hold voided`);
    return { ok: true, body: operationReply(merchant, bill, op) };
  }
  if (bill.state !== 'Approved' && bill.state !== 'PartialCanceled' && bill.state !== 'PartialDelayed') {
    return refuse(FIRST.forbiddenOperation, SECOND.refund, `the bill is ${bill.state}: nothing to cancel`);
  }
  const remaining = bill.charged - bill.refunded;
  const amount = sum.amount ?? remaining;
  if (amount > remaining) {
    return refuse(FIRST.invalid, SECOND.amount, `only ${formatMinor(remaining)} is left to refund`);
  }
  bill.refunded += amount;
  const state = bill.refunded >= bill.charged ? 'Canceled' : 'PartialCanceled';
  const op = addOperation(ctx, bill, {
    type: 300,
    amount,
    currency: bill.currency,
    responseCode: 'AS000',
    orderState: state,
    cancelReason,
    externalRefundId,
  });
  setBillState(ctx, bill, state);
  ctx.log(
    `Assist refund ${bill.merchantId}/${bill.orderNumber} bill ${bill.billNumber}: ${formatMinor(amount)} → ${state}`,
  );
  return { ok: true, body: operationReply(merchant, bill, op) };
}

/** rp.cfm (§3.5): a new order charged like the initial recurring bill, within its limits and currency. */
function recurring(ctx: SandboxContext, merchant: AssistMerchantConfig, bag: ParamBag): Outcome {
  const found = findBill(ctx, merchant, bag.get('BillNumber'), 'BillNumber');
  if (!found.ok) return found;
  const parent = found.bill;
  const orderNumber = bag.get('OrderNumber');
  if (!orderNumber) return refuse(FIRST.missing, SECOND.orderNumber, 'no OrderNumber');
  if (orderNumber.length > 128) return refuse(FIRST.format, SECOND.orderNumber, 'OrderNumber is over 128 characters');
  const rawAmount = bag.get('Amount');
  if (!rawAmount) return refuse(FIRST.missing, SECOND.amount, 'no Amount');
  const amount = parseServiceAmount(rawAmount);
  if (amount === undefined || amount === 0) return refuse(FIRST.format, SECOND.amount, 'Amount is not a sum');
  const currency = bag.get('Currency');
  if (!currency) return refuse(FIRST.missing, SECOND.currency, 'no Currency');
  const rec = parent.recurring;
  if (!rec || !AUTHORISED_STATES.has(parent.state) || parent.state === 'Delayed' || parent.state === 'Canceled') {
    return refuse(FIRST.forbiddenOperation, SECOND.recurring, 'the initial bill is not a paid recurring payment');
  }
  if (currency.toUpperCase() !== parent.currency) {
    return refuse(FIRST.invalid, SECOND.currency, `the initial payment was in ${parent.currency}`);
  }
  if (amount < rec.minAmount || amount > rec.maxAmount) {
    return refuse(
      FIRST.limits,
      SECOND.limit,
      `Amount is outside ${formatMinor(rec.minAmount)}…${formatMinor(rec.maxAmount)}`,
    );
  }
  const maxDate = parseDayMonthYear(rec.maxDate);
  if (maxDate && ctx.now().getTime() > maxDate.getTime()) {
    return refuse(FIRST.forbiddenOperation, SECOND.recurring, `the subscription ended on ${rec.maxDate}`);
  }
  if (ctx.store.assist.billsOf(merchant.merchantId, orderNumber).some((b) => AUTHORISED_STATES.has(b.state))) {
    return refuse(FIRST.duplicate, SECOND.orderNumber, `order ${orderNumber} is already paid`);
  }
  const now = ctx.now().toISOString();
  const child: AssistBill = {
    billNumber: ctx.store.assist.newBillNumber(),
    merchantId: merchant.merchantId,
    orderNumber,
    orderAmountSent: rawAmount,
    amount,
    currency: parent.currency,
    comment: bag.get('OrderComment') ?? '',
    delay: false,
    language: (bag.get('Language') ?? '').toUpperCase() === 'EN' ? 'EN' : 'RU',
    payer: { ...parent.payer },
    methods: parent.methods,
    parentBillNumber: parent.billNumber,
    testMode: merchant.testMode,
    state: 'Approved',
    page: 'done',
    mean: parent.mean,
    responseCode: 'AS000',
    approvalCode: parent.approvalCode,
    charged: amount,
    refunded: 0,
    operations: [],
    notifications: [],
    ipAddress: bag.get('ClientIP') ?? parent.ipAddress,
    createdAt: now,
    stateChangedAt: now,
    warnings: [],
  };
  ctx.store.assist.addBill(child);
  const op = addOperation(ctx, child, {
    type: 100,
    amount,
    currency: child.currency,
    responseCode: 'AS000',
    orderState: 'Approved',
  });
  ctx.log(`Assist recurring ${merchant.merchantId}/${orderNumber} bill ${child.billNumber} from ${parent.billNumber}`);
  sendNotification(ctx, child, merchant, assistFaults(ctx, merchant, orderNumber).callback);
  return { ok: true, body: operationReply(merchant, child, op) };
}

const SERVICES: Record<AssistService, (ctx: SandboxContext, m: AssistMerchantConfig, bag: ParamBag) => Outcome> = {
  orderstate: orderState,
  orderresult: orderResult,
  charge,
  cancel,
  recurring,
};

/** One web-service call: fault injection, Format, authentication, then the service itself. */
export async function assistService(ctx: SandboxContext, service: AssistService, bag: ParamBag): Promise<Response> {
  const faulted = await serviceFault(ctx, bag);
  if (faulted) return faulted;
  const answer = (outcome: Outcome) => {
    if (outcome.ok) return xmlResponse(outcome.body);
    ctx.log(
      `Assist ${service} refused: ${outcome.error.firstcode}/${outcome.error.secondcode} (${outcome.error.detail})`,
    );
    return xmlResponse(resultDocument(outcome.error.firstcode, outcome.error.secondcode));
  };
  const format = bag.get('Format');
  // Only XML is emulated; CSV, WDDX, SOAP and JSON get a format error instead of a shape the sandbox would guess.
  if (format !== undefined && format !== '' && format !== '3') {
    return answer(refuse(FIRST.format, SECOND.format, 'the sandbox answers Format=3 (XML) only'));
  }
  const auth = authenticate(ctx, bag);
  if (!auth.ok) return answer(auth);
  return answer(SERVICES[service](ctx, auth.merchant, bag));
}
