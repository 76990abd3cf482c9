import { defineRouteConfig } from '@medusajs/admin-sdk';
import { CreditCard } from '@medusajs/icons';
import { Container, Heading, Tabs, Text } from '@medusajs/ui';
import { type ReactNode, useEffect, useState } from 'react';
import { CredentialsCheck } from '../../../components/credentials-check';
import { ModeBadge } from '../../../components/mode-badge';
import { UrlList } from '../../../components/url-list';
import { ApiError, type AssistSettingsView, adminFetch, type SettingsView, type UrlView } from '../../../lib/api';
import { errorMessage } from '../../../lib/errors';
import type { Translate } from '../../../lib/i18n';
import type { GatewayName } from '../../../lib/record';
import { useAdminI18n } from '../../../lib/use-i18n';

type Loaded<T> =
  | { state: 'loading' }
  | { state: 'missing' }
  | { state: 'error'; message: string }
  | { state: 'ok'; data: T };

function useSettings<T>(gateway: GatewayName, t: Translate): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    adminFetch<T>(`/admin/${gateway}/settings`).then(
      (data) => setLoaded({ state: 'ok', data }),
      (e: unknown) =>
        setLoaded(
          e instanceof ApiError && e.status === 404
            ? { state: 'missing' }
            : { state: 'error', message: errorMessage(e, t) },
        ),
    );
  }, [gateway, t]);
  return loaded;
}

