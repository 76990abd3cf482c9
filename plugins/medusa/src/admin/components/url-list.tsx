import { Badge, Copy, Text } from '@medusajs/ui';
import type { UrlView } from '../lib/api';
import { hostLabel, isUnreachableFromInternet } from '../lib/environment';
import type { Translate } from '../lib/i18n';

/**
 * The URLs to paste into a gateway's cabinet, each with a copy button and a warning when the gateway could never
 * reach it. A stacked list rather than a table: it fits a phone, and a long URL wraps instead of overflowing.
 */
export function UrlList({
  urls,
  labels,
  t,
}: {
  urls: Array<[string, UrlView]>;
  labels: Record<string, string>;
  t: Translate;
}) {
  return (
    <ul className="flex flex-col divide-y rounded-md border" data-testid="kassa-urls">
      {urls.map(([key, value]) => {
        const unreachable = isUnreachableFromInternet(value.url);
        return (
          <li key={key} className="flex flex-col gap-1 px-3 py-2">
            <div className="flex flex-wrap items-center justify-between gap-2">
              <Text size="small" weight="plus">
                {labels[key] ?? key}
              </Text>
              <Badge size="2xsmall" color="grey">
                {value.method}
              </Badge>
            </div>
            <div className="flex items-start gap-2">
              <code className="txt-compact-small min-w-0 flex-1 break-all font-mono">{value.url}</code>
              <Copy content={value.url} aria-label={`${t('settings.urls.copy')}: ${labels[key] ?? key}`} />
            </div>
            {unreachable && (
              <Text size="small" className="text-ui-fg-error" role="alert">
                {t('settings.urls.private', { host: hostLabel(value.url) })}
              </Text>
            )}
          </li>
        );
      })}
    </ul>
  );
}
