import { z } from 'zod';

/** One environment variable: its schema (with its default) and the line README shows for it. */
export interface EnvVar<S extends z.ZodType = z.ZodType> {
  schema: S;
  doc: string;
  /** What README shows as the default when the schema's own default does not say it. */
  shownDefault?: string;
}

export const envVar = <S extends z.ZodType>(schema: S, doc: string, shownDefault?: string): EnvVar<S> => ({ schema, doc, shownDefault });

export type AnySection = ConfigSection<unknown, any, string>;

type Values<V extends Record<string, EnvVar>> = { [K in keyof V]: z.output<V[K]['schema']> };

/** A subsystem's variables and how they become its typed settings. One definition per variable. */
export interface ConfigSection<T = unknown, V extends Record<string, EnvVar> = Record<string, EnvVar>, N extends string = string> {
  name: N;
  vars: V;
  build(values: Values<V>): T;
}

export function section<N extends string, V extends Record<string, EnvVar>, T>(
  name: N,
  vars: V,
  build: (values: Values<V>) => T,
): ConfigSection<T, V, N> {
  return { name, vars, build };
}

/** `{ [section name]: its settings }` for a list of sections: the shape of Config. */
export type SectionsConfig<L extends readonly { name: string; build(values: never): unknown }[]> = {
  [S in L[number] as S['name']]: ReturnType<S['build']>;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses every section against `env`; throws one ConfigError listing every bad variable. */
export function parseSections(env: NodeJS.ProcessEnv, sections: readonly AnySection[]): Record<string, unknown> {
  // An empty variable means "unset", as most shells and .env files intend.
  const present = (name: string) => (env[name] === '' ? undefined : env[name]);
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const s of sections) {
    const values: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(s.vars as Record<string, EnvVar>)) {
      const parsed = v.schema.safeParse(present(name));
      if (parsed.success) values[name] = parsed.data;
      else problems.push(...parsed.error.issues.map((i) => `${name}: ${i.message}`));
    }
    if (problems.length === 0) out[s.name] = s.build(values as never);
  }
  if (problems.length) throw new ConfigError(problems);
  return out;
}

/** README's configuration table, generated from the sections (test/config.test.ts keeps them equal). */
export function configTable(sections: readonly AnySection[]): string {
  const rows = sections.flatMap((s) =>
    Object.entries(s.vars as Record<string, EnvVar>).map(([name, v]) => {
      const d = v.schema.safeParse(undefined);
      const shown = v.shownDefault ?? (d.success && d.data !== undefined ? `\`${String(d.data)}\`` : '—');
      return `| \`${name}\` | ${shown} | ${v.doc} |`;
    }),
  );
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
