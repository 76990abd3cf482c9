import { defineWidgetConfig } from '@medusajs/admin-sdk';
import type { AdminOrder, DetailWidgetProps } from '@medusajs/framework/types';
import { Badge, Button, Container, Heading, Input, Label, Text, Textarea, toast, usePrompt } from '@medusajs/ui';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, adminFetch, type OrderPaymentsView, type RecordView } from '../lib/api';
import { errorMessage } from '../lib/errors';
import { formatMoney, methodName, STATE_COLORS, stateLabel } from '../lib/format';
import type { Language, Translate } from '../lib/i18n';
import { type GatewayName, invoiceIdOf, REFUNDABLE_STATES, recordChanged, refreshPath } from '../lib/record';
import { parseRefundAmount, remainingAmount } from '../lib/refund';
import { useAdminI18n } from '../lib/use-i18n';

interface Row {
  gateway: GatewayName;
  paymentId: string;
  record: RecordView;
}

interface RowProps extends Row {
  language: Language;
  t: Translate;
  onChanged: () => Promise<void>;
}

function Field({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex items-baseline justify-between gap-4">
      <Text size="small" className="text-ui-fg-subtle">
        {label}
      </Text>
      <Text size="small" className="text-right">
        {value}
      </Text>
    </div>
  );
}

function PaymentRow({ gateway, paymentId, record, language, t, onChanged }: RowProps) {
  const prompt = usePrompt();
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState<'refresh' | 'refund' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const gatewayName = t(`gateway.${gateway}`);
  const money = (value: string) => formatMoney(value, record.currency, language);
  const remaining = remainingAmount(record.amount, record.refunded);
  const refundable = REFUNDABLE_STATES.has(record.state) && remaining !== '0.00';
  const parsed = amount.trim() === '' ? null : parseRefundAmount(amount, remaining);

  const refresh = async () => {
    setBusy('refresh');
    setError(null);
    try {
      const answer = await adminFetch<Partial<Record<GatewayName, RecordView>>>(refreshPath(gateway, record), {
        method: 'POST',
      });
      const updated = answer[gateway];
      if (updated && recordChanged(record, updated)) {
        toast.success(t('widget.refreshed.changed', { state: stateLabel(updated.state, t) }));
        await onChanged();
      } else {
        toast.info(t('widget.refreshed.same', { gateway: gatewayName }));
      }
    } catch (e) {
      setError(errorMessage(e, t));
    } finally {
      setBusy(null);
    }
  };

  const refund = async () => {
    if (!parsed?.ok) return;
    const confirmed = await prompt({
      title: t('widget.refund.confirm.title', { amount: money(parsed.amount) }),
      description: t('widget.refund.confirm.body', {
        amount: money(parsed.amount),
        total: money(record.amount),
        id: invoiceIdOf(record),
        gateway: gatewayName,
      }),
      confirmText: t('widget.refund.confirm.ok'),
      cancelText: t('widget.refund.confirm.cancel'),
      variant: 'danger',
    });
    if (!confirmed) return;
    setBusy('refund');
    setError(null);
    // Cleared before the call: a second click cannot send the same refund again.
    setAmount('');
    try {
      await adminFetch(`/admin/payments/${paymentId}/refund`, {
        method: 'POST',
        // Medusa's admin API takes a number; `parsed.amount` has at most two decimals and the provider turns it
        // back into exact kopecks with BigNumber.
        body: { amount: Number(parsed.amount), ...(note.trim() ? { note: note.trim() } : {}) },
      });
      setNote('');
      toast.success(t('widget.refund.done', { amount: money(parsed.amount) }));
      await onChanged();
    } catch (e) {
      setError(errorMessage(e, t));
    } finally {
      setBusy(null);
    }
  };

  const inputId = `kassa-refund-${gateway}-${invoiceIdOf(record)}`;
  return (
    <div className="flex flex-col gap-3 px-6 py-4" data-testid="kassa-payment">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <Text weight="plus">{t('widget.invoice', { id: invoiceIdOf(record) })}</Text>
        <div className="flex gap-1">
          {record.is_test && <Badge color="purple">{t('flag.test')}</Badge>}
          <Badge color={STATE_COLORS[record.state] ?? 'grey'}>{stateLabel(record.state, t)}</Badge>
        </div>
      </div>
      <div className="flex flex-col gap-1">
        <Field label={t('widget.amount')} value={money(record.amount)} />
        <Field
          label={t('widget.method')}
          value={methodName([record.inc_curr_label, record.payment_method, record.meantype], t)}
        />
        {gateway === 'robokassa' && (
          <Field label={t('widget.fee')} value={record.fee ? money(record.fee) : t('method.none')} />
        )}
        <Field label={t('widget.refunded')} value={money(record.refunded)} />
        {refundable && <Field label={t('widget.remaining')} value={money(remaining)} />}
      </div>
      <div>
        <Button
          size="small"
          variant="secondary"
          isLoading={busy === 'refresh'}
          disabled={busy !== null}
          onClick={refresh}
        >
          {t('widget.refresh')}
        </Button>
      </div>
      {refundable ? (
        <div className="flex flex-col gap-2">
          <Label htmlFor={inputId} size="small">
            {t('widget.refund.amount')}
          </Label>
          <Input
            id={inputId}
            size="small"
            inputMode="decimal"
            placeholder={t('widget.refund.placeholder', { example: money(remaining) })}
            value={amount}
            aria-invalid={parsed !== null && !parsed.ok}
            onChange={(e) => setAmount(e.target.value)}
          />
          {parsed && !parsed.ok && (
            <Text size="small" className="text-ui-fg-error">
              {t(parsed.error, parsed.vars?.remaining ? { remaining: money(parsed.vars.remaining) } : undefined)}
            </Text>
          )}
          <Label htmlFor={`${inputId}-note`} size="small">
            {t('widget.refund.note')}
          </Label>
          <Textarea id={`${inputId}-note`} rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
          <div>
            <Button
              size="small"
              variant="danger"
              isLoading={busy === 'refund'}
              disabled={busy !== null || !parsed?.ok}
              onClick={refund}
            >
              {t('widget.refund.submit')}
            </Button>
          </div>
        </div>
      ) : (
        record.state === 'refunded' && (
          <Text size="small" className="text-ui-fg-subtle">
            {t('widget.refund.nothing_left')}
          </Text>
        )
      )}
      {error && (
        <Text size="small" className="text-ui-fg-error" role="alert">
          {error}
        </Text>
      )}
    </div>
  );
}

