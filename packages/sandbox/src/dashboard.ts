import type { SandboxAdmin } from './admin.js';
import { escapeHtml, layout } from './html.js';
import { formatAmount } from './money.js';

const STATE_NAMES: Record<number, string> = {
  5: 'initiated',
  10: 'cancelled',
  20: 'on hold',
  50: 'paid, notifying',
  60: 'returned',
  80: 'suspended',
  100: 'paid',
};

/** A read-only look at the sandbox for people (`/sandbox`): merchants, recent payments, notifications, e-mails. */
export function renderDashboard(admin: SandboxAdmin, baseUrl: string): string {
  const merchants = admin
    .merchants()
    .map(
      (m) =>
        `<tr><td><b>${escapeHtml(m.login)}</b></td><td>${escapeHtml(m.shopName ?? '')}</td><td>${escapeHtml(m.algorithm)}</td><td>${escapeHtml(
          m.resultUrl ? `${m.resultMethod} ${m.resultUrl}` : '—',
        )}</td><td>${m.testPassword1 ? 'yes' : 'no'}</td></tr>`,
    )
    .join('');
  const ops = admin
    .operations()
    .slice(-50)
    .reverse()
    .map((op) => {
      const last = op.notifications.filter((n) => n.kind === 'ResultURL').at(-1);
      const state = op.state === null ? (op.page === 'left' ? 'left the page' : 'page open') : STATE_NAMES[op.state];
      return `<tr><td>${escapeHtml(op.merchant)}</td><td>${op.invId}</td><td class="num">${escapeHtml(formatAmount(op.amount))} ${escapeHtml(
        op.currency,
      )}</td><td>${escapeHtml(`${op.state ?? ''} ${state ?? ''}`)}${op.isTest ? ' (test)' : ''}</td><td>${escapeHtml(
        op.paidWith?.label ?? '',
      )}</td><td>${escapeHtml(last ? `${last.outcome} ${last.status ?? ''} ×${op.notifications.filter((n) => n.kind === 'ResultURL').length}` : '')}</td></tr>`;
    })
    .join('');
  const emails = admin
    .emails()
    .slice(-20)
    .reverse()
    .map(
      (e) =>
        `<tr><td>${escapeHtml(e.createdAt)}</td><td>${escapeHtml(e.to)}</td><td>${escapeHtml(e.subject)}</td></tr>`,
    )
    .join('');
  const bills = admin.assist
    .bills()
    .slice(-50)
    .reverse()
    .map((b) => {
      const last = b.notifications.at(-1);
      return `<tr><td>${escapeHtml(b.merchantId)}</td><td>${escapeHtml(b.orderNumber)}</td><td>${escapeHtml(
        b.billNumber,
      )}</td><td class="num">${escapeHtml(formatAmount(b.amount))} ${escapeHtml(b.currency)}</td><td>${escapeHtml(
        b.state,
      )}</td><td>${escapeHtml(last ? `${last.outcome} ${last.status ?? ''} ×${b.notifications.length}` : '')}</td></tr>`;
    })
    .join('');
  const body = `<main style="max-width:64rem">
<div class="card"><h1>Kassa sandbox</h1>
<dl class="facts">
<dt>Payment page</dt><dd>${escapeHtml(baseUrl)}/Merchant/Index.aspx</dd>
<dt>XML interface</dt><dd>${escapeHtml(baseUrl)}/Merchant/WebService/Service.asmx</dd>
<dt>Assist order.cfm</dt><dd>${escapeHtml(baseUrl)}/pay/order.cfm</dd>
<dt>Admin API</dt><dd><a href="/sandbox/api">${escapeHtml(baseUrl)}/sandbox/api</a></dd>
</dl></div>
<div class="card"><h2>Merchants</h2><table><tr><th>Login</th><th>Shop</th><th>Hash</th><th>ResultURL</th><th>Test passwords</th></tr>${merchants}</table></div>
<div class="card"><h2>Payments (latest 50)</h2><table><tr><th>Merchant</th><th>InvId</th><th>Amount</th><th>State</th><th>Method</th><th>ResultURL</th></tr>${ops || '<tr><td colspan="6">none yet</td></tr>'}</table></div>
<div class="card"><h2>Assist bills (latest 50)</h2><table><tr><th>Merchant_ID</th><th>Order</th><th>Bill</th><th>Amount</th><th>State</th><th>Notification</th></tr>${bills || '<tr><td colspan="6">none yet</td></tr>'}</table></div>
<div class="card"><h2>E-mails to merchants</h2><table><tr><th>When</th><th>To</th><th>Subject</th></tr>${emails || '<tr><td colspan="3">none</td></tr>'}</table></div>
</main>`;
  return layout({ title: 'Kassa sandbox', lang: 'en', body, head: '<meta http-equiv="refresh" content="5">\n' });
}
