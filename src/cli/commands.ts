import { parseArgs } from 'node:util';
import type { Log as Logger } from '../domain/context';
import { isDomainError } from '../domain/errors';
import type { Services } from '../app/services';
import { surfaceOf } from '../app/surface';
import { OUTBOX_USAGE, runOutboxCommand } from './outbox-commands';
import type { AdapterCommand } from '../ports/adapter-command';

/** The usage text: the core's commands, then each adapter's. */
export const usage = (commands: readonly AdapterCommand[] = []) => `usage: npm run cli -- <command>
  app create --name <name> [--open-registration]   create an app; prints its credentials (once)
  app list                                          list apps (no secrets)
  app rotate-secret --app <appId> [--vendor <v>]…   new secrets for the named credential kinds (all by default)
${OUTBOX_USAGE}
${commands.map((c) => c.usage).join('\n')}
Output is JSON on stdout; errors are JSON on stderr with a non-zero exit code.`;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export class UsageError extends Error {}

/** Every flag the commands read (all take a value, and may repeat), and the one switch. */
const VALUE_FLAGS = ['app', 'callback', 'channel', 'events', 'first', 'id', 'kind', 'name', 'robot', 'secret', 'service', 'state']
  .concat(['supporter', 'url', 'user', 'vendor'])
  .map((n) => [n, { type: 'string', multiple: true }] as const);

/** Parses `--flag value` (or `--flag=value`) pairs with node:util's parseArgs; repeated flags accumulate. */
export function parseFlags(args: string[], extra: readonly string[] = []): Map<string, string[]> {
  const more = extra.filter((n) => !VALUE_FLAGS.some(([k]) => k === n)).map((n) => [n, { type: 'string', multiple: true }] as const);
  try {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: { 'open-registration': { type: 'boolean' }, ...Object.fromEntries([...VALUE_FLAGS, ...more]) },
    });
    return new Map(Object.entries(values).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : [String(v)]]));
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

const one = (flags: Map<string, string[]>, name: string): string => {
  const v = flags.get(name);
  if (!v?.length) throw new UsageError(`--${name} is required`);
  return v[v.length - 1]!;
};

/** Runs one operator command against the services; returns the process exit code. */
export async function runCommand(
  argv: string[],
  services: Services,
  log: Logger,
  io: CliIo,
  commands: readonly AdapterCommand[] = [],
): Promise<number> {
  const ctx = services.context({ kind: 'operator' }, log, 'cli');
  try {
    const [noun, verb, ...rest] = argv;
    if (!noun || !verb) throw new UsageError('unknown command');
    const own = commands.find((c) => c.name === `${noun} ${verb}`);
    const flags = parseFlags(rest, own?.flags);
    const f = { one: (n: string) => one(flags, n), optional: (n: string) => flags.get(n)?.at(-1), all: (n: string) => flags.get(n) ?? [] };
    if (own) {
      io.out(JSON.stringify(await own.run(f, surfaceOf(services), ctx)));
    } else if (noun !== 'app') {
      const result = await runOutboxCommand(noun, verb, f, services, ctx);
      if (result === undefined) throw new UsageError(`unknown command "${noun} ${verb}"`);
      io.out(JSON.stringify(result));
    } else if (verb === 'create') {
      const creds = await services.apps.create(ctx, { name: one(flags, 'name'), openRegistration: flags.has('open-registration') });
      io.out(JSON.stringify(creds));
    } else if (verb === 'list') {
      // As GraphQL's App shows it: each dialect's ids under the dialect's name.
      const apps = await services.apps.list(ctx);
      io.out(JSON.stringify(apps.map(({ dialects, ...app }) => ({ ...app, ...dialects }))));
    } else if (verb === 'rotate-secret') {
      const kinds = (flags.get('vendor') ?? []).flatMap((v) => v.split(',')).map((v) => v.trim().toLowerCase());
      const known = services.apps.kindKeys();
      const unknown = kinds.filter((v) => !known.includes(v));
      if (unknown.length) throw new UsageError(`unknown vendor ${unknown.join(', ')}; use ${known.join(', ')}`);
      const creds = await services.apps.rotateSecrets(ctx, one(flags, 'app'), kinds.length ? kinds : undefined);
      io.out(JSON.stringify(creds));
    } else {
      throw new UsageError(`unknown command "app ${verb}"`);
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(JSON.stringify({ error: 'USAGE', message: e.message }));
      io.err(usage(commands));
      return 2;
    }
    if (isDomainError(e)) {
      io.err(JSON.stringify({ error: e.code, message: e.message, ...(e.details.field ? { field: e.details.field } : {}) }));
      return 1;
    }
    throw e;
  }
}
