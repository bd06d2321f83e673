import { isObjectIdHex } from '../db/ids';
import { isAccount, type RequestContext } from '../domain/context';
import { invalidInput, notFound, unauthenticated } from '../domain/errors';
import { scopeApp, writableTarget } from './access';
import { toUserRecord, type UserRecord } from './records';
import { usernameKey } from './rules';
import type { UserRef, UserStore } from './store';

/** A user read by reference joins the request's loader, so later reads by id cost nothing. */
export const loaded = (ctx: RequestContext, user: UserRecord) => (ctx.loaders.userById.clear(user.id).prime(user.id, user), user);

/** Reading users by reference: the caller's own account, the user a write acts on, users of the caller's app. */
export function createUserLookups(store: UserStore) {
  return {
    /**
     * A user's private parts (notification settings, push device tokens), for the user themself
     * and for their app; null for anyone else, who sees only the public profile.
     */
    privateOf(ctx: RequestContext, user: UserRecord): Pick<UserRecord, 'notification' | 'deviceTokens'> | null {
      const p = ctx.principal;
      const mine = (p.kind === 'app' && p.appId === user.appId) || (p.kind === 'user' && p.userId === user.id);
      return mine ? { notification: user.notification, deviceTokens: user.deviceTokens } : null;
    },

    /** By mobile number (the robot API's user lookup). */
    async findByMobile(ctx: RequestContext, mobile: string): Promise<UserRecord> {
      const doc = await store.findByMobile(scopeApp(ctx), mobile);
      if (!doc) throw notFound('user', { field: 'mobile' });
      return loaded(ctx, toUserRecord(doc));
    },

    /** Any principal of the app may read a user; other apps' users are simply not found. */
    async get(ctx: RequestContext, ref: UserRef): Promise<UserRecord> {
      if (!ref.id === !ref.username) throw invalidInput('give exactly one of id or username', 'user');
      const doc = await store.findByRef(scopeApp(ctx), ref);
      if (!doc) throw notFound('user');
      return toUserRecord(doc);
    },

    /**
     * The caller's own account, a user's or a customer's. Customers reach only what calls this
     * (customer service): every other method refuses them.
     */
    async self(ctx: RequestContext): Promise<UserRecord> {
      const p = ctx.principal;
      if (!isAccount(p)) throw unauthenticated();
      const self = await ctx.loaders.userById.load(p.userId);
      if (!self) throw notFound('user');
      return self;
    },

    /** The user a write acts on: the user principal itself, or the named user for an app principal. */
    async actingUser(ctx: RequestContext, ref: UserRef | null | undefined): Promise<UserRecord> {
      const p = ctx.principal;
      // A user token acting as itself: authentication already loaded that user into this request's loader.
      if (p.kind === 'user' && !ref?.id && !ref?.username) {
        const self = await ctx.loaders.userById.load(p.userId);
        if (!self) throw notFound('user');
        return self;
      }
      // An app naming a user by id that this request already loaded (a send's sender): no second read.
      if (p.kind === 'app' && ref?.id && !ref.username && isObjectIdHex(ref.id)) {
        const known = await ctx.loaders.userById.load(ref.id);
        if (!known || known.appId !== p.appId) throw notFound('user');
        return known;
      }
      // An app naming a user by username (a vendor send's `from`): from the caches when warm.
      if (p.kind === 'app' && ref?.username && !ref.id) {
        const named = await store.findRecordByRef(p.appId, ref);
        if (!named) throw notFound('user');
        return loaded(ctx, named);
      }
      return loaded(ctx, toUserRecord(await writableTarget(store, ctx, ref)));
    },

    /** Any user of the caller's app, by id or username (other apps' users are not found). */
    async findInApp(ctx: RequestContext, ref: UserRef, field = 'user'): Promise<UserRecord> {
      if (!ref.id === !ref.username) throw invalidInput('give exactly one of id or username', field);
      const user = await store.findRecordByRef(scopeApp(ctx), ref);
      if (!user) throw notFound('user', { field });
      return loaded(ctx, user);
    },

    /** Many references at once, in input order; the first malformed or unknown one fails the call, naming `${field}.${i}`. */
    async findManyInApp(ctx: RequestContext, refs: UserRef[], field: string): Promise<UserRecord[]> {
      const appId = scopeApp(ctx);
      refs.forEach((ref, i) => {
        if (!ref.id === !ref.username) throw invalidInput('give exactly one of id or username', `${field}.${i}`);
      });
      const found = await store.findRefs(appId, refs);
      return refs.map((ref, i) => {
        const doc = found.get(ref.id ? `i:${ref.id.toLowerCase()}` : `u:${usernameKey(ref.username!)}`);
        if (!doc) throw notFound('user', { field: `${field}.${i}` });
        return toUserRecord(doc);
      });
    },

    /** System: users of one app by username (any case), in input order; null where unknown. */
    async findByUsernames(appId: string, usernames: string[]): Promise<(UserRecord | null)[]> {
      return (await store.findByAppUsernames(usernames.map((u) => `${appId}:${u}`))).map((d) => d && toUserRecord(d));
    },

    /** Users of the caller's app by username, in input order; null where unknown (a batch that reports each failure). */
    findSomeInApp(ctx: RequestContext, usernames: string[]): Promise<(UserRecord | null)[]> {
      return this.findByUsernames(scopeApp(ctx), usernames);
    },
  };
}
