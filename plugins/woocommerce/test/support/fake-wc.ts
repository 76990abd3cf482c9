/**
 * A fake of `wc/v3`, allowed only for the faults the real WooCommerce cannot be made to produce on demand (5xx,
 * timeouts, malformed bodies). It answers with the shapes captured from WooCommerce 9.4.3 (test/fixtures/wc-9.4.3,
 * copied from shared/woocommerce/fixtures): one order, its notes, `set_paid` with payment_complete's effects.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'wc-9.4.3');
const fixture = <T>(name: string): T => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;

export type Fault = '5xx' | 'timeout' | 'malformed' | 'truncated';
interface FaultRule {
  method: string;
  path: RegExp;
  fault: Fault;
  times: number;
}

type Order = Record<string, unknown> & { id: number; date_paid: string | null; transaction_id: string };

export interface FakeWooCommerce {
  readonly url: string;
  readonly order: Order;
  /** Every request as `METHOD /path`. */
  readonly requests: string[];
  /** How many PUTs ran payment_complete (set_paid while unpaid). */
  paymentCompletes: number;
  notes: { id: number; note: string }[];
  fail(method: string, path: RegExp, fault: Fault, times?: number): void;
  clearFaults(): void;
  stop(): Promise<void>;
}

export async function startFakeWooCommerce(): Promise<FakeWooCommerce> {
  const created = fixture<Order>('order-created.json');
  const paidShape = fixture<Order>('order-after-set-paid.json');
  const noteShape = fixture<Record<string, unknown>>('order-note-created.json');
  const notFound = fixture<{ status: number; body: unknown }>('error-404-order.json');
  const rules: FaultRule[] = [];
  const hanging = new Set<ServerResponse>();
  let nextNote = 100;

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(body));
  };
  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let text = '';
      req.on('data', (c: Buffer) => {
        text += c.toString('utf8');
      });
      req.on('end', () => resolve(text));
    });

  const fake: FakeWooCommerce = {
    url: '',
    order: structuredClone(created),
    requests: [],
    paymentCompletes: 0,
    notes: [],
    fail(method, path, fault, times = Number.POSITIVE_INFINITY) {
      rules.push({ method, path, fault, times });
    },
    clearFaults() {
      rules.length = 0;
    },
    async stop() {
      for (const res of hanging) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.replace(/^\/wp-json\/wc\/v3/, '');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    fake.requests.push(`${method} ${path}`);
    const rule = rules.find((r) => r.method === method && r.path.test(path) && r.times > 0);
    if (rule) {
      rule.times -= 1;
      if (rule.fault === 'timeout') {
        hanging.add(res); // never answers
        return;
      }
      if (rule.fault === '5xx') {
        // What PHP-FPM/nginx in front of WordPress answer when PHP dies or is overloaded.
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>');
        return;
      }
      if (rule.fault === 'malformed') {
        // A 200 that is not the order: a plugin's PHP notice printed before the JSON, as WP_DEBUG_DISPLAY does.
        res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
        res.end(
          `<br />\n<b>Warning</b>:  Undefined array key "x" in /var/www/wp-content/plugins/x.php on line 3<br />\n{"id":${fake.order.id}}`,
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(fake.order).slice(0, 200));
      return;
    }
    const id = fake.order.id;
    if (path === `/orders/${id}` && method === 'GET') return send(res, 200, fake.order);
    if (path === `/orders/${id}` && (method === 'PUT' || method === 'POST')) {
      const input = JSON.parse(body || '{}') as Record<string, unknown>;
      if (typeof input.transaction_id === 'string') fake.order.transaction_id = input.transaction_id; // always overwritten
      if (input.set_paid === true && fake.order.date_paid === null) {
        fake.paymentCompletes += 1;
        Object.assign(fake.order, {
          status: paidShape.status,
          date_paid: paidShape.date_paid,
          date_paid_gmt: paidShape.date_paid_gmt,
          needs_payment: false,
          is_editable: false,
        });
      }
      if (Array.isArray(input.meta_data)) {
        const meta = (fake.order.meta_data as { id?: number; key: string; value: unknown }[]) ?? [];
        for (const m of input.meta_data as { key: string; value: unknown }[]) {
          const at = meta.findIndex((x) => x.key === m.key);
          if (at >= 0) meta[at] = { ...meta[at], ...m };
          else meta.push({ id: meta.length + 1, ...m });
        }
        fake.order.meta_data = meta;
      }
      return send(res, 200, fake.order);
    }
    if (path === `/orders/${id}/notes` && method === 'GET') {
      return send(
        res,
        200,
        [...fake.notes].reverse().map((n) => ({ ...noteShape, id: n.id, note: n.note })),
      );
    }
    if (path === `/orders/${id}/notes` && method === 'POST') {
      const input = JSON.parse(body || '{}') as { note: string };
      const note = { id: nextNote++, note: input.note };
      fake.notes.push(note);
      return send(res, 201, { ...noteShape, ...note });
    }
    return send(res, notFound.status, notFound.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  (fake as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
