import type { Logger as KassaLogger, LogFields } from '@kassa/core';
import type { Logger as MedusaLogger } from '@medusajs/framework/types';

/**
 * Core logs a stable code plus redacted fields; Medusa's logger takes a message. One line per event, the code first
 * so it can be grepped and alerted on (codes are listed in the README's troubleshooting table).
 */
export function kassaLogger(logger: MedusaLogger): KassaLogger {
  const line = (code: string, fields?: LogFields) =>
    `robokassa ${code}${fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ''}`;
  return {
    info: (code, fields) => logger.info(line(code, fields)),
    warn: (code, fields) => logger.warn(line(code, fields)),
    error: (code, fields) => logger.error(line(code, fields)),
  };
}
