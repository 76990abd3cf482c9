/**
 * `npm run bench -w @kassa/core`: what signing and verification cost, as ratios against a bare
 * `crypto.createHash` over the same base string and against `@dev-aces/robokassa` on the same inputs, all measured
 * in this run on this machine (absolute ops/s vary between machines; the ratios are what we track).
 *
 * No targets here: issue #8 replaced the hand-written fast paths that chased micro-benchmark targets with plain code
 * (zod, URLSearchParams, timingSafeEqual, JSON.stringify), because what a merchant notices is the notification route
 * of a real platform — measured end to end by plugins/medusa's bench (duplicate callbacks ÷ a no-op route), where a
 * few microseconds here vanish next to Medusa's milliseconds. These ratios are tracked to catch regressions.
 *
 * The ResultURL handler is measured the same way against the cheapest possible handler: `handleResultUrl` answering a
 * replayed (already paid) callback vs an `async` function that only returns `new Response('OK42')`, on the same GET
 * Request. Its ledger answers from memory without a tick, so the figure is the handler's own cost, not a database's.
 */
import { createHash } from 'node:crypto';
import { Robokassa } from '@dev-aces/robokassa';
import { createJsonConsoleLogger, type PaymentLedger, type PaymentRecord, silentLogger } from '@kassa/core';
import { createAssistConfig, verifyAssistNotification } from '@kassa/core/assist';
import {
  buildPaymentRequest,
  createRobokassaConfig,
  handleResultUrl,
  paymentSignature,
  paymentSignatureBase,
  type ResultUrlHandlerDeps,
  verifyResultCallback,
} from '@kassa/core/robokassa';
import { Bench } from 'tinybench';

const login = 'my_merchant_login';
const password1 = 'my_password_1';
const password2 = 'my_password_2';
const config = createRobokassaConfig({ login, password1, password2 });

// One realistic payment: amount, InvId, description and two user parameters.
const shp = [
  { name: 'Shp_order', value: '42' },
  { name: 'Shp_user', value: '7' },
];
const parts = { login, outSum: '1500.00', invId: 42, password: password1, shp };
const paymentBase = paymentSignatureBase(parts);
const params = { outSum: '1500.00', invId: 42, description: 'Order 42', shp: { order: '42', user: '7' } };

// The ResultURL Robokassa would send for it.
const callbackBase = `1500.000000:42:${password2}:Shp_order=42:Shp_user=7`;
const callback = {
  OutSum: '1500.000000',
  InvId: '42',
  Shp_order: '42',
  Shp_user: '7',
  SignatureValue: createHash('md5').update(callbackBase).digest('hex').toUpperCase(),
};

const peer = new Robokassa({ merchantLogin: login, password1, password2 });
const peerOrder = () => ({
  outSum: '1500.00',
  invId: 42,
  description: 'Order 42',
  userParameters: { Shp_order: '42', Shp_user: '7' },
});

// Sanity: every contender computes the same thing before anything is timed.
const ours = paymentSignature(parts, 'md5');
const bare = createHash('md5').update(paymentBase, 'utf8').digest('hex');
if (ours !== bare) throw new Error('signature mismatch with the bare hash');
if (!new URL(peer.generatePaymentUrl(peerOrder())).searchParams.get('SignatureValue')?.includes(ours)) {
  throw new Error('the peer signs a different base; the comparison would be meaningless');
}
if (!verifyResultCallback(config, callback).ok || !peer.checkPayment({ ...callback } as never)) {
  throw new Error('a contender does not verify the callback');
}