const GATEWAYS: GatewayName[] = ['robokassa', 'assist'];

/**
 * Order page, side column (on the first screen): the Robokassa or Assist invoice behind each payment,
 * with Refresh and a refund guarded like Medusa's own dialog. After a refund or a change it invalidates the order
 * queries of the dashboard, so Medusa's Payments section and this widget show the same thing.
 */
const KassaOrderWidget = ({ data: order }: DetailWidgetProps<AdminOrder>) => {
  const { language, t } = useAdminI18n();
  const queryClient = useQueryClient();
  const [rows, setRows] = useState<Row[]>([]);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const found: Row[] = [];
    const failures: string[] = [];
    for (const gateway of GATEWAYS) {
      try {
        const view = await adminFetch<OrderPaymentsView>(`/admin/${gateway}/orders/${order.id}`);
        for (const p of view.payments) {
          const record = p[gateway];
          if (record) found.push({ gateway, paymentId: p.payment_id, record });
        }
      } catch (e) {
        // A gateway whose provider is not installed has no routes (404): nothing to show for it.
        if (!(e instanceof ApiError && e.status === 404)) {
          failures.push(t('widget.load_failed', { gateway: t(`gateway.${gateway}`), reason: errorMessage(e, t) }));
        }
      }
    }
    setRows(found);
    setError(failures.length ? failures.join(' ') : null);
  }, [order.id, t]);

  useEffect(() => {
    void load();
  }, [load]);

  const onChanged = useCallback(async () => {
    await Promise.all([
      load(),
      queryClient.invalidateQueries({ queryKey: ['orders'] }),
      queryClient.invalidateQueries({ queryKey: ['payment'] }),
    ]);
  }, [load, queryClient]);

  if (rows.length === 0 && !error) return null;
  const gateways = [...new Set(rows.map((r) => t(`gateway.${r.gateway}`)))];
  return (
    <Container className="divide-y p-0" data-testid="kassa-order-widget">
      <div className="px-6 py-4">
        <Heading level="h2">{gateways.join(' · ') || t('payments.title')}</Heading>
      </div>
      {error && (
        <div className="px-6 py-4">
          <Text size="small" className="text-ui-fg-error" role="alert">
            {error}
          </Text>
        </div>
      )}
      {rows.map((row) => (
        <PaymentRow key={`${row.gateway}:${row.paymentId}`} {...row} language={language} t={t} onChanged={onChanged} />
      ))}
    </Container>
  );
};

/**
 * The side column: in Medusa 2.21 it holds only the customer and the activity, so the widget starts on the first
 * screen. Medusa 2.21 ignores `.before` (widgets follow the page's own sections; earlier 2.x versions put it first);
 * the stable id keeps a merchant's drag-to-top in the layout editor across plugin updates.
 */
export const config = defineWidgetConfig({ zone: 'order.details.side.before', id: 'kassa:order-payments' });

export default KassaOrderWidget;
