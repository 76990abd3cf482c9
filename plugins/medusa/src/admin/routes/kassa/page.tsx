import { defineRouteConfig } from '@medusajs/admin-sdk';
import { ReceiptPercent } from '@medusajs/icons';
import { Badge, Button, Container, Heading, Input, Label, Select, Table, Text, toast, usePrompt } from '@medusajs/ui';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import {
  ApiError,
  adminFetch,
  type LedgerPaymentsView,
  type LedgerPaymentView,
  type NotificationHealthView,
} from '../../lib/api';
import { errorMessage } from '../../lib/errors';
import { formatDateTime, formatMoney, STATE_COLORS, stateLabel } from '../../lib/format';
import { hasMessage, type Language, type Translate } from '../../lib/i18n';
import { ATTENTION_FLAGS, EMPTY_FILTERS, type PaymentFilters, paymentsQuery } from '../../lib/payments-query';
import { useAdminI18n } from '../../lib/use-i18n';

const PAGE = 50;
const STATES = [
  'pending',
  'held',
  'paid',
  'refund_requested',
  'partially_refunded',
  'refunded',
  'cancelled',
  'failed',
] as const;
const GATEWAYS = ['robokassa', 'assist'] as const;
const ANY = 'any';
const REFUNDABLE = new Set(['paid', 'partially_refunded']);

function gatewayLabel(gateway: string, t: Translate): string {
  const key = `gateway.${gateway}`;
  return hasMessage(key) ? t(key) : gateway;
}

function flagLabel(flag: string, t: Translate): string {
  const key = `flag.${flag}`;
  return hasMessage(key) ? t(key) : flag;
}

function Health({
  gateway,
  health,
  language,
  t,
}: {
  gateway: string;
  health: NotificationHealthView;
  language: Language;
  t: Translate;
}) {
  const failures = health.failures_24h ?? 0;
  const verdict = !health.last_received_at ? 'health.none' : failures > 0 ? 'health.failing' : 'health.ok';
  return (
    <div
      className="flex min-w-0 flex-1 flex-col gap-1 rounded-md border px-3 py-2"
      data-testid={`kassa-health-${gateway}`}
    >
      <Text size="small" weight="plus">
        {t('health.title', { gateway: gatewayLabel(gateway, t) })}
      </Text>
      <Text size="small">
        {t('health.last')}:{' '}
        {health.last_received_at ? formatDateTime(health.last_received_at, language) : t('health.never')}
      </Text>
      <Text size="small">
        {t('health.failures')}: <span className={failures > 0 ? 'text-ui-fg-error' : undefined}>{failures}</span>
      </Text>
      <Text size="xsmall" className={verdict === 'health.ok' ? 'text-ui-fg-subtle' : 'text-ui-fg-error'}>
        {t(verdict)}
      </Text>
    </div>
  );
}