function Facts({ rows }: { rows: Array<[string, string]> }) {
  return (
    <dl className="grid grid-cols-1 gap-x-4 gap-y-1 sm:grid-cols-2">
      {rows.map(([label, value]) => (
        <div key={label} className="flex flex-wrap justify-between gap-x-2 sm:block">
          <dt className="txt-compact-small text-ui-fg-subtle">{label}</dt>
          <dd className="txt-compact-small break-all">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Section({ children }: { children: ReactNode }) {
  return <div className="flex flex-col gap-3 px-4 py-4 sm:px-6">{children}</div>;
}

function Status<T>({ loaded, gateway, t }: { loaded: Loaded<T>; gateway: GatewayName; t: Translate }) {
  if (loaded.state === 'missing') {
    return <Text size="small">{t('settings.not_configured', { gateway: t(`gateway.${gateway}`) })}</Text>;
  }
  if (loaded.state === 'error') {
    return (
      <Text size="small" className="text-ui-fg-error" role="alert">
        {t('settings.load_failed', { reason: loaded.message })}
      </Text>
    );
  }
  return null;
}

function RobokassaPanel({ t }: { t: Translate }) {
  const loaded = useSettings<SettingsView>('robokassa', t);
  if (loaded.state !== 'ok') return <Section>{<Status loaded={loaded} gateway="robokassa" t={t} />}</Section>;
  const s = loaded.data;
  const labels = {
    result: t('settings.url.result'),
    result2: t('settings.url.result2'),
    success: t('settings.url.success'),
    fail: t('settings.url.fail'),
  };
  const yesNo = (value: boolean | undefined) => (value ? t('settings.configured') : t('settings.not_set'));
  return (
    <>
      <Section>
        <div className="flex flex-wrap items-start justify-between gap-2">
          <Heading level="h2">{t('gateway.robokassa')}</Heading>
          <ModeBadge gateway={s.gateway} testFlag={s.mode === 'test'} t={t} />
        </div>
      </Section>
      <Section>
        <Text size="small" className="text-ui-fg-subtle">
          {t('settings.urls.intro.robokassa', { login: s.login })}
        </Text>
        <UrlList urls={Object.entries(s.urls) as Array<[string, UrlView]>} labels={labels} t={t} />
      </Section>
      <Section>
        <Facts
          rows={[
            [t('settings.gateway_address'), s.gateway],
            [t('settings.algorithm'), s.algorithm.toUpperCase()],
            [t('settings.country'), s.country],
            [t('settings.payments'), s.hold ? t('settings.payments.hold') : t('settings.payments.capture')],
            [
              t('settings.receipts'),
              s.receipts
                ? t('settings.receipts.on', { sno: s.receipts.sno ?? t('settings.receipts.cabinet') })
                : t('settings.receipts.off'),
            ],
            [t('settings.refund_api'), yesNo(s.passwords.password3)],
            [t('settings.test_passwords'), yesNo(s.passwords.testPassword1)],
          ]}
        />
      </Section>
      <Section>
        <CredentialsCheck gateway="robokassa" t={t} />
      </Section>
    </>
  );
}

function AssistPanel({ t }: { t: Translate }) {
  const loaded = useSettings<AssistSettingsView>('assist', t);
  if (loaded.state !== 'ok') return <Section>{<Status loaded={loaded} gateway="assist" t={t} />}</Section>;
  const s = loaded.data;
  const host = s.gateway ?? s.host ?? '';
  const gatewayUrl = host && !/^https?:\/\//.test(host) ? `https://${host}` : host;
  const labels = {
    notification: t('settings.url.notification'),
    return_ok: t('settings.url.return_ok'),
    return_no: t('settings.url.return_no'),
    result: t('settings.url.notification'),
    success: t('settings.url.return_ok'),
    fail: t('settings.url.return_no'),
  };
  const rows: Array<[string, string]> = [];
  if (gatewayUrl) rows.push([t('settings.gateway_address'), gatewayUrl]);
  if (s.checkvalue_mode) rows.push([t('settings.checkvalue_mode'), s.checkvalue_mode]);
  if (s.hold !== undefined) {
    rows.push([t('settings.payments'), s.hold ? t('settings.payments.hold') : t('settings.payments.capture')]);
  }
  if (s.secrets) {
    const webService = Boolean(s.secrets.login && s.secrets.password);
    rows.push([t('settings.web_service'), webService ? t('settings.configured') : t('settings.not_set')]);
  }
  return (
    <>
      <Section>
        <div className="flex flex-wrap items-start justify-between gap-2">
          <Heading level="h2">{t('gateway.assist')}</Heading>
          {gatewayUrl && <ModeBadge gateway={gatewayUrl} testFlag={s.mode === 'test'} t={t} />}
        </div>
      </Section>
      <Section>
        <Text size="small" className="text-ui-fg-subtle">
          {t('settings.urls.intro.assist', { login: s.merchant_id ?? s.login ?? '' })}
        </Text>
        <UrlList urls={Object.entries(s.urls) as Array<[string, UrlView]>} labels={labels} t={t} />
        {s.returns_sent_with_payment && (
          <Text size="small" className="text-ui-fg-subtle">
            {t('settings.urls.returns_sent')}
          </Text>
        )}
      </Section>
      {rows.length > 0 && (
        <Section>
          <Facts rows={rows} />
        </Section>
      )}
      <Section>
        <CredentialsCheck gateway="assist" t={t} />
      </Section>
    </>
  );
}

/** Settings → payment gateways: per gateway, the URLs for its cabinet, the real mode, and a credentials check. */
const KassaSettingsPage = () => {
  const { t } = useAdminI18n();
  return (
    <Container className="divide-y p-0" data-testid="kassa-settings">
      <div className="flex flex-col gap-1 px-4 py-4 sm:px-6">
        <Heading level="h1">{t('settings.title')}</Heading>
        <Text size="small" className="text-ui-fg-subtle">
          {t('settings.subtitle')}
        </Text>
      </div>
      <Tabs defaultValue="robokassa">
        <div className="px-4 pt-4 sm:px-6">
          <Tabs.List>
            <Tabs.Trigger value="robokassa">{t('gateway.robokassa')}</Tabs.Trigger>
            <Tabs.Trigger value="assist">{t('gateway.assist')}</Tabs.Trigger>
          </Tabs.List>
        </div>
        <Tabs.Content value="robokassa" className="divide-y">
          <RobokassaPanel t={t} />
        </Tabs.Content>
        <Tabs.Content value="assist" className="divide-y">
          <AssistPanel t={t} />
        </Tabs.Content>
      </Tabs>
    </Container>
  );
};

export const config = defineRouteConfig({ label: 'menu.settings', translationNs: 'kassa', icon: CreditCard });

export default KassaSettingsPage;
