import type { Config } from './config';
import type { AnyAdapter } from '../vendors';
import type { AdapterSettings } from '../vendors/kit/adapter';

/** An adapter's settings: its section of the configuration, under its id. */
export const settingsOf = (config: Config, adapter: AnyAdapter): AdapterSettings =>
  (config as unknown as Record<string, AdapterSettings>)[adapter.id]!;

/**
 * What the adapters plug into the core: the app credential kinds, the settings of the scoped
 * client tokens (from the adapter that issues them; a default issuer otherwise), the webhook formats.
 */
export function pluginsOf(config: Config, adapters: readonly AnyAdapter[]) {
  return {
    kinds: adapters.flatMap((a) => (a.credentials ? [a.credentials(settingsOf(config, a))] : [])),
    clientTokens: adapters.flatMap((a) => (a.clientTokens ? [a.clientTokens(settingsOf(config, a))] : []))[0] ?? { issuer: 'imfacade' },
    formats: adapters.flatMap((a) => a.webhookFormats ?? []),
  };
}
