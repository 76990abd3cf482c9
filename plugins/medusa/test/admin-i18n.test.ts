import { describe, expect, it } from 'vitest';
import adminResources from '../src/admin/i18n';
import { catalogs, hasMessage, toLanguage, translator } from '../src/admin/lib/i18n';
import { en } from '../src/admin/lib/i18n/en';
import { ru } from '../src/admin/lib/i18n/ru';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('admin message catalogs', () => {
  it('have exactly the same keys in Russian and English', () => {
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort());
    expect(Object.keys(en).length).toBeGreaterThan(100);
  });

  it('have no empty message and the same placeholders in both languages', () => {
    for (const [language, catalog] of Object.entries(catalogs)) {
      for (const [key, text] of Object.entries(catalog)) {
        expect(text.trim(), `${language} ${key}`).not.toBe('');
      }
    }
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      expect(placeholders(ru[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('never leaves an error code or a snake_case state in Russian text', () => {
    for (const [key, text] of Object.entries(ru)) {
      expect(text, key).not.toMatch(/\[[A-Z_]+\]|partially_refunded|SBPPSR/);
    }
  });

  it('follows the admin language code and fills placeholders', () => {
    expect(toLanguage('ru')).toBe('ru');
    expect(toLanguage('ru-RU')).toBe('ru');
    expect(toLanguage('en-US')).toBe('en');
    expect(toLanguage('de')).toBe('en');
    expect(toLanguage(undefined)).toBe('en');
    expect(translator('ru')('state.partially_refunded')).toBe('частично возвращён');
    expect(translator('en')('state.partially_refunded')).toBe('partially refunded');
    expect(translator('ru')('widget.invoice', { id: 42 })).toBe('Счёт 42');
    expect(translator('en')('widget.invoice')).toBe('Invoice {id}');
    expect(hasMessage('error.PASSWORD3_MISSING')).toBe(true);
    expect(hasMessage('error.NOT_A_CODE')).toBe(false);
  });

  it('gives the dashboard the sidebar labels in both languages (namespace kassa)', () => {
    expect(adminResources.ru.kassa.menu).toEqual({ settings: 'Платёжные системы', payments: 'Платежи' });
    expect(adminResources.en.kassa.menu).toEqual({ settings: 'Payment gateways', payments: 'Payments' });
  });
});
