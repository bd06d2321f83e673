import { ConfigError, configTable, parseSections, type SectionsConfig } from '../config/define';
import { coreSections } from '../config/sections';
import { adapters, type AnyAdapter } from '../vendors';

export { ConfigError } from '../config/define';

/** Every section, in README order: the core's, then one per built-in adapter. */
export const configSections = [...coreSections, ...adapters.map((a) => a.config)] as const;

type AdapterConfigs = { [A in (typeof adapters)[number] as A['id']]: ReturnType<A['config']['build']> };

/** The validated settings: `{ core, http, database, auth, <adapter id>, … }`, inferred from the sections. */
export type Config = SectionsConfig<typeof coreSections> & AdapterConfigs;

/**
 * Reads and validates the environment; throws one ConfigError listing every bad variable. Extra
 * adapters (not built in) add their sections; their settings sit under their ids too.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, extra: readonly AnyAdapter[] = []): Config {
  const config = parseSections(env, [...configSections, ...extra.map((a) => a.config)]) as Config;
  const settings = config as unknown as Record<string, never>;
  const refusals = [...adapters, ...extra].flatMap(
    (a) => a.validate?.(settings[a.id], { production: config.core.env === 'production' }) ?? [],
  );
  if (refusals.length) throw new ConfigError(refusals);
  return config;
}

/** README's configuration table. */
export const configDocumentation = () => configTable(configSections);
