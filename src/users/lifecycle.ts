import type { RequestContext } from '../domain/context';
import type { UserChange } from '../events/catalog';
import { invalidInput } from '../domain/errors';
import { requireAppPrincipal, scopeApp, writableTarget } from './access';
import type { DepartedNames } from './departed';
import type { UserDoc } from './model';
import { toUserRecord, type UserRecord } from './records';
import type { UserRef, UserStore } from './store';

/** The batch delete: the vendor document suggests 100 to 500 per call. */
export const MAX_BATCH_DELETE = 500;

/** What other areas do when users change state, wired by the composition root (no import cycle). */
export interface UserLifecycleHooks {
  /** Revokes the user's tokens, except `keepTokenId`. */
  revokeTokens(appId: string, userIds: string[], keepTokenId?: string): Promise<void>;
  /** Closes the user's live connections, wherever they are. */
  disconnect(appId: string, userId: string, reason: string): void;
  /** Drops what other areas hold about deleted users (contacts, blocks). */
  removed(userIds: string[]): Promise<void>;
  /** Announces registrations, (de)activations and deletions (webhooks hear them). */
  changed(appId: string, change: UserChange, users: UserRecord[]): void;
}

/** Activation, deletion, batch deletion: app principals only. */
export function createUserLifecycle(deps: { store: UserStore; hooks: UserLifecycleHooks; departed: DepartedNames }) {
  const { store, hooks } = deps;

  async function removed(ctx: RequestContext, docs: UserDoc[]): Promise<UserRecord[]> {
    const records = docs.map(toUserRecord);
    for (const r of records) {
      ctx.loaders.userById.clear(r.id);
      hooks.disconnect(r.appId, r.id, 'user deleted');
    }
    if (records.length) {
      await hooks.revokeTokens(
        records[0]!.appId,
        records.map((r) => r.id),
      );
      await hooks.removed(records.map((r) => r.id));
      hooks.changed(records[0]!.appId, 'deleted', records);
    }
    return records;
  }

  return {
    /** Usernames of users of the caller's app by id, deleted users included (history keeps their names). */
    async namesOf(ctx: RequestContext, ids: readonly string[]): Promise<Map<string, string>> {
      const appId = scopeApp(ctx);
      const unique = [...new Set(ids)];
      const live = await ctx.loaders.userById.loadMany(unique);
      const names = new Map<string, string>();
      unique.forEach((id, i) => {
        const u = live[i];
        if (u && !(u instanceof Error) && u.appId === appId) names.set(id, u.username);
      });
      const missing = unique.filter((id) => !names.has(id));
      for (const [id, name] of await deps.departed.namesOf(appId, missing)) names.set(id, name);
      return names;
    },

    /**
     * Deactivation closes the user's connections and revokes their tokens for good: activating the
     * user again needs new tokens (a stolen token must not come back to life with its user).
     */
    async setActivated(ctx: RequestContext, ref: UserRef, activated: boolean) {
      requireAppPrincipal(ctx);
      const doc = await writableTarget(store, ctx, ref);
      const record = await store.update(doc._id, { $set: { activated } });
      ctx.loaders.userById.clear(record.id);
      if (!activated) {
        await hooks.revokeTokens(record.appId, [record.id]);
        hooks.disconnect(record.appId, record.id, 'user deactivated');
      }
      if (activated !== doc.activated) hooks.changed(record.appId, activated ? 'reactivated' : 'deactivated', [record]);
      return record;
    },

    async delete(ctx: RequestContext, ref: UserRef): Promise<UserRecord> {
      requireAppPrincipal(ctx);
      const doc = await writableTarget(store, ctx, ref);
      await deps.departed.record([doc]);
      await store.deleteIds([doc._id]);
      return (await removed(ctx, [doc]))[0]!;
    },

    /** Deletes the `count` earliest-registered users of the app (the batch delete); `more` when users remain. */
    async deleteOldest(ctx: RequestContext, count: number): Promise<{ deleted: UserRecord[]; more: boolean }> {
      const appId = requireAppPrincipal(ctx);
      if (!Number.isInteger(count) || count < 1 || count > MAX_BATCH_DELETE)
        throw invalidInput(`count must be 1 to ${MAX_BATCH_DELETE}`, 'count');
      const docs = await store.page(appId, count);
      const doomed = docs.slice(0, count);
      await deps.departed.record(doomed);
      await store.deleteIds(doomed.map((d) => d._id));
      return { deleted: await removed(ctx, doomed), more: docs.length > count };
    },
  };
}
