/**
 * Where the plugin's routes find the merchant settings. Medusa gives a plugin's modules the options of the plugin
 * entry (`plugins: [{ resolve: '@kassa/medusa', options }]`); a shop that only configured the payment provider
 * (`modules → payment → providers → { resolve: '@kassa/medusa/providers/robokassa', options }`) gets those instead.
 */

const PROVIDER_RESOLVE = /(^|\/)providers\/robokassa$|@kassa\/medusa\/providers\/robokassa/;

interface ProviderEntry {
  resolve?: unknown;
  options?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function providerEntries(configModule: unknown): ProviderEntry[] {
  if (!isRecord(configModule) || !isRecord(configModule.modules)) return [];
  const out: ProviderEntry[] = [];
  for (const mod of Object.values(configModule.modules)) {
    if (!isRecord(mod) || !isRecord(mod.options) || !Array.isArray(mod.options.providers)) continue;
    for (const provider of mod.options.providers) if (isRecord(provider)) out.push(provider);
  }
  return out;
}

export function resolveOptionsFromConfig(pluginOptions: unknown, configModule: unknown): unknown {
  // `assist` holds the Assist options (below): a plugin entry with only those has no Robokassa options.
  if (isRecord(pluginOptions) && Object.keys(pluginOptions).some((k) => k !== 'assist')) return pluginOptions;
  const provider = providerEntries(configModule).find(
    (p) => typeof p.resolve === 'string' && PROVIDER_RESOLVE.test(p.resolve),
  );
  return provider?.options ?? pluginOptions;
}

const ASSIST_PROVIDER_RESOLVE = /(^|\/)providers\/assist$|@kassa\/medusa\/providers\/assist/;

/**
 * The Assist options the plugin's routes and job use: `plugins: [{ resolve: '@kassa/medusa', options: { assist } }]`,
 * or else the first Assist payment provider's options. Several Assist providers (say one with `hold: true`) must
 * share the merchant (Merchant_ID, secret word, web-service user): notifications and returns carry no provider id.
 * Undefined when the shop has no Assist.
 */
export function resolveAssistOptionsFromConfig(pluginOptions: unknown, configModule: unknown): unknown {
  if (isRecord(pluginOptions) && pluginOptions.assist !== undefined) return pluginOptions.assist;
  const provider = providerEntries(configModule).find(
    (p) => typeof p.resolve === 'string' && ASSIST_PROVIDER_RESOLVE.test(p.resolve),
  );
  return provider?.options;
}
