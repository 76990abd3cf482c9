import { defineWidgetConfig } from '@medusajs/admin-sdk';
import type { AdminOrder, DetailWidgetProps } from '@medusajs/framework/types';
import { Badge, Button, Container, Heading, Input, Text } from '@medusajs/ui';
import { useCallback, useEffect, useState } from 'react';
import { adminFetch, type OrderPaymentsView, type RecordView } from '../lib/api';

const STATE_COLORS: Record<string, 'green' | 'orange' | 'red' | 'grey' | 'blue'> = {
  paid: 'green',
  held: 'blue',
  pending: 'orange',
  partially_refunded: 'orange',
  refunded: 'grey',
  cancelled: 'grey',
  failed: 'red',
};

function PaymentRow({ paymentId, record, onChange }: { paymentId: string; record: RecordView; onChange: () => void }) {
  const [amount, setAmount] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  const act = async (fn: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setMessage(null);
    try {
      await fn();
      setMessage(done);
      onChange();
    } catch (e) {
      setMessage((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const refundable = record.state === 'paid' || record.state === 'partially_refunded';
  return (
    <div className="flex flex-col gap-2 px-6 py-4">
      <div className="flex items-center justify-between">
        <Text weight="plus">InvId {record.inv_id}</Text>
        <Badge color={STATE_COLORS[record.state] ?? 'grey'}>{record.state}</Badge>
      </div>
      <Text size="small">
        {record.amount} {record.currency}
        {record.is_test ? ' · test payment' : ''}
      </Text>
      <Text size="small">Method: {record.inc_curr_label ?? record.payment_method ?? '—'}</Text>
      <Text size="small">Robokassa fee: {record.fee ?? '—'}</Text>
      <Text size="small">Refunded: {record.refunded}</Text>
      <div className="flex gap-2">
        <Button
          size="small"
          variant="secondary"
          isLoading={busy}
          onClick={() =>
            act(() => adminFetch(`/admin/robokassa/payments/${record.inv_id}/refresh`, { method: 'POST' }), 'Refreshed')
          }
        >
          Refresh
        </Button>
      </div>
      {refundable && (
        <div className="flex gap-2">
          <Input
            size="small"
            placeholder="Amount, e.g. 100.00"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
          />
          <Button
            size="small"
            variant="danger"
            isLoading={busy}
            disabled={!/^\d+(\.\d{1,2})?$/.test(amount)}
            onClick={() =>
              act(
                () =>
                  adminFetch(`/admin/payments/${paymentId}/refund`, {
                    method: 'POST',
                    // Medusa's admin API takes a number; the plugin turns it into exact kopecks with BigNumber.
                    body: { amount: Number(amount) },
                  }),
                'Refund sent',
              )
            }
          >
            Refund
          </Button>
        </div>
      )}
      {message && <Text size="small">{message}</Text>}
    </div>
  );
}

/** Order page, side column: the Robokassa invoice behind each payment, with Refresh and Refund. */
const RobokassaOrderWidget = ({ data: order }: DetailWidgetProps<AdminOrder>) => {
  const [view, setView] = useState<OrderPaymentsView | null>(null);
  const load = useCallback(() => {
    adminFetch<OrderPaymentsView>(`/admin/robokassa/orders/${order.id}`).then(setView, () => setView(null));
  }, [order.id]);
  useEffect(load, [load]);

  const payments = view?.payments.filter((p) => p.robokassa) ?? [];
  if (payments.length === 0) return null;
  return (
    <Container className="divide-y p-0">
      <div className="px-6 py-4">
        <Heading level="h2">Robokassa</Heading>
      </div>
      {payments.map((p) => (
        <PaymentRow key={p.payment_id} paymentId={p.payment_id} record={p.robokassa!} onChange={load} />
      ))}
    </Container>
  );
};

export const config = defineWidgetConfig({ zone: 'order.details.side.after' });

export default RobokassaOrderWidget;
