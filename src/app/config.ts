import { configTable, parseSections, type SectionsConfig } from '../config/define';
import { coreSections } from '../config/sections';
import { adapters } from './adapters';

export { ConfigError } from '../config/define';

/** Every section, in README order: the core's, then one per adapter. */
export const configSections = [...coreSections, ...adapters.map((a) => a.config)] as const;

type AdapterConfigs = { [A in (typeof adapters)[number] as A['id']]: ReturnType<A['config']['build']> };

/** The validated settings: `{ core, http, database, auth, easemob, … }`, inferred from the sections. */
export type Config = SectionsConfig<typeof coreSections> & AdapterConfigs;

/** Reads and validates the environment; throws one ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return parseSections(env, configSections) as Config;
}

/** README's configuration table. */
export const configDocumentation = () => configTable(configSections);
