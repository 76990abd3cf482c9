import { guardLogger, type Logger as KassaLogger, type LogFields, type Secret } from '@kassa/core';
import type { Logger as MedusaLogger } from '@medusajs/framework/types';

/**
 * The plugin's only way to log. Core's `guardLogger` drops sensitive keys (signatures, passwords, tokens, receipts,
 * e-mails), turns an `Error` into `{ name, message, code }` (JSON.stringify would print `{}`) and masks the merchant's
 * passwords wherever they appear in a string. Then one Medusa line per event, the code first so it can be grepped
 * and alerted on (codes are listed in the README's troubleshooting table).
 */
export function kassaLogger(
  logger: MedusaLogger,
  secrets: ReadonlyArray<Secret | undefined>,
  gateway: 'robokassa' | 'assist' = 'robokassa',
): KassaLogger {
  const line = (code: string, fields?: LogFields) =>
    `${gateway} ${code}${fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ''}`;
  const guarded = guardLogger(
    {
      info: (code, fields) => logger.info(line(code, fields)),
      warn: (code, fields) => logger.warn(line(code, fields)),
      error: (code, fields) => logger.error(line(code, fields)),
    },
    secrets,
  );
  // A level Medusa does not print costs nothing: no redaction, no formatting (every duplicate callback logs a replay
  // at info, and a production shop often runs at warn).
  const enabled = (level: 'info' | 'warn' | 'error') =>
    typeof logger.shouldLog !== 'function' || logger.shouldLog(level);
  return {
    info: (code, fields) => (enabled('info') ? guarded.info(code, fields) : undefined),
    warn: (code, fields) => (enabled('warn') ? guarded.warn(code, fields) : undefined),
    error: (code, fields) => (enabled('error') ? guarded.error(code, fields) : undefined),
  };
}
