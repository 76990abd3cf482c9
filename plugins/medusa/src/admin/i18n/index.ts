import { catalogs } from '../lib/i18n';

/**
 * Resources the dashboard merges into its i18next instance (namespace `kassa`): the sidebar labels of the plugin's
 * pages, taken from the same catalogs as every other string of the extensions.
 */
export default {
  en: { kassa: { menu: { settings: catalogs.en['settings.title'], payments: catalogs.en['payments.title'] } } },
  ru: { kassa: { menu: { settings: catalogs.ru['settings.title'], payments: catalogs.ru['payments.title'] } } },
};
