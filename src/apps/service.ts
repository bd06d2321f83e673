import { LRUCache } from 'lru-cache';
import { Types } from 'mongoose';
import { findRecordsByIds, isObjectIdHex } from '../db/ids';
import type { RequestContext } from '../domain/context';
import { conflict, forbidden, invalidInput, notFound } from '../domain/errors';
import { isDuplicateKeyError } from '../db/errors';
import { nextValue, type CounterModel } from '../counters/counters';
import type { AnyCredentialKind, TypedKind } from './kinds';
import type { AppDoc, AppModel } from './model';
import type { AppCredentialSet, AppRecord } from './records';

export type { AppCredentialSet, AppRecord } from './records';

export type AppService = ReturnType<typeof createAppService>;

/** How long an app found by its credentials is trusted without a lookup (changes are also announced). */
const APP_CACHE_MS = 30_000;

export function createAppService(deps: {
  apps: AppModel;
  counters: CounterModel;
  kinds: readonly AnyCredentialKind[];
  onChanged(appId: string): void;
}) {
  const { apps, counters, kinds } = deps;
  const kindsByKey = new Map(kinds.map((k) => [k.key, k]));
  // Apps by a kind's lookup (every dialect request names its app; apps rarely change). Misses are
  // not cached; an entry goes at once when its app changes (`app.changed`).
  const byCredential = new LRUCache<string, { app: AppRecord; stored: object }>({ max: 10_000, ttl: APP_CACHE_MS });

  const toAppRecord = (d: AppDoc): AppRecord => ({
    id: d._id.toHexString(),
    name: d.name,
    openRegistration: d.openRegistration,
    dialects: Object.fromEntries(kinds.flatMap((k) => (k.publicView && d[k.key] ? [[k.key, k.publicView(d[k.key])]] : []))),
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  });

  const shown = (d: AppDoc, secrets: Record<string, object>): AppCredentialSet => ({
    appId: d._id.toHexString(),
    name: d.name,
    ...Object.fromEntries(kinds.flatMap((k) => (d[k.key] ? [[k.key, k.shown(d[k.key], secrets[k.key] ?? null)]] : []))),
  });

  const requireOperator = (ctx: RequestContext) => {
    if (ctx.principal.kind !== 'operator') throw forbidden('only the operator manages apps');
  };
  const next = (counter: string, start: number) => nextValue(counters, counter, start);

  async function issueAll(appName: string, chosen: readonly AnyCredentialKind[], current?: AppDoc) {
    const stored: Record<string, object> = {};
    const secrets: Record<string, object> = {};
    for (const kind of chosen) {
      const issued = await kind.issue({ appName, current: current?.[kind.key] as object | undefined, next });
      stored[kind.key] = issued.stored;
      secrets[kind.key] = issued.secrets;
    }
    return { stored, secrets };
  }

  /** Another app already holds the name, or a public id one of the kinds claims for it. */
  const taken = (nameKey: string, stored: Record<string, object>) =>
    apps.exists({
      $or: [
        { nameKey },
        ...kinds.flatMap((k) => {
          const claims = k.claims?.(stored[k.key]!);
          return claims ? [Object.fromEntries(Object.entries(claims).map(([p, v]) => [`${k.key}.${p}`, v]))] : [];
        }),
      ],
    });

  const service = {
    async create(ctx: RequestContext, input: { name: string; openRegistration?: boolean }): Promise<AppCredentialSet> {
      requireOperator(ctx);
      const name = input.name.trim();
      if (name.length < 1 || name.length > 64) throw invalidInput('name must be 1 to 64 characters', 'name');
      const nameKey = name.toLowerCase();
      if (await apps.exists({ nameKey })) throw conflict(`an app named "${name}" exists`, { field: 'name' });
      for (let attempt = 0; ; attempt++) {
        const { stored, secrets } = await issueAll(name, kinds);
        const doc = { _id: new Types.ObjectId(), name, nameKey, openRegistration: input.openRegistration ?? false, ...stored };
        try {
          const created = await apps.create(doc);
          return shown(created.toObject() as AppDoc, secrets);
        } catch (e) {
          if (!isDuplicateKeyError(e)) throw e;
          // Unless the name (or a claimed id) is now taken, a counter value was handed out twice
          // (FerretDB's findAndModify is not atomic, and its error does not name the index): draw again.
          if (!(await taken(nameKey, stored)) && attempt < 20) continue;
          throw conflict(`an app named "${name}" (or one whose public ids it would share) exists`, { field: 'name' });
        }
      }
    },

    async list(ctx: RequestContext): Promise<AppRecord[]> {
      requireOperator(ctx);
      return (await apps.find().sort({ _id: 1 }).lean<AppDoc[]>()).map(toAppRecord);
    },

    async count(): Promise<number> {
      return apps.estimatedDocumentCount();
    },

    /** The operator sees any app; an app or user principal only its own (others are not found). */
    async get(ctx: RequestContext, id: string): Promise<AppRecord> {
      const p = ctx.principal;
      if (p.kind !== 'operator' && !((p.kind === 'app' || p.kind === 'user') && p.appId === id)) throw notFound('app');
      const app = await ctx.loaders.appById.load(id);
      if (!app) throw notFound('app');
      return app;
    },

    /** Known credential kinds, by key (the CLI's and GraphQL's `vendors`). */
    kindKeys: () => kinds.map((k) => k.key),

    async rotateSecrets(ctx: RequestContext, id: string, keys: readonly string[] = kinds.map((k) => k.key)): Promise<AppCredentialSet> {
      requireOperator(ctx);
      const unknown = keys.filter((k) => !kindsByKey.has(k));
      if (unknown.length)
        throw invalidInput(`unknown credential kind ${unknown.join(', ')}; use ${kinds.map((k) => k.key).join(', ')}`, 'vendors');
      const current = isObjectIdHex(id) ? await apps.findById(id).lean<AppDoc>() : null;
      if (!current) throw notFound('app');
      // Client ids stay stable so integrations only swap the secret.
      const { stored, secrets } = await issueAll(
        current.name,
        keys.map((k) => kindsByKey.get(k)!),
        current,
      );
      const updated = await apps.findByIdAndUpdate(id, { $set: stored }, { returnDocument: 'after' }).lean<AppDoc>();
      if (!updated) throw notFound('app');
      service.forget(id);
      deps.onChanged(id);
      return shown(updated, secrets);
    },

    async updateSettings(ctx: RequestContext, id: string, patch: { openRegistration?: boolean | null }): Promise<AppRecord> {
      const p = ctx.principal;
      if (p.kind !== 'operator' && !(p.kind === 'app' && p.appId === id)) {
        throw p.kind === 'user' && p.appId === id ? forbidden('users cannot change app settings') : notFound('app');
      }
      const set: Partial<AppDoc> = {};
      if (patch.openRegistration !== undefined && patch.openRegistration !== null) set.openRegistration = patch.openRegistration;
      const updated = await apps.findByIdAndUpdate(id, { $set: set }, { returnDocument: 'after' }).lean<AppDoc>();
      if (!updated) throw notFound('app');
      ctx.loaders.appById.clear(id);
      deps.onChanged(id);
      return toAppRecord(updated);
    },

    /**
     * System: the app whose `kind` sub-document matches `match` (paths inside it), with that
     * sub-document (digests included) for the credential check to verify a presented secret.
     */
    async findByCredential<S extends object>(
      kind: TypedKind<S>,
      match: Partial<Record<keyof S & string, string | number>>,
    ): Promise<{ app: AppRecord; stored: S } | undefined> {
      const key = `${kind.key}\n${JSON.stringify(match)}`;
      const hit = byCredential.get(key);
      if (hit) return hit as { app: AppRecord; stored: S };
      const filter = Object.fromEntries(Object.entries(match).map(([p, v]) => [`${kind.key}.${p}`, v]));
      const d = await apps.findOne(filter).lean<AppDoc>();
      if (!d || !d[kind.key]) return undefined;
      const found = { app: toAppRecord(d), stored: d[kind.key] as S };
      byCredential.set(key, found);
      return found;
    },

    /** System: the app whose app-client credentials (a kind declaring `appClient`) these are. */
    async findByAppClient(clientId: string, clientSecret: string): Promise<AppRecord | undefined> {
      for (const kind of kinds) {
        if (!kind.appClient || clientId.length > 256) continue;
        const found = await service.findByCredential(kind as TypedKind, { [kind.appClient.idField]: clientId });
        if (found && kind.appClient.secretMatches(found.stored, clientSecret)) return found.app;
      }
      return undefined;
    },

    /** Drops an app from this process's lookup cache (the `app.changed` event). */
    forget(appId: string) {
      for (const [k, v] of byCredential.entries()) if (v.app.id === appId) byCredential.delete(k);
    },

    findManyByIds: (ids: readonly string[]) => findRecordsByIds(apps, ids, toAppRecord),
  };
  return service;
}
