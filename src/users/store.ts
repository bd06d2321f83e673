import { countPerApp } from '../db/counts';
import crypto from 'node:crypto';
import { inChunks } from '../db/batches';
import { Types } from 'mongoose';
import { isDuplicateKeyError } from '../db/errors';
import { findRecordsByIds, isObjectIdHex, ONE_BATCH } from '../db/ids';
import { conflict, DomainError, notFound } from '../domain/errors';
import { createEventCache } from '../events/cache';
import type { UserDoc, UserModel } from './model';
import { toUserRecord, type UserRecord } from './records';
import { usernameKey } from './rules';

export interface UserRef {
  id?: string | null;
  username?: string | null;
}

export type NewUser = Pick<UserDoc, 'username' | 'passwordHash' | 'nickname' | 'profile'> & { appId: string };

/**
 * The only code that queries the users collection. Records by id (senders, members, the user of a
 * token: every request's first read) come from an event-kept cache: each write here drops its
 * users at once and calls `written`, which publishes `user.updated` so that every instance drops
 * them too (app/services.ts).
 */
/** Customers live in their own key space: `:` is not allowed in usernames. */
const customerKey = (customerId: string) => `customer:${customerId.toLowerCase()}`;
/** Lookups by username or by an app's reference find users only, never customers. */
const userOnly = (doc: UserDoc | null) => (doc && doc.kind !== 'customer' ? doc : null);