/** The one click for a payment that arrived on an already paid (or changed) cart: the whole amount goes back. */
function SurplusRefund({
  p,
  language,
  t,
  onDone,
}: {
  p: LedgerPaymentView;
  language: Language;
  t: Translate;
  onDone: () => void;
}) {
  const prompt = usePrompt();
  const [busy, setBusy] = useState(false);
  const amount = formatMoney(p.amount, p.currency, language);
  const run = async () => {
    const confirmed = await prompt({
      title: t('payments.surplus.confirm.title', { amount }),
      description: t('payments.surplus.confirm.body', {
        amount,
        id: p.invoice_id,
        gateway: gatewayLabel(p.gateway, t),
      }),
      confirmText: t('payments.surplus.refund'),
      cancelText: t('widget.refund.confirm.cancel'),
      variant: 'danger',
    });
    if (!confirmed) return;
    setBusy(true);
    try {
      await adminFetch(
        `/admin/kassa/payments/${encodeURIComponent(p.gateway)}/${encodeURIComponent(p.invoice_id)}/refund`,
        { method: 'POST' },
      );
      toast.success(t('payments.surplus.done', { amount, id: p.invoice_id }));
      onDone();
    } catch (e) {
      toast.error(errorMessage(e, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button size="small" variant="danger" isLoading={busy} onClick={run}>
      {t('payments.surplus.refund')}
    </Button>
  );
}

function PaymentRow({
  p,
  language,
  t,
  onChanged,
}: {
  p: LedgerPaymentView;
  language: Language;
  t: Translate;
  onChanged: () => void;
}) {
  const flags = (p.flags ?? []).filter((f) => (ATTENTION_FLAGS as readonly string[]).includes(f) || f === 'test');
  return (
    <Table.Row data-testid="kassa-payment-row">
      <Table.Cell>
        <span className="font-mono">{p.invoice_id}</span>
      </Table.Cell>
      <Table.Cell>{gatewayLabel(p.gateway, t)}</Table.Cell>
      <Table.Cell>
        <div className="flex flex-wrap gap-1 py-1">
          <Badge size="2xsmall" color={STATE_COLORS[p.state] ?? 'grey'}>
            {stateLabel(p.state, t)}
          </Badge>
          {flags.map((f) => (
            <Badge key={f} size="2xsmall" color={f === 'test' ? 'purple' : 'red'}>
              {flagLabel(f, t)}
            </Badge>
          ))}
          {p.is_test && !flags.includes('test') && (
            <Badge size="2xsmall" color="purple">
              {t('flag.test')}
            </Badge>
          )}
        </div>
      </Table.Cell>
      <Table.Cell className="whitespace-nowrap text-right">{formatMoney(p.amount, p.currency, language)}</Table.Cell>
      <Table.Cell className="whitespace-nowrap text-right">
        {p.refunded ? formatMoney(p.refunded, p.currency, language) : '—'}
      </Table.Cell>
      <Table.Cell>
        {flags.includes('paid_twice') && REFUNDABLE.has(p.state) ? (
          <SurplusRefund p={p} language={language} t={t} onDone={onChanged} />
        ) : p.order_id ? (
          <Link to={`/orders/${p.order_id}`} className="text-ui-fg-interactive hover:underline">
            {t('payments.open_order')}
          </Link>
        ) : (
          <Text size="small" className="text-ui-fg-subtle">
            {t('payments.no_order')}
          </Text>
        )}
      </Table.Cell>
      <Table.Cell className="whitespace-nowrap">{formatDateTime(p.created_at, language)}</Table.Cell>
    </Table.Row>
  );
}

/**
 * Payments: every invoice the shop issued on every gateway, with what became of it — pending, cancelled, paid but
 * refused, paid twice, paid without an order — and whether the gateways' notifications arrive.
 */
const KassaPaymentsPage = () => {
  const { language, t } = useAdminI18n();
  const [filters, setFilters] = useState<PaymentFilters>(EMPTY_FILTERS);
  const [view, setView] = useState<LedgerPaymentsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(
    async (offset: number) => {
      setLoading(true);
      setError(null);
      try {
        const page = await adminFetch<LedgerPaymentsView>(paymentsQuery(filters, { limit: PAGE, offset }));
        setView((old) => (offset === 0 || !old ? page : { ...page, payments: [...old.payments, ...page.payments] }));
      } catch (e) {
        setError(
          e instanceof ApiError && e.status === 404 && !e.code
            ? t('payments.route_missing')
            : t('payments.load_failed', { reason: errorMessage(e, t) }),
        );
      } finally {
        setLoading(false);
      }
    },
    [filters, t],
  );

  useEffect(() => {
    void load(0);
  }, [load]);

  const set = (patch: Partial<PaymentFilters>) => setFilters((f) => ({ ...f, ...patch }));
  const shown = view?.payments.length ?? 0;
  const total = view?.count ?? shown;
  return (
    <div className="flex flex-col gap-3">
      <Container className="divide-y p-0" data-testid="kassa-payments">
        <div className="flex flex-col gap-1 px-4 py-4 sm:px-6">
          <Heading level="h1">{t('payments.title')}</Heading>
          <Text size="small" className="text-ui-fg-subtle">
            {t('payments.subtitle')}
          </Text>
        </div>
        {view?.instances?.warning && (
          <div className="px-4 py-4 sm:px-6" data-testid="kassa-instances-warning">
            <Text size="small" className="text-ui-fg-error">
              {t('instances.in_memory', { count: view.instances.count })}
            </Text>
          </div>
        )}
        {view?.health && Object.keys(view.health).length > 0 && (
          <div className="flex flex-col gap-2 px-4 py-4 sm:flex-row sm:px-6">
            {Object.entries(view.health).map(([gateway, health]) => (
              <Health key={gateway} gateway={gateway} health={health} language={language} t={t} />
            ))}
          </div>
        )}
        <div className="grid grid-cols-1 gap-3 px-4 py-4 sm:grid-cols-2 sm:px-6 lg:grid-cols-5">
          <div className="flex flex-col gap-1">
            <Label size="small">{t('payments.filter.state')}</Label>
            <Select size="small" value={filters.state || ANY} onValueChange={(v) => set({ state: v === ANY ? '' : v })}>
              <Select.Trigger>
                <Select.Value />
              </Select.Trigger>
              <Select.Content>
                <Select.Item value={ANY}>{t('payments.filter.all')}</Select.Item>
                <Select.Item value="attention">{t('payments.filter.attention')}</Select.Item>
                <Select.Item value="surplus">{t('flag.paid_twice')}</Select.Item>
                <Select.Item value="unsettled">{t('flag.unsettled')}</Select.Item>
                {STATES.map((s) => (
                  <Select.Item key={s} value={s}>
                    {stateLabel(s, t)}
                  </Select.Item>
                ))}
              </Select.Content>
            </Select>
          </div>
          <div className="flex flex-col gap-1">
            <Label size="small">{t('payments.filter.gateway')}</Label>
            <Select
              size="small"
              value={filters.gateway || ANY}
              onValueChange={(v) => set({ gateway: v === ANY ? '' : v })}
            >
              <Select.Trigger>
                <Select.Value />
              </Select.Trigger>
              <Select.Content>
                <Select.Item value={ANY}>{t('payments.filter.all')}</Select.Item>
                {GATEWAYS.map((g) => (
                  <Select.Item key={g} value={g}>
                    {gatewayLabel(g, t)}
                  </Select.Item>
                ))}
              </Select.Content>
            </Select>
          </div>
          <div className="flex flex-col gap-1">
            <Label size="small" htmlFor="kassa-from">
              {t('payments.filter.from')}
            </Label>
            <Input
              id="kassa-from"
              size="small"
              type="date"
              value={filters.from}
              onChange={(e) => set({ from: e.target.value })}
            />
          </div>
          <div className="flex flex-col gap-1">
            <Label size="small" htmlFor="kassa-to">
              {t('payments.filter.to')}
            </Label>
            <Input
              id="kassa-to"
              size="small"
              type="date"
              value={filters.to}
              onChange={(e) => set({ to: e.target.value })}
            />
          </div>
          <div className="flex items-end">
            <Button size="small" variant="secondary" onClick={() => setFilters(EMPTY_FILTERS)}>
              {t('payments.filter.reset')}
            </Button>
          </div>
        </div>
        {error && (
          <div className="px-4 py-4 sm:px-6">
            <Text size="small" className="text-ui-fg-error" role="alert">
              {error}
            </Text>
          </div>
        )}
        {view && (
          <div className="overflow-x-auto">
            <Table>
              <Table.Header>
                <Table.Row>
                  <Table.HeaderCell>{t('payments.col.invoice')}</Table.HeaderCell>
                  <Table.HeaderCell>{t('payments.col.gateway')}</Table.HeaderCell>
                  <Table.HeaderCell>{t('payments.col.state')}</Table.HeaderCell>
                  <Table.HeaderCell className="text-right">{t('payments.col.amount')}</Table.HeaderCell>
                  <Table.HeaderCell className="text-right">{t('payments.col.refunded')}</Table.HeaderCell>
                  <Table.HeaderCell>{t('payments.col.order')}</Table.HeaderCell>
                  <Table.HeaderCell>{t('payments.col.created')}</Table.HeaderCell>
                </Table.Row>
              </Table.Header>
              <Table.Body>
                {view.payments.map((p) => (
                  <PaymentRow
                    key={`${p.gateway}:${p.invoice_id}`}
                    p={p}
                    language={language}
                    t={t}
                    onChanged={() => load(0)}
                  />
                ))}
              </Table.Body>
            </Table>
            {view.payments.length === 0 && (
              <div className="px-6 py-6">
                <Text size="small" className="text-ui-fg-subtle">
                  {t('payments.empty')}
                </Text>
              </div>
            )}
          </div>
        )}
        {view && view.payments.length > 0 && (
          <div className="flex items-center justify-between px-4 py-3 sm:px-6">
            <Text size="small" className="text-ui-fg-subtle">
              {t('payments.count', { shown, total })}
            </Text>
            {shown < total && (
              <Button size="small" variant="secondary" isLoading={loading} onClick={() => load(shown)}>
                {t('payments.more')}
              </Button>
            )}
          </div>
        )}
      </Container>
    </div>
  );
};

export const config = defineRouteConfig({ label: 'menu.payments', translationNs: 'kassa', icon: ReceiptPercent });

export default KassaPaymentsPage;
