import { ApiError } from './api';
import { hasMessage, type Translate } from './i18n';

const MONEY_CODE = /^MONEY_/;

/**
 * A failed call as a sentence with a next step, in the admin's language. The API's stable codes pick the message;
 * the raw text (`[GATEWAY_BAD_RESPONSE] … OpKey …`) is never shown. A code we have no words for falls back on the
 * HTTP status.
 */
export function errorMessage(error: unknown, t: Translate): string {
  if (!(error instanceof ApiError)) return t('error.unknown', { message: t('error.network') });
  if (error.code) {
    const key = `error.${error.code}`;
    if (hasMessage(key)) return t(key);
    if (MONEY_CODE.test(error.code)) return t('error.MONEY');
  }
  if (error.status === 0) return t('error.network');
  if (error.status === 401) return t('error.session');
  if (error.status === 403) return t('error.forbidden');
  if (error.status === 404) return t('error.not_found');
  if (error.status >= 500) return t('error.server', { status: error.status });
  if (error.status === 409) return t('error.LEDGER_CONFLICT');
  return t('error.bad_request');
}