export function createUserStore(users: UserModel, written: (userIds: string[]) => void = () => undefined) {
  const byId = createEventCache<UserRecord | null>({ maxEntries: 50_000 });
  // Usernames never change; a deleted user's name may come back as another user: dropped with the id.
  const idByName = createEventCache<string | null>({ maxEntries: 50_000 });
  const nameOfId = new Map<string, string>();
  const drop = (ids: string[]) => {
    byId.forget(ids);
    for (const id of ids) {
      const name = nameOfId.get(id);
      if (name !== undefined) idByName.forget([name]);
    }
  };
  const wrote = (ids: string[]) => {
    drop(ids);
    written(ids);
  };
  return {
    /** Users (and customers) per app, for the operator's overview. */
    countPerApp: () => countPerApp(users),
    async findByRef(appId: string, ref: UserRef): Promise<UserDoc | null> {
      if (!isObjectIdHex(appId)) return null;
      // By id the app reaches its customers too (to deactivate or delete one); by name only users.
      if (ref.id) return isObjectIdHex(ref.id) ? users.findOne({ _id: ref.id, appId }).lean<UserDoc>() : null;
      return userOnly(await users.findOne({ appId, usernameKey: usernameKey(ref.username ?? '') }).lean<UserDoc>());
    },

    async findByMobile(appId: string, mobile: string): Promise<UserDoc | null> {
      return isObjectIdHex(appId) ? userOnly(await users.findOne({ appId, 'profile.mobile': mobile }).lean<UserDoc>()) : null;
    },

    /** A store's customer by the id the app's customer-service client gave (their own namespace). */
    async findCustomer(appId: string, customerId: string): Promise<UserRecord | null> {
      if (!isObjectIdHex(appId)) return null;
      const doc = await users.findOne({ appId, usernameKey: customerKey(customerId) }).lean<UserDoc>();
      return doc?.kind === 'customer' ? toUserRecord(doc) : null;
    },

    /** Creates a customer account; a concurrent creation of the same one wins and is returned. */
    async insertCustomer(appId: string, customerId: string, fields: Pick<UserDoc, 'passwordHash' | 'nickname' | 'profile'>) {
      const doc = {
        ...fields,
        _id: new Types.ObjectId(),
        appId: new Types.ObjectId(appId),
        username: `customer:${customerId}`,
        usernameKey: customerKey(customerId),
        kind: 'customer' as const,
        uuid: crypto.randomUUID(),
        activated: true,
      };
      try {
        return toUserRecord((await users.create(doc)).toObject() as UserDoc);
      } catch (e) {
        if (!isDuplicateKeyError(e)) throw e;
        const found = await this.findCustomer(appId, customerId);
        if (!found) throw e;
        return found;
      }
    },

    async insert(u: NewUser): Promise<UserRecord> {
      const doc = {
        ...u,
        _id: new Types.ObjectId(),
        appId: new Types.ObjectId(u.appId),
        usernameKey: usernameKey(u.username),
        uuid: crypto.randomUUID(),
        activated: true,
      };
      try {
        return toUserRecord((await users.create(doc)).toObject() as UserDoc);
      } catch (e) {
        if (isDuplicateKeyError(e))
          throw conflict(`username "${u.username}" is taken (usernames ignore case)`, { field: 'username', reason: 'username_taken' });
        throw e;
      }
    },

    async updateDoc(id: Types.ObjectId | string, change: object): Promise<UserDoc> {
      const updated = await users.findOneAndUpdate({ _id: id }, change, { returnDocument: 'after' }).lean<UserDoc>();
      wrote([String(id)]);
      if (!updated) throw notFound('user');
      return updated;
    },

    async update(id: Types.ObjectId | string, change: object): Promise<UserRecord> {
      return toUserRecord(await this.updateDoc(id, change));
    },

    /** Users in creation order after `afterId`, one more than asked (so the caller knows if more remain). */
    async page(appId: string, first: number, afterId?: string): Promise<UserDoc[]> {
      const filter: Record<string, unknown> = { appId, kind: { $ne: 'customer' } };
      if (afterId) filter._id = { $gt: new Types.ObjectId(afterId) };
      return users
        .find(filter)
        .sort({ _id: 1 })
        .limit(first + 1)
        .lean<UserDoc[]>();
    },

    async deleteIds(ids: Types.ObjectId[]) {
      await inChunks(ids, (chunk) => users.deleteMany({ _id: { $in: chunk } }));
      wrote(ids.map(String));
    },

    /** By ids and usernames at once (two queries at most), keyed `i:<id>` and `u:<usernameKey>`. */
    /** Users by `${appId}:${username}` keys (any case), in key order: one query per app among the keys. */
    async findByAppUsernames(keys: readonly string[]): Promise<(UserDoc | null)[]> {
      const split = keys.map((k) => ({ appId: k.slice(0, k.indexOf(':')), key: usernameKey(k.slice(k.indexOf(':') + 1)) }));
      const found = new Map<string, UserDoc>();
      for (const appId of new Set(split.map((s) => s.appId).filter(isObjectIdHex))) {
        const names = split.filter((s) => s.appId === appId).map((s) => s.key);
        const docs = await users
          .find({ appId, usernameKey: { $in: names } })
          .batchSize(ONE_BATCH)
          .lean<UserDoc[]>();
        for (const d of docs) if (d.kind !== 'customer') found.set(`${appId}:${d.usernameKey}`, d);
      }
      return split.map((s) => found.get(`${s.appId}:${s.key}`) ?? null);
    },

    async findRefs(appId: string, refs: UserRef[]): Promise<Map<string, UserDoc>> {
      const ids = refs.flatMap((r) => (r.id && isObjectIdHex(r.id) ? [r.id] : []));
      const keys = refs.flatMap((r) => (r.username ? [usernameKey(r.username)] : []));
      const [byId, byName] = await Promise.all([
        ids.length
          ? users
              .find({ appId, _id: { $in: ids } })
              .batchSize(ONE_BATCH)
              .lean<UserDoc[]>()
          : [],
        keys.length
          ? users
              .find({ appId, usernameKey: { $in: keys } })
              .batchSize(ONE_BATCH)
              .lean<UserDoc[]>()
          : [],
      ]);
      return new Map([
        ...byId.filter((d) => d.kind !== 'customer').map((d) => [`i:${d._id.toHexString()}`, d] as const),
        ...byName.filter((d) => d.kind !== 'customer').map((d) => [`u:${d.usernameKey}`, d] as const),
      ]);
    },

    /**
     * Read-modify-write of the device tokens, guarded by `updatedAt` and retried: FerretDB 1.x has
     * no `$pull` with a condition, and a plain `$set` would lose a concurrent change.
     */
    async updateDeviceTokens(doc: UserDoc, change: (t: UserDoc['deviceTokens']) => UserDoc['deviceTokens']): Promise<UserRecord> {
      let current = doc;
      for (let attempt = 0; attempt < 5; attempt++) {
        const updated = await users
          .findOneAndUpdate(
            { _id: current._id, updatedAt: current.updatedAt },
            { $set: { deviceTokens: change(current.deviceTokens ?? []) } },
            { returnDocument: 'after' },
          )
          .lean<UserDoc>();
        if (updated) {
          wrote([String(current._id)]);
          return toUserRecord(updated);
        }
        const fresh = await users.findById(current._id).lean<UserDoc>();
        if (!fresh) throw notFound('user');
        current = fresh;
      }
      throw new DomainError('UNAVAILABLE', 'device tokens are being changed concurrently; retry');
    },

    /** By id, in order, null where unknown; from the cache when it has them (unknown ids are not cached). */
    async findManyByIds(ids: readonly string[]): Promise<(UserRecord | null)[]> {
      const found = await byId.getMany(ids, (missing) => findRecordsByIds(users, missing, toUserRecord));
      const unknown = ids.filter((id, i) => found[i] === null);
      if (unknown.length) byId.forget(unknown);
      return found;
    },

    /**
     * A user of the app by id or username, from the caches when they have it (a send's sender and
     * recipient named by username cost nothing when warm). Unknown users are not cached.
     */
    async findRecordByRef(appId: string, ref: UserRef): Promise<UserRecord | null> {
      if (!isObjectIdHex(appId)) return null;
      let id = ref.id && isObjectIdHex(ref.id) ? ref.id.toLowerCase() : null;
      if (!id && !ref.id) {
        const name = `${appId}:${usernameKey(ref.username ?? '')}`;
        id = await idByName.get(name, async () => {
          const doc = await users.findOne({ appId, usernameKey: usernameKey(ref.username ?? '') }).lean<UserDoc>();
          if (!doc) return null;
          const record = toUserRecord(doc);
          byId.prime(record.id, record);
          if (nameOfId.size >= 50_000) nameOfId.delete(nameOfId.keys().next().value!);
          nameOfId.set(record.id, name);
          return record.id;
        });
        if (!id) idByName.forget([name]);
      }
      if (!id) return null;
      const [record] = await this.findManyByIds([id]);
      return record && record.appId === appId && !record.customer ? record : null;
    },

    /** Drops cached records written elsewhere (the `user.updated` event). */
    forget: drop,
    /** Drops every cached user (writes may have been missed while the bus was cut off). */
    forgetAll() {
      byId.clear();
      idByName.clear();
      nameOfId.clear();
    },
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
