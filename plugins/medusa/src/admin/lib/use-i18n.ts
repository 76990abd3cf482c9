import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { type Language, type Translate, toLanguage, translator } from './i18n';

/** Where the dashboard keeps the chosen language (i18next-browser-languagedetector, `lookupCookie: 'lng'`). */
function storedLanguage(): string | undefined {
  if (typeof document === 'undefined') return undefined;
  const cookie = /(?:^|;\s*)lng=([^;]+)/.exec(document.cookie)?.[1];
  if (cookie) return decodeURIComponent(cookie);
  try {
    return window.localStorage.getItem('lng') ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * The admin's language. Plugins share the dashboard's `react-i18next` (the plugin build keeps it external), so this
 * follows the language picked in the admin's profile and re-renders when it changes; outside the dashboard it falls
 * back on the dashboard's `lng` cookie / localStorage.
 */
export function useAdminI18n(): { language: Language; t: Translate } {
  const { i18n } = useTranslation();
  const code = i18n?.resolvedLanguage ?? i18n?.language ?? storedLanguage();
  const language = toLanguage(code);
  const t = useMemo(() => translator(language), [language]);
  return { language, t };
}
