import { envVar, section, type EnvVar } from '../../config/define';
import { nonNegativeInt, port } from '../../config/types';
import type { AdapterSettings } from './adapter';

/**
 * An adapter's configuration section: `<ID>_PORT` and `<ID>_RATE_LIMIT` for every adapter, plus the
 * variables of its own.
 */
export function adapterSection<Id extends string, V extends Record<string, EnvVar>, T>(
  id: Id,
  label: string,
  defaultRate: number,
  vars: V,
  build: (values: { [K in keyof V]: import('zod').output<V[K]['schema']> }) => T,
) {
  const ID = id.toUpperCase();
  const common = {
    [`${ID}_PORT`]: envVar(
      port.optional(),
      `also serve the ${label} adapter at the root of this port (for clients whose paths cannot change)`,
    ),
    [`${ID}_RATE_LIMIT`]: envVar(
      nonNegativeInt.default(defaultRate),
      `${label} requests per second per app (bursts up to one second's worth); \`0\` = unlimited; over it: the dialect's rate-limit error with \`Retry-After\``,
    ),
  };
  return section(id, { ...common, ...vars }, (v): T & AdapterSettings => {
    const all = v as Record<string, unknown>;
    return { ...build(v as never), port: all[`${ID}_PORT`] as number | undefined, ratePerSecond: all[`${ID}_RATE_LIMIT`] as number };
  });
}