// The handler case: the same callback as Robokassa's GET to the ResultURL, for an invoice the ledger already has as
// paid (a retry or duplicate, which every shop sees). Robokassa also sends PaymentMethod and IncCurrLabel.
const resultRequest = new Request(
  `https://shop.example/robokassa/result?${new URLSearchParams({
    ...callback,
    PaymentMethod: 'BankCard',
    IncCurrLabel: 'BankCardPSR',
  })}`,
);
const paidRecord: PaymentRecord = Object.freeze({
  gateway: 'robokassa' as const,
  invoiceId: '42',
  details: Object.freeze({}),
  reference: 'order-42',
  amount: Object.freeze({ currency: 'RUB' as const, minor: 150000n }),
  isTest: false,
  state: 'paid' as const,
  refunded: Object.freeze({ currency: 'RUB' as const, minor: 0n }),
  createdAt: new Date(0),
  updatedAt: new Date(0),
});
const refuse = () => Promise.reject(new Error('a replay must not reach this'));
const paidLedger: PaymentLedger = {
  find: (key) => Promise.resolve(key.gateway === 'robokassa' && key.invoiceId === '42' ? paidRecord : undefined),
  create: refuse,
  findByReference: refuse,
  transition: refuse,
  markSettled: refuse,
  listStale: refuse,
  listUnsettled: refuse,
  markSurplus: refuse,
  list: refuse,
};

// Assist (issue #9): a notification's checkvalue is UPPER(md5(UPPER(md5(secret)) + UPPER(md5(x)))) with x the
// concatenation of merchant_id, ordernumber, amount, currency, orderstate; the bare cost is those three MD5 rounds.
const assistSecret = 'assist_secret_word';
const assistConfig = createAssistConfig({ merchantId: '100500', secretWord: assistSecret });
const md5Upper = (text: string) => createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
const assistX = '100500' + 'order-42' + '1500.00' + 'RUB' + 'Approved';
const assistCheckvalue = md5Upper(md5Upper(assistSecret) + md5Upper(assistX));
const assistBody = new URLSearchParams({
  merchant_id: '100500',
  ordernumber: 'order-42',
  billnumber: '5775486650107611',
  orderamount: '1500.00',
  ordercurrency: 'RUB',
  amount: '1500.00',
  currency: 'RUB',
  orderstate: 'Approved',
  packetdate: '03.12.2026 10:00:00',
  meantypename: 'VISA',
  checkvalue: assistCheckvalue,
}).toString();
if (!verifyAssistNotification(assistConfig, assistBody).ok) throw new Error('the Assist notification does not verify');
const handlerDeps: ResultUrlHandlerDeps = { config, ledger: paidLedger, logger: silentLogger };
// A logger that formats and redacts every line like the default one, then drops it (no console in a benchmark).
const loggedDeps: ResultUrlHandlerDeps = { ...handlerDeps, logger: createJsonConsoleLogger({ write: () => {} }) };
const trivialHandler = async (_request: Request): Promise<Response> => new Response('OK42');
for (const deps of [handlerDeps, loggedDeps]) {
  const answer = await handleResultUrl(resultRequest, deps);
  if (answer.status !== 200 || (await answer.text()) !== 'OK42') throw new Error('the handler does not answer OK42');
}

let sink = 0;
const bench = new Bench({ time: Number(process.env.BENCH_TIME_MS ?? 1500), warmup: true });
bench
  .add('bare md5 over the payment base', () => {
    sink += createHash('md5').update(paymentBase, 'utf8').digest('hex').length;
  })
  .add('kassa paymentSignature', () => {
    sink += paymentSignature(parts, 'md5').length;
  })
  .add('kassa buildPaymentRequest (URL + form)', () => {
    sink += buildPaymentRequest(config, params).url.length;
  })
  .add('peer generatePaymentUrl', () => {
    sink += peer.generatePaymentUrl(peerOrder()).length;
  })
  .add('bare md5 over the callback base', () => {
    sink += createHash('md5').update(callbackBase, 'utf8').digest('hex').length;
  })
  .add('kassa verifyResultCallback', () => {
    sink += verifyResultCallback(config, callback).ok ? 1 : 0;
  })
  .add('peer checkPayment', () => {
    sink += peer.checkPayment({ ...callback } as never) ? 1 : 0;
  })
  .add('trivial handler: new Response(OK42)', async () => {
    sink += (await trivialHandler(resultRequest)).status;
  })
  .add('bare md5 rounds of an Assist checkvalue', () => {
    sink += md5Upper(md5Upper(assistSecret) + md5Upper(assistX)).length;
  })
  .add('kassa verifyAssistNotification', () => {
    sink += verifyAssistNotification(assistConfig, assistBody).ok ? 1 : 0;
  })
  .add('kassa handleResultUrl, replay', async () => {
    sink += (await handleResultUrl(resultRequest, handlerDeps)).status;
  })
  .add('kassa handleResultUrl, replay, logged', async () => {
    sink += (await handleResultUrl(resultRequest, loggedDeps)).status;
  });

