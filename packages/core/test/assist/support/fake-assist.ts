/**
 * An in-process Assist web service for the client tests: node:http on 127.0.0.1 (random port) answering
 * orderstate, orderresult, charge, cancel/wscancel and rp with the XML shapes of the protocol notes (§3), including
 * the internal DTD real replies start with and the padded values of the charge fixture.
 *
 * Strict: method, path, content type, the exact set of parameters per endpoint and `Format=3` are checked. Anything
 * unexpected is recorded in `problems` and answered `400 FAKE: …`; tests assert `problems` is empty. Checkvalues are
 * computed with node:crypto directly, independently of the code under test.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeBill {
  billNumber: string;
  orderNumber: string;
  /** `4.00` */
  amount: string;
  currency: string;
  state: string;
  /** Operations performed (`.1` payment, `.2`…). */
  ops: number;
  recurring?: boolean;
}

export type Fault = 'timeout' | 'malformed' | 'http500' | 'entity' | 'wrong-checkvalue' | 'no-root' | 'padded';

export interface FakeAssist {
  url: string;
  merchantId: string;
  salt: string;
  login: string;
  password: string;
  bills: Map<string, FakeBill>;
  requests: Array<{ path: string; params: Record<string, string> }>;
  problems: string[];
  /** Faults applied to the next requests, one each, in order. */
  faults: Fault[];
  /** A firstcode/secondcode the next request answers with. */
  nextError?: [number, number] | undefined;
  /** responsecode of the next write (default AS000). */
  nextResponseCode?: string | undefined;
  close(): Promise<void>;
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

const DTD = `<?xml version='1.0' encoding='utf-8' standalone='yes'?>
<!DOCTYPE result [
<!ATTLIST result
 firstcode CDATA #REQUIRED
 secondcode CDATA #REQUIRED
 count CDATA #REQUIRED>
<!ELEMENT result (order*)>
<!ELEMENT order (ordernumber?,billnumber?,orderamount?,ordercurrency?,orderstate?,packetdate?,checkvalue?)>
]>
`;

const ALLOWED: Record<string, { required: string[]; optional: string[] }> = {
  '/orderstate/orderstate.cfm': {
    required: ['Ordernumber'],
    optional: [
      'StartYear',
      'StartMonth',
      'StartDay',
      'StartHour',
      'StartMin',
      'EndYear',
      'EndMonth',
      'EndDay',
      'EndHour',
      'EndMin',
    ],
  },
  '/orderresult/orderresult.cfm': {
    required: [],
    optional: [
      'Ordernumber',
      'Billnumber',
      'Language',
      'StartYear',
      'StartMonth',
      'StartDay',
      'StartHour',
      'StartMin',
      'EndYear',
      'EndMonth',
      'EndDay',
      'EndHour',
      'EndMin',
    ],
  },
  '/charge/charge.cfm': { required: ['Billnumber'], optional: ['Amount', 'Currency', 'ClientIP', 'Language'] },
  '/cancel/cancel.cfm': {
    required: ['Billnumber'],
    optional: ['Amount', 'Currency', 'CancelReason', 'Externalrefundid', 'ClientIP', 'Language'],
  },
  '/recurrent/rp.cfm': {
    required: ['BillNumber', 'OrderNumber', 'Amount', 'Currency'],
    optional: ['OrderComment', 'Language'],
  },
};
ALLOWED['/cancel/wscancel.cfm'] = ALLOWED['/cancel/cancel.cfm']!;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const toMinor = (a: string) => BigInt(a.replace('.', ''));
const fromMinor = (m: bigint) => `${m / 100n}.${String(m % 100n).padStart(2, '0')}`;

export async function startFakeAssist(): Promise<FakeAssist> {
  const fake: FakeAssist = {
    url: '',
    merchantId: '111111',
    salt: 'fake-Salt#Кит-7',
    login: 'wsuser_01',
    password: 'fake-ws-Pass#5',
    bills: new Map(),
    requests: [],
    problems: [],
    faults: [],
    close: async () => {},
  };
  const checkvalue = (b: FakeBill, state = b.state) =>
    md5(
      (md5(fake.salt) + md5(fake.merchantId + b.orderNumber + b.amount + b.currency + state)).toUpperCase(),
    ).toUpperCase();
  const result = (first: number, second: number, count: number, inner: string) =>
    `${DTD}<result firstcode='${first}' secondcode='${second}' count='${count}'>${inner}</result>`;
  const orderState = (b: FakeBill, wrong: boolean) =>
    `<order><ordernumber>${esc(b.orderNumber)}</ordernumber><billnumber>${b.billNumber}</billnumber>` +
    `<orderamount>${b.amount}</orderamount><ordercurrency>${b.currency}</ordercurrency><orderstate>${b.state}</orderstate>` +
    `<packetdate>27.09.2016 23:24</packetdate><signature></signature>` +
    `<checkvalue>${wrong ? '586798F678EF8A0A5B9F7BF403B473C7' : checkvalue(b)}</checkvalue></order>`;
  const opOrder = (b: FakeBill, type: number, amount: string, code: string, pad: boolean) => {
    const p = (v: string) => (pad ? ` ${v} ` : v);
    return (
      `<orders><order><ordernumber>${esc(b.orderNumber)}</ordernumber><responsecode>${p(code)}</responsecode>` +
      `<message>${p('Завершено успешно.')}</message><amount>${p(amount)}</amount><currency>${p(b.currency)}</currency>` +
      `<meannumber>411111****1111</meannumber><testmode>${p('1')}</testmode><orderstate>${b.state}</orderstate>` +
      `<operationtype>${p(String(type))}</operationtype><billnumber>${b.billNumber}.${b.ops}</billnumber>` +
      `<orderamount>${p(b.amount)}</orderamount><ordercurrency>${p(b.currency)}</ordercurrency>` +
      `<packetdate>26.09.2016 23:08:37</packetdate><signature></signature></order></orders>`
    );
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      const send = (status: number, text: string) => {
        res.writeHead(status, { 'content-type': status === 200 ? 'text/xml; charset=utf-8' : 'text/plain' });
        res.end(text);
      };
      const problem = (p: string) => {
        fake.problems.push(`${path}: ${p}`);
        send(400, `FAKE: ${p}`);
      };
      if (req.method !== 'POST') return problem(`method ${req.method}`);
      if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
        return problem('content type');
      }
      const spec = ALLOWED[path];
      if (!spec) return problem('unknown path');
      const pairs = [...new URLSearchParams(Buffer.concat(chunks).toString('utf8'))];
      const params: Record<string, string> = {};
      for (const [n, v] of pairs) {
        if (Object.hasOwn(params, n)) return problem(`${n} twice`);
        params[n] = v;
      }
      fake.requests.push({ path, params });
      const common = ['Merchant_ID', 'Login', 'Password', 'Format'];
      for (const n of [...common, ...spec.required]) if (params[n] === undefined) return problem(`missing ${n}`);
      for (const n of Object.keys(params)) {
        if (!common.includes(n) && !spec.required.includes(n) && !spec.optional.includes(n))
          return problem(`unexpected ${n}`);
      }
      if (params.Format !== '3') return problem('Format must be 3');
      if ((params.Amount === undefined) !== (params.Currency === undefined)) return problem('Amount without Currency');
      if (params.Amount !== undefined && !/^\d{1,13}\.\d{2}$/.test(params.Amount)) return problem('Amount format');

      const fault = fake.faults.shift();
      if (fault === 'timeout') return; // never answers; the client's timeout fires
      if (fault === 'http500') return send(500, 'Internal Server Error');
      if (fault === 'malformed') return send(200, "<result firstcode='0' secondcode='0'><order>");
      if (fault === 'no-root') return send(200, '<?xml version="1.0"?><answer/>');
      if (fault === 'entity') {
        return send(
          200,
          `<?xml version="1.0"?><!DOCTYPE result [<!ENTITY x "boom">]><result firstcode='0' secondcode='0' count='0'>&x;</result>`,
        );
      }
      if (params.Merchant_ID !== fake.merchantId || params.Login !== fake.login || params.Password !== fake.password) {
        return send(200, result(7, 141, 0, ''));
      }
      if (fake.nextError) {
        const [f, s] = fake.nextError;
        fake.nextError = undefined;
        return send(200, result(f, s, 0, ''));
      }
      const code = fake.nextResponseCode ?? 'AS000';
      fake.nextResponseCode = undefined;

      if (path === '/orderstate/orderstate.cfm' || path === '/orderresult/orderresult.cfm') {
        const bills = [...fake.bills.values()].filter(
          (b) =>
            (params.Ordernumber === undefined || b.orderNumber === params.Ordernumber) &&
            (params.Billnumber === undefined || b.billNumber === params.Billnumber),
        );
        if (bills.length === 0) return send(200, result(10, 201, 0, ''));
        if (path === '/orderstate/orderstate.cfm') {
          return send(
            200,
            result(0, 0, bills.length, bills.map((b) => orderState(b, fault === 'wrong-checkvalue')).join('')),
          );
        }
        const inner = bills
          .map(
            (b) =>
              `<order><billnumber>${b.billNumber}</billnumber><ordernumber>${esc(b.orderNumber)}</ordernumber><testmode>1</testmode>` +
              `<orderamount>${b.amount}</orderamount><ordercurrency>${b.currency}</ordercurrency><orderstate>${b.state}</orderstate>` +
              `<orderdate>26.09.2016 23:00:00</orderdate><firstname>Иван</firstname><checkvalue>${checkvalue(b)}</checkvalue>` +
              Array.from(
                { length: b.ops },
                (_, i) =>
                  `<operation><billnumber>${b.billNumber}.${i + 1}</billnumber><operationtype>${i === 0 ? 100 : 200}</operationtype>` +
                  `<operationstate>Success</operationstate><amount>${b.amount}</amount><currency>${b.currency}</currency>` +
                  `<responsecode>AS000</responsecode><meannumber>411111****1111</meannumber></operation>`,
              ).join('') +
              '</order>',
          )
          .join('');
        return send(200, result(0, 0, bills.length, inner));
      }

      if (path === '/recurrent/rp.cfm') {
        const initial = fake.bills.get(params.BillNumber!);
        if (!initial) return send(200, result(10, 143, 0, ''));
        if (!initial.recurring || initial.state !== 'Approved') return send(200, result(15, 320, 0, ''));
        if (params.Currency !== initial.currency) return send(200, result(5, 105, 0, ''));
        const bill: FakeBill = {
          billNumber: String(BigInt(initial.billNumber) + BigInt(fake.bills.size + 1)),
          orderNumber: params.OrderNumber!,
          amount: params.Amount!,
          currency: params.Currency!,
          state: code === 'AS000' ? 'Approved' : 'Declined',
          ops: 1,
        };
        fake.bills.set(bill.billNumber, bill);
        return send(200, result(0, 0, 1, opOrder(bill, 100, bill.amount, code, false)));
      }

      const billNumber = (params.Billnumber ?? '').split('.')[0]!;
      const bill = fake.bills.get(billNumber);
      if (!bill) return send(200, result(10, 143, 0, ''));
      if (params.Currency !== undefined && params.Currency !== bill.currency) return send(200, result(5, 105, 0, ''));
      const amount = params.Amount ?? bill.amount;
      if (toMinor(amount) > toMinor(bill.amount)) return send(200, result(5, 108, 0, ''));
      if (path === '/charge/charge.cfm') {
        if (bill.state === 'Approved')
          return send(200, result(0, 0, 1, opOrder(bill, 200, bill.amount, 'AS000', fault === 'padded')));
        if (bill.state !== 'Delayed') return send(200, result(15, 302, 0, ''));
        if (code === 'AS000') {
          bill.ops += 1;
          bill.state = amount === bill.amount ? 'Approved' : 'PartialDelayed';
          if (bill.state === 'PartialDelayed') bill.amount = amount;
        }
        return send(200, result(0, 0, 1, opOrder(bill, 200, amount, code, fault === 'padded')));
      }
      // cancel
      if (!['Delayed', 'Approved', 'PartialCanceled', 'PartialDelayed'].includes(bill.state)) {
        return send(200, result(15, 300, 0, ''));
      }
      if (code === 'AS000') {
        bill.ops += 1;
        const remaining = toMinor(bill.amount) - toMinor(amount);
        bill.state = remaining === 0n ? 'Canceled' : 'PartialCanceled';
        bill.amount = remaining === 0n ? bill.amount : fromMinor(remaining);
      }
      return send(200, result(0, 0, 1, opOrder(bill, 300, amount, code, false)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
