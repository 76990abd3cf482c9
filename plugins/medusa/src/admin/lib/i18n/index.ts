import { type Catalog, en, type MessageKey } from './en';
import { ru } from './ru';

export type { Catalog, MessageKey } from './en';

export type Language = 'ru' | 'en';

export const catalogs: Record<Language, Catalog> = { en, ru };

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** The admin's language code (`ru`, `ru-RU`, `en-US`…) as one of ours; anything not Russian is English. */
export function toLanguage(code: string | null | undefined): Language {
  return code?.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

/** `{name}` placeholders are replaced; a missing variable stays visible as `{name}` rather than vanishing. */
export function translator(language: Language): Translate {
  const catalog = catalogs[language];
  return (key, vars) =>
    catalog[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      vars && Object.hasOwn(vars, name) ? String(vars[name]) : whole,
    );
}

/** Whether `key` is one of the catalog's keys (for keys built at run time, e.g. from an API error code). */
export function hasMessage(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}
