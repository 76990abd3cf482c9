import { availableGroups, type PaymentMethod } from './catalog.js';
import type { MerchantConfig } from './config.js';
import { escapeHtml, layout } from './html.js';
import { texts } from './i18n.js';
import { displayAmount, formatAmount, parseJsonAmount } from './money.js';
import { checkReceipt } from './receipt.js';
import type { Operation } from './store.js';

function limits(method: PaymentMethod, t: ReturnType<typeof texts>, currency: string): string {
  const parts: string[] = [];
  if (method.minValue !== undefined)
    parts.push(`${t.from} ${displayAmount(Math.round(method.minValue * 100), currency)}`);
  if (method.maxValue !== undefined)
    parts.push(`${t.upTo} ${displayAmount(Math.round(method.maxValue * 100), currency)}`);
  return parts.length ? `<span class="limit">${escapeHtml(parts.join(' '))}</span>` : '';
}

function receiptTable(op: Operation, merchant: MerchantConfig, t: ReturnType<typeof texts>): string {
  if (op.receipt === undefined) return '';
  const check = checkReceipt(op.receipt, merchant.country, op.amount);
  if (!check.ok) return '';
  const rows = check.receipt.items
    .map((item) => {
      const sum = item.sum ?? item.cost;
      const minor = sum === undefined ? undefined : parseJsonAmount(sum);
      return `<tr><td>${escapeHtml(item.name)}</td><td class="num">${escapeHtml(item.quantity)}</td><td class="num">${
        minor === undefined ? '' : escapeHtml(formatAmount(minor))
      }</td></tr>`;
    })
    .join('');
  return `<h2>${escapeHtml(t.receipt)}</h2><table><tr><th>${escapeHtml(t.item)}</th><th>${escapeHtml(t.qty)}</th><th>${escapeHtml(t.sum)}</th></tr>${rows}</table>`;
}

/**
 * The payment page: shop, amount, description, invoice, the merchant's methods grouped as GetCurrencies groups
 * them (only those whose MinValue/MaxValue admit the amount; `IncCurrLabel` pre-selected), and three ways out:
 * Pay, Decline (the card is refused), Leave (back to the shop). Each posts back to the sandbox.
 */
export function renderPaymentPage(op: Operation, merchant: MerchantConfig, notice?: string): string {
  const t = texts(op.culture);
  const groups = availableGroups(merchant.catalog, op.amount, op.paymentMethods);
  const firstLabel = groups[0]?.methods[0]?.label;
  const selected = groups.some((g) => g.methods.some((m) => m.label === op.incCurrLabel))
    ? op.incCurrLabel
    : firstLabel;
  const en = op.culture === 'en';
  const fieldsets = groups
    .map(
      (group) =>
        `<fieldset data-group="${escapeHtml(group.code)}"><legend>${escapeHtml(
          en ? (group.descriptionEn ?? group.description) : group.description,
        )}</legend>${group.methods
          .map(
            (m) =>
              `<label class="method"><input type="radio" name="method" value="${escapeHtml(m.label)}"${
                m.label === selected ? ' checked' : ''
              } required> ${escapeHtml(en ? (m.nameEn ?? m.name) : m.name)}${limits(m, t, op.currency)}</label>`,
          )
          .join('')}</fieldset>`,
    )
    .join('\n');
  const amount = displayAmount(op.amount, op.currency);
  const invoice = op.invIdSent === '' || op.invIdSent === '0' ? `${op.invId} (${t.invoiceAssigned})` : String(op.invId);
  const facts = [
    [t.shop, merchant.shopName ?? merchant.login],
    [t.description, op.description],
    [t.invoice, invoice],
    ...(op.expiresAt ? [[t.expires, op.expiresAt]] : []),
  ]
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `<dt>${escapeHtml(k ?? '')}</dt><dd>${escapeHtml(v ?? '')}</dd>`)
    .join('');
  const flags = [op.hold ? t.hold : '', op.recurring ? t.recurring : ''].filter(Boolean);
  const warnings = [...(notice ? [notice] : []), ...op.warnings];
  const base = `/Merchant/Sandbox/${encodeURIComponent(op.id)}`;
  const body = `<main data-op-id="${escapeHtml(op.id)}">
<div class="card">
<h1>${escapeHtml(t.title)}</h1>
<div class="amount" data-amount="${escapeHtml(formatAmount(op.amount))}">${escapeHtml(amount)}</div>
<dl class="facts">${facts}</dl>
${flags.map((f) => `<p class="warn">${escapeHtml(f)}</p>`).join('')}
${receiptTable(op, merchant, t)}
</div>
<form class="card" method="post" action="${base}/pay">
<h2>${escapeHtml(t.email)}</h2>
<input type="email" name="email" value="${escapeHtml(op.email ?? '')}" placeholder="buyer@example.com" autocomplete="email">
<h2>${escapeHtml(t.choose)}</h2>
${fieldsets || `<p>${escapeHtml(t.noMethods)}</p>`}
<div class="actions">
<button class="pay" type="submit" data-action="pay"${groups.length ? '' : ' disabled'}>${escapeHtml(t.pay)} ${escapeHtml(amount)}</button>
<button class="decline" type="submit" formaction="${base}/decline" formnovalidate data-action="decline">${escapeHtml(t.decline)}</button>
<button class="leave" type="submit" formaction="${base}/leave" formnovalidate data-action="leave">${escapeHtml(t.leave)}</button>
</div>
${warnings.length ? `<div class="warn" data-warnings><b>${escapeHtml(t.warnings)}</b><ul>${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></div>` : ''}
</form>
</main>`;
  return layout({
    title: `${t.title} — ${merchant.shopName ?? merchant.login}`,
    lang: op.culture,
    body,
    tags: op.isTest ? `<span class="tag test">${escapeHtml(t.test)}</span>` : '',
  });
}
