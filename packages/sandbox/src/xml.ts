import type { PaymentMethod, PaymentMethodGroup } from './catalog.js';
import { findMethod } from './catalog.js';
import type { MerchantConfig } from './config.js';
import type { SandboxContext } from './context.js';
import { formatMoscowDate } from './dates.js';
import { hashHex, hexEquals } from './hash.js';
import { expireHold } from './holds.js';
import { formatAmount, parseAmount, percentOf } from './money.js';
import type { ParamBag } from './params.js';
import { opStateSignatureBase } from './signature.js';
import type { Operation } from './store.js';
import { sleep } from './timers.js';

/**
 * `Merchant/WebService/Service.asmx/*` (§3): the .NET XmlSerializer shape of the real service, with its real
 * namespace `http://merchant.roboxchange.com/WebService/` (not the one in the docs' template), 6-decimal sums and
 * Moscow dates with seven fractional digits.
 */

interface XmlNode {
  name: string;
  attrs?: Array<[string, string | undefined]>;
  children?: XmlNode[];
  text?: string;
}

const escapeXml = (value: string) =>
  value.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch] ?? ch);

function render(node: XmlNode, depth: number): string {
  const pad = '  '.repeat(depth);
  const attrs = (node.attrs ?? [])
    .filter((a): a is [string, string] => a[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
  if (node.children && node.children.length > 0) {
    const inner = node.children.map((c) => render(c, depth + 1)).join('');
    return `${pad}<${node.name}${attrs}>\n${inner}${pad}</${node.name}>\n`;
  }
  if (node.text !== undefined) return `${pad}<${node.name}${attrs}>${escapeXml(node.text)}</${node.name}>\n`;
  return `${pad}<${node.name}${attrs} />\n`;
}

const NAMESPACES: Array<[string, string]> = [
  ['xmlns:xsd', 'http://www.w3.org/2001/XMLSchema'],
  ['xmlns:xsi', 'http://www.w3.org/2001/XMLSchema-instance'],
  ['xmlns', 'http://merchant.roboxchange.com/WebService/'],
];

export function xmlDocument(root: string, children: XmlNode[]): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${render({ name: root, attrs: NAMESPACES, children }, 0)}`;
}

const text = (name: string, value: string): XmlNode => ({ name, text: value });

/** `Result.Code` values (§3): 0 ok, 1 bad signature, 2 shop not found, 3 no such operation, 4 duplicate, 5 calc error. */
const RESULT_TEXTS: Record<number, string> = {
  1: 'Неверная подпись запроса',
  2: 'Магазин не найден или не активирован',
  3: 'Операция с таким InvoiceID не найдена',
  4: 'Найдено две операции с таким InvoiceID',
  5: 'Ошибка расчёта суммы',
  1000: 'Внутренняя ошибка сервиса',
};

function result(code: number, description?: string): XmlNode {
  const children = [text('Code', String(code))];
  if (code !== 0) children.push(text('Description', description ?? RESULT_TEXTS[code] ?? ''));
  return { name: 'Result', children };
}

const limitValue = (value: number | undefined) => (value === undefined ? undefined : String(value));

function currencyNode(method: PaymentMethod, en: boolean, extra: XmlNode[] = []): XmlNode {
  return {
    name: 'Currency',
    attrs: [
      ['Label', method.label],
      ['Alias', method.alias],
      ['Name', en ? (method.nameEn ?? method.name) : method.name],
      ['MinValue', limitValue(method.minValue)],
      ['MaxValue', limitValue(method.maxValue)],
    ],
    children: extra,
  };
}

function groupNodes(groups: readonly PaymentMethodGroup[], en: boolean, items: (g: PaymentMethodGroup) => XmlNode[]) {
  return groups.map(
    (group): XmlNode => ({
      name: 'Group',
      attrs: [
        ['Code', group.code],
        ['Description', en ? (group.descriptionEn ?? group.description) : group.description],
      ],
      children: [{ name: 'Items', children: items(group) }],
    }),
  );
}

/** A masked account the way OpStateExt shows it (`123456******0987` for a card, §3.1 sample). */
function incAccount(op: Operation): string {
  const tail = op.opKey.replace(/\D/g, '').padEnd(4, '0').slice(-4);
  switch (op.paidWith?.group) {
    case 'BankCard':
      return `220220******${tail}`;
    case 'Mobile':
      return `79*****${tail}`;
    case 'EMoney':
      return `4100*******${tail}`;
    case 'SBP':
      return `+7******${tail}`;
    default:
      return '';
  }
}

function operationState(ctx: SandboxContext, bag: ParamBag, extended: boolean): string {
  const root = 'OperationStateResponse';
  const merchant = ctx.store.merchants.get(bag.get('MerchantLogin') ?? '');
  if (!merchant) return xmlDocument(root, [result(2)]);
  const invoiceId = bag.get('InvoiceID', 'InvId') ?? '';
  // Which Password #2 signs OpStateExt for a test operation is undocumented (@kassa/core uses the test one for
  // test invoices): either is accepted, like Confirm/Cancel do. Both are hashed, so timing does not tell which.
  const received = bag.get('Signature', 'SignatureValue') ?? '';
  const signedWith = (password: string | undefined) =>
    password !== undefined &&
    hexEquals(hashHex(merchant.algorithm, opStateSignatureBase(merchant.login, invoiceId, password)), received);
  const production = signedWith(merchant.password2);
  const test = signedWith(merchant.testPassword2);
  if (!production && !test) return xmlDocument(root, [result(1)]);
  if (!/^\d{1,10}$/.test(invoiceId)) return xmlDocument(root, [result(3)]);
  const ops = ctx.store.byInvoiceId(merchant.login, Number(invoiceId)).filter((op) => op.state !== null);
  for (const op of ops) expireHold(ctx, op);
  if (ops.length === 0) return xmlDocument(root, [result(3)]);
  if (ops.some((op) => op.isTest) && ops.some((op) => !op.isTest)) return xmlDocument(root, [result(4)]);
  const op = ops.at(-1) as Operation;
  const info: XmlNode[] = [
    text('IncCurrLabel', op.paidWith?.label ?? op.incCurrLabel ?? ''),
    text('IncSum', formatAmount(op.amount, 6)),
    text('IncAccount', incAccount(op)),
  ];
  if (op.paidWith) {
    info.push({
      name: 'PaymentMethod',
      children: [text('Code', op.paidWith.group), text('Description', op.paidWith.groupDescription)],
    });
  }
  info.push(text('OutCurrLabel', 'BNR'), text('OutSum', formatAmount(op.amount, 6)));
  if (extended) info.push(text('OpKey', op.opKey));
  const children: XmlNode[] = [
    result(0),
    {
      name: 'State',
      children: [
        text('Code', String(op.state)),
        text('RequestDate', formatMoscowDate(ctx.now())),
        text('StateDate', formatMoscowDate(new Date(op.stateChangedAt))),
      ],
    },
    { name: 'Info', attrs: extended ? [['xsi:type', 'OperationInfoExt']] : [], children: info },
  ];
  if (extended && op.shp.length > 0) {
    children.push({
      name: 'UserField',
      children: op.shp.map(([n, v]) => ({ name: 'Field', children: [text('Name', n), text('Value', v)] })),
    });
  }
  return xmlDocument(root, children);
}

function merchantOr(ctx: SandboxContext, bag: ParamBag, root: string): MerchantConfig | string {
  return ctx.store.merchants.get(bag.get('MerchantLogin') ?? '') ?? xmlDocument(root, [result(2)]);
}

function currencies(ctx: SandboxContext, bag: ParamBag): string {
  const merchant = merchantOr(ctx, bag, 'CurrenciesList');
  if (typeof merchant === 'string') return merchant;
  const en = bag.get('Language')?.toLowerCase() === 'en';
  return xmlDocument('CurrenciesList', [
    result(0),
    { name: 'Groups', children: groupNodes(merchant.catalog, en, (g) => g.methods.map((m) => currencyNode(m, en))) },
  ]);
}

function paymentMethods(ctx: SandboxContext, bag: ParamBag): string {
  const merchant = merchantOr(ctx, bag, 'PaymentMethodsList');
  if (typeof merchant === 'string') return merchant;
  const en = bag.get('Language')?.toLowerCase() === 'en';
  return xmlDocument('PaymentMethodsList', [
    result(0),
    {
      name: 'Methods',
      children: merchant.catalog.map((g) => ({
        name: 'Method',
        attrs: [
          ['Code', g.code],
          ['Description', en ? (g.descriptionEn ?? g.description) : g.description],
        ],
      })),
    },
  ]);
}

/** CalcOutSumm: what the shop is credited when the buyer pays IncSum with IncCurrLabel (§3.4). */
function calcOutSum(ctx: SandboxContext, bag: ParamBag): string {
  const root = 'CalcSummsResponseData';
  const merchant = merchantOr(ctx, bag, root);
  if (typeof merchant === 'string') return merchant;
  const entry = findMethod(merchant.catalog, bag.get('IncCurrLabel') ?? '');
  if (!entry) return xmlDocument(root, [result(5, 'Неизвестный IncCurrLabel')]);
  const incSum = parseAmount(bag.get('IncSum') ?? '');
  if (incSum === undefined || incSum <= 0) return xmlDocument(root, [result(5, 'Неверная сумма IncSum')]);
  const fee = percentOf(incSum, entry.method.commissionPercent ?? merchant.commissionPercent);
  return xmlDocument(root, [result(0), text('OutSum', formatAmount(incSum - fee, 6))]);
}

/** GetRates: what the buyer pays per method for the shop's OutSum — the same sum, the commission is the shop's. */
function rates(ctx: SandboxContext, bag: ParamBag): string {
  const root = 'RatesList';
  const merchant = merchantOr(ctx, bag, root);
  if (typeof merchant === 'string') return merchant;
  const outSum = parseAmount(bag.get('OutSum') ?? '');
  if (outSum === undefined || outSum <= 0) return xmlDocument(root, [result(5, 'Неверная сумма OutSum')]);
  const label = bag.nonEmpty('IncCurrLabel');
  const en = bag.get('Language')?.toLowerCase() === 'en';
  const groups = merchant.catalog
    .map((g) => ({ ...g, methods: g.methods.filter((m) => label === undefined || m.label === label) }))
    .filter((g) => g.methods.length > 0);
  const rate: XmlNode = { name: 'Rate', attrs: [['IncSum', formatAmount(outSum, 6)]] };
  return xmlDocument(root, [
    result(0),
    { name: 'Groups', children: groupNodes(groups, en, (g) => g.methods.map((m) => currencyNode(m, en, [rate]))) },
  ]);
}

/** A Map, not an object literal: `constructor` or `__proto__` must not resolve to anything (no prototype lookups). */
const METHODS = new Map<string, (ctx: SandboxContext, bag: ParamBag) => string>([
  ['opstateext', (ctx, bag) => operationState(ctx, bag, true)],
  ['opstate', (ctx, bag) => operationState(ctx, bag, false)],
  ['getcurrencies', currencies],
  ['getpaymentmethods', paymentMethods],
  ['calcoutsumm', calcOutSum],
  ['getrates', rates],
]);

/** Applies an `xml` fault of the merchant named in the call; `times` counts down and then the fault is gone. */
async function xmlFault(ctx: SandboxContext, bag: ParamBag): Promise<Response | undefined> {
  const merchant = ctx.store.merchants.get(bag.get('MerchantLogin') ?? '');
  const fault = merchant?.faults?.xml;
  if (!merchant?.faults || !fault) return undefined;
  if (fault.times !== undefined) {
    if (fault.times <= 1) delete merchant.faults.xml;
    else fault.times--;
    ctx.store.changed();
  }
  if (fault.mode === 'error500') {
    return new Response('Server was unable to process request. (sandbox fault injection)', {
      status: 500,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  await sleep(fault.delayMs ?? 30_000, ctx.stopSignal);
  return undefined;
}

export async function xmlService(ctx: SandboxContext, method: string, bag: ParamBag): Promise<Response> {
  const handler = METHODS.get(method.toLowerCase());
  if (!handler) {
    return new Response(`Request format is unrecognized for URL unexpectedly ending in '/${method}'.`, {
      status: 500,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  const faulted = await xmlFault(ctx, bag);
  if (faulted) return faulted;
  return new Response(handler(ctx, bag), { headers: { 'content-type': 'text/xml; charset=utf-8' } });
}
