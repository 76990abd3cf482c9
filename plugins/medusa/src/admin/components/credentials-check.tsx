import { Badge, Button, Text } from '@medusajs/ui';
import { useState } from 'react';
import { adminFetch, type CheckView } from '../lib/api';
import { errorMessage } from '../lib/errors';
import { hasMessage, type Translate } from '../lib/i18n';
import type { GatewayName } from '../lib/record';

/** A verdict as a sentence: per gateway when the gateways differ (wrong merchant, wrong secret), else shared. */
export function verdictMessage(verdict: string, gateway: GatewayName, t: Translate): string {
  const specific = `verdict.${verdict}.${gateway}`;
  if (hasMessage(specific)) return t(specific);
  const shared = `verdict.${verdict}`;
  return hasMessage(shared) ? t(shared) : t('verdict.unexpected');
}

/** A secret's name as core reports it (`Password #2 and the hash algorithm`), in the admin's language. */
export function secretName(name: string, t: Translate): string {
  const key = `secret.${name}`;
  return hasMessage(key) ? t(key) : name;
}

/**
 * The gateway's credentials check: which secrets each passed step proved, which step failed and what to do, and
 * which secrets cannot be checked from the server at all (core's `CredentialsReport.unproven`).
 */
export function CredentialsCheck({ gateway, t }: { gateway: GatewayName; t: Translate }) {
  const [check, setCheck] = useState<CheckView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  const run = async () => {
    setChecking(true);
    setError(null);
    try {
      setCheck(await adminFetch<CheckView>(`/admin/${gateway}/check`, { method: 'POST' }));
    } catch (e) {
      setCheck(null);
      setError(errorMessage(e, t));
    } finally {
      setChecking(false);
    }
  };

  const proved =
    check?.steps.filter((s) => s.verdict === 'ok' && s.proves).map((s) => secretName(s.proves as string, t)) ?? [];
  const failed = check?.steps.filter((s) => s.verdict !== 'ok') ?? [];
  return (
    <div className="flex flex-col gap-2" data-testid="kassa-check">
      <div className="flex flex-wrap items-center gap-3">
        <Button variant="secondary" size="small" isLoading={checking} onClick={run}>
          {t('settings.check')}
        </Button>
        {check && (
          <Badge color={check.verdict === 'ok' ? 'green' : 'red'}>
            {check.verdict === 'ok' ? t('settings.check.ok') : t('settings.check.failed')}
          </Badge>
        )}
      </div>
      {check && proved.length > 0 && (
        <Text size="small">{t('settings.check.proved', { what: proved.join(', ') })}</Text>
      )}
      {failed.map((step) => (
        <Text key={step.name} size="small" className="text-ui-fg-error" role="alert">
          {verdictMessage(step.verdict, gateway, t)}
        </Text>
      ))}
      {check?.unproven && check.unproven.length > 0 && (
        <Text size="small" className="text-ui-fg-subtle">
          {t('settings.check.unproven', {
            what: check.unproven.map((name) => secretName(name, t)).join(', '),
            why: t(gateway === 'assist' ? 'settings.check.unproven.assist' : 'settings.check.unproven.robokassa'),
          })}
        </Text>
      )}
      {error && (
        <Text size="small" className="text-ui-fg-error" role="alert">
          {error}
        </Text>
      )}
    </div>
  );
}
