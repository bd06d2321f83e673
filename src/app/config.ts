import { ConfigError, configTable, parseSections, type SectionsConfig } from '../config/define';
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
  const config = parseSections(env, configSections) as Config;
  // A link built from the request's Host header points wherever the requester says (a phishing
  // link mailed by us): in production the base must be configured.
  if (config.core.env === 'production' && !config.imbee.publicUrl)
    throw new ConfigError([
      'IMBEE_PUBLIC_URL: required when NODE_ENV=production (web chat links must not take their base from the Host header)',
    ]);
  return config;
}

/** README's configuration table. */
export const configDocumentation = () => configTable(configSections);
