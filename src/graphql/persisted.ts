import crypto from 'node:crypto';
import fs from 'node:fs';
import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import { GraphQLError } from 'graphql';
import { z } from 'zod';

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

/** An allow-list of operations (PERSISTED_OPERATIONS): only these run, over HTTP and WebSocket. */
export interface PersistedOperations {
  /** Operation text by its id in the manifest. */
  byId: Map<string, string>;
  /** sha256 of every allowed operation text. */
  allowed: Set<string>;
}

// Apollo's persisted query manifest (generate-persisted-query-manifest), or a plain { id: text } map
// (Relay's persisted queries file).
const apolloManifest = z.object({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1),
  operations: z.array(z.object({ id: z.string().min(1).max(256), body: z.string().min(1) })).max(100_000),
});
const plainMap = z.record(z.string().min(1).max(256), z.string().min(1));

/** The manifest's operations, plus `builtIn` texts the server's own pages run (admitted by text only). */
export function loadPersistedOperations(file: string, builtIn: readonly string[] = []): PersistedOperations {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`PERSISTED_OPERATIONS: cannot read ${file} as JSON (${(e as Error).message})`, { cause: e });
  }
  const apollo = apolloManifest.safeParse(json);
  const entries = apollo.success ? apollo.data.operations.map((o) => [o.id, o.body] as const) : Object.entries(plainMap.parse(json));
  if (entries.length === 0) throw new Error(`PERSISTED_OPERATIONS: ${file} lists no operation`);
  const byId = new Map(entries);
  return { byId, allowed: new Set([...byId.values(), ...builtIn].map(sha256)) };
}

const notInList = () =>
  new GraphQLError('This server only runs its persisted operations; this one is not among them.', {
    extensions: { code: 'QUERY_NOT_IN_SAFELIST', http: { status: 400 } },
  });

/** Read-only lookups by manifest id: a hash-only request runs the listed text; nothing can be registered. */
function manifestCache(ops: PersistedOperations): KeyValueCache<string> {
  return {
    get: async (key) => ops.byId.get(key.replace(/^apq:/, '')),
    set: async () => undefined,
    delete: async () => false,
  };
}

/**
 * Apollo's `persistedQueries` option: with an allow-list, hashes resolve from the manifest only;
 * without one, automatic persisted queries (APQ) in a cache bounded to `apqCacheBytes` (0 = off).
 */
export function persistedQueriesOption(ops: PersistedOperations | undefined, apqCacheBytes: number) {
  if (ops) return { cache: manifestCache(ops) };
  if (apqCacheBytes === 0) return false as const;
  return { cache: new InMemoryLRUCache<string>({ maxSize: apqCacheBytes }) };
}

/** Whether this operation text may run under the allow-list: undefined when it may, else the error to answer. */
export const refuseUnlisted = (ops: PersistedOperations, source: string): GraphQLError | undefined =>
  ops.allowed.has(sha256(source)) ? undefined : notInList();

/** The text a graphql-ws subscribe may run under the allow-list (its query, or the listed one for its hash), or an error. */
export function allowedOverWebsocket(
  ops: PersistedOperations,
  payload: { query?: string; extensions?: Record<string, unknown> | null },
): string | GraphQLError {
  const hash = (payload.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
  const text = payload.query || (typeof hash === 'string' ? ops.byId.get(hash) : undefined);
  return text && ops.allowed.has(sha256(text)) ? text : notInList();
}