await bench.run();

const opsPerSecond = new Map(
  bench.tasks.map((t) => [t.name, (t.result as { throughput: { mean: number } }).throughput.mean]),
);
const ops = (name: string) => {
  const value = opsPerSecond.get(name);
  if (value === undefined) throw new Error(`no result for ${name}`);
  return value;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

console.log('\n@kassa/core signing benchmark (ops/s, higher is better; cost = bare ops/s ÷ ops/s)\n');
for (const [name, value] of opsPerSecond) console.log(`  ${name.padEnd(42)} ${fmt(value).padStart(12)} ops/s`);

const rows = [
  {
    what: 'payment signature',
    ours: 'kassa paymentSignature',
    bare: 'bare md5 over the payment base',
    peer: undefined,
  },
  {
    what: 'full payment URL',
    ours: 'kassa buildPaymentRequest (URL + form)',
    bare: 'bare md5 over the payment base',
    peer: 'peer generatePaymentUrl',
  },
  {
    what: 'ResultURL verification',
    ours: 'kassa verifyResultCallback',
    bare: 'bare md5 over the callback base',
    peer: 'peer checkPayment',
  },
  {
    what: 'Assist notification',
    ours: 'kassa verifyAssistNotification',
    bare: 'bare md5 rounds of an Assist checkvalue',
    peer: undefined,
  },
];
console.log('');
for (const r of rows) {
  const cost = ops(r.bare) / ops(r.ours);
  let line = `  ${r.what.padEnd(24)} ${cost.toFixed(2)}× the bare hash`;
  if (r.peer) {
    const peerCost = ops(r.bare) / ops(r.peer);
    line += `; peer ${peerCost.toFixed(2)}× → kassa is ${(ops(r.ours) / ops(r.peer)).toFixed(2)}× the peer's speed`;
  }
  console.log(line);
}

// The mean of per-call throughputs (above) weighs a call by how fast it was, so calls that pay for a garbage
// collection count for little; the mean time per call does not. Both are shown for the callback rows.
const meanTime = new Map(
  bench.tasks.map((t) => [t.name, (t.result as { latency: { mean: number } }).latency.mean] as const),
);
const timeRatio = (name: string, base: string) =>
  (meanTime.get(name) ?? Number.NaN) / (meanTime.get(base) ?? Number.NaN);
console.log(
  `  ${'(by mean time per call)'.padEnd(24)} verification ${timeRatio('kassa verifyResultCallback', 'bare md5 over the callback base').toFixed(2)}×, peer ${timeRatio('peer checkPayment', 'bare md5 over the callback base').toFixed(2)}×`,
);
const trivial = 'trivial handler: new Response(OK42)';
for (const name of ['kassa handleResultUrl, replay', 'kassa handleResultUrl, replay, logged']) {
  const what = name.endsWith('logged') ? 'ResultURL handler, logged' : 'ResultURL handler';
  console.log(
    `  ${what.padEnd(24)} ${(ops(trivial) / ops(name)).toFixed(2)}× a trivial handler (by mean time per call ${timeRatio(name, trivial).toFixed(2)}×)`,
  );
}
if (sink === 0) console.log('(sink)');
