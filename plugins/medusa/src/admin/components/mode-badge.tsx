import { Badge, Text } from '@medusajs/ui';
import { gatewayMode, hostLabel } from '../lib/environment';
import type { Translate } from '../lib/i18n';

const COLORS = { sandbox: 'purple', test: 'orange', live: 'green' } as const;

/** The mode from the address payments really go to (a sandbox is a sandbox whatever the test flag says). */
export function ModeBadge({ gateway, testFlag, t }: { gateway: string; testFlag: boolean; t: Translate }) {
  const mode = gatewayMode(gateway, testFlag);
  return (
    <div className="flex flex-col items-end gap-1" data-testid="kassa-mode" data-mode={mode}>
      <Badge color={COLORS[mode]}>{t(`mode.${mode}`)}</Badge>
      <Text size="xsmall" className="text-ui-fg-subtle text-right">
        {t(`mode.${mode}.hint`, { host: hostLabel(gateway) })}
      </Text>
    </div>
  );
}
