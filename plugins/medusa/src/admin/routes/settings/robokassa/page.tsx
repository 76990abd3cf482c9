import { defineRouteConfig } from '@medusajs/admin-sdk';
import { CreditCard } from '@medusajs/icons';
import { Badge, Button, Container, Heading, Table, Text } from '@medusajs/ui';
import { useEffect, useState } from 'react';
import { adminFetch, type CheckView, type SettingsView } from '../../../lib/api';

const LABELS: Record<string, string> = {
  result: 'Result URL',
  result2: 'ResultUrl2 (sent with each payment, not a cabinet field)',
  success: 'Success URL',
  fail: 'Fail URL',
};

/** Settings → Robokassa: the URLs to paste into the cabinet, the mode, and a credentials check. */
const RobokassaSettingsPage = () => {
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [check, setCheck] = useState<CheckView | null>(null);
  const [checking, setChecking] = useState(false);

  useEffect(() => {
    adminFetch<SettingsView>('/admin/robokassa/settings').then(setSettings, (e: Error) => setError(e.message));
  }, []);

  const runCheck = async () => {
    setChecking(true);
    try {
      setCheck(await adminFetch<CheckView>('/admin/robokassa/check', { method: 'POST' }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setChecking(false);
    }
  };

  return (
    <Container className="divide-y p-0">
      <div className="flex items-center justify-between px-6 py-4">
        <Heading level="h1">Robokassa</Heading>
        {settings && (
          <Badge color={settings.mode === 'test' ? 'orange' : 'green'}>
            {settings.mode === 'test' ? 'Test mode' : 'Live'}
          </Badge>
        )}
      </div>
      {error && (
        <div className="px-6 py-4">
          <Text className="text-ui-fg-error">{error}</Text>
        </div>
      )}
      {settings && (
        <>
          <div className="px-6 py-4">
            <Text size="small" className="text-ui-fg-subtle mb-2">
              Paste these into the Robokassa cabinet, «Технические настройки» of shop {settings.login}:
            </Text>
            <Table>
              <Table.Header>
                <Table.Row>
                  <Table.HeaderCell>Field</Table.HeaderCell>
                  <Table.HeaderCell>URL</Table.HeaderCell>
                  <Table.HeaderCell>Method</Table.HeaderCell>
                </Table.Row>
              </Table.Header>
              <Table.Body>
                {Object.entries(settings.urls).map(([key, value]) => (
                  <Table.Row key={key}>
                    <Table.Cell>{LABELS[key] ?? key}</Table.Cell>
                    <Table.Cell>
                      <code>{value.url}</code>
                    </Table.Cell>
                    <Table.Cell>{value.method}</Table.Cell>
                  </Table.Row>
                ))}
              </Table.Body>
            </Table>
          </div>
          <div className="grid grid-cols-2 gap-2 px-6 py-4">
            <Text size="small">Hash algorithm: {settings.algorithm.toUpperCase()}</Text>
            <Text size="small">Country: {settings.country}</Text>
            <Text size="small">Payments: {settings.hold ? 'hold, captured from the order' : 'captured at once'}</Text>
            <Text size="small">
              Receipts (54-FZ): {settings.receipts ? `on (${settings.receipts.sno ?? 'cabinet sno'})` : 'off'}
            </Text>
            <Text size="small">
              Refund API (Password #3): {settings.passwords.password3 ? 'configured' : 'not configured'}
            </Text>
            <Text size="small">
              Test passwords: {settings.passwords.testPassword1 ? 'configured' : 'not configured'}
            </Text>
          </div>
          <div className="flex items-center gap-4 px-6 py-4">
            <Button variant="secondary" isLoading={checking} onClick={runCheck}>
              Check credentials
            </Button>
            {check && (
              <Badge color={check.verdict === 'ok' ? 'green' : 'red'}>
                {check.verdict === 'ok' ? 'Credentials work' : check.verdict.replaceAll('_', ' ')}
              </Badge>
            )}
          </div>
          {check && (
            <div className="px-6 py-4">
              {check.steps.map((step) => (
                <Text key={step.name} size="small">
                  {step.name}: {step.message}
                </Text>
              ))}
            </div>
          )}
        </>
      )}
    </Container>
  );
};

export const config = defineRouteConfig({ label: 'Robokassa', icon: CreditCard });

export default RobokassaSettingsPage;
