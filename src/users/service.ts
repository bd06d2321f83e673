import { findRecordsByIds, isObjectIdHex, ONE_BATCH } from '../db/ids';
import crypto from 'node:crypto';
import { Types } from 'mongoose';
import type { RequestContext } from '../domain/context';
import { conflict, DomainError, forbidden, invalidInput, isDuplicateKeyError, notFound, unauthenticated } from '../domain/errors';
import type { AppService } from '../apps/service';
import type { PushProvider, UserDoc, UserModel } from './model';
import { hashPassword, verifyPassword } from './password';
import { decodeUserCursor, encodeUserCursor, toUserRecord, type UserRecord } from './records';
import { checkEmail, checkGroupId, checkHour, checkMobile, checkPassword, checkText, checkUrl, checkUsername, usernameKey } from './rules';

export const MAX_BATCH_REGISTER = 60;
export const MAX_PAGE = 100;
/** Easemob's batch delete: the document suggests 100 to 500 per call. */
export const MAX_BATCH_DELETE = 500;

export interface UserRef {
  id?: string | null;
  username?: string | null;
}
export interface ProfileInput {
  displayName?: string | null;
  mobile?: string | null;
  email?: string | null;
  portrait?: string | null;
}
export interface RegisterInput {
  username: string;
  password: string;
  nickname?: string | null;
  profile?: ProfileInput | null;
}
export interface NotificationInput {
  displayStyle?: 0 | 1 | null;
  doNotDisturb?: { enabled: boolean; startHour?: number | null; endHour?: number | null } | null;
  groupMutes?: { groupId: string; muted: boolean }[] | null;
}
export interface RegisterFailure {
  index: number;
  username: string | null;
  code: DomainError['code'];
  reason: string | null;
  message: string;
}

/** Hooks into other services, wired by the composition root (no import cycle). */
export interface UserLifecycleHooks {
  /** Revokes the user's tokens, except `keepTokenId`. */
  revokeTokens(appId: string, userIds: string[], keepTokenId?: string): Promise<void>;
  /** Closes the user's live connections. */
  disconnect(appId: string, userId: string): void;
  /** Drops what other areas hold about deleted users (contacts, blocks). */
  removed(userIds: string[]): Promise<void>;
}

export type UserService = ReturnType<typeof createUserService>;

export function createUserService(deps: { users: UserModel; apps: AppService; hooks: UserLifecycleHooks }) {
  const { users, hooks } = deps;

  /** The app an operation runs in: the principal's, or for the operator an explicit one. */
  function scopeApp(ctx: RequestContext, explicitAppId?: string | null): string {
    const p = ctx.principal;
    if (p.kind === 'app' || p.kind === 'user') {
      if (explicitAppId && explicitAppId !== p.appId) throw notFound('app');
      return p.appId;
    }
    if (p.kind === 'operator' && explicitAppId) return explicitAppId;
    if (p.kind === 'operator') throw invalidInput('appId is required for the operator', 'appId');
    throw unauthenticated();
  }

  function requireAppPrincipal(ctx: RequestContext): string {
    const p = ctx.principal;
    if (p.kind === 'app') return p.appId;
    if (p.kind === 'user') throw forbidden('this operation needs an app token');
    throw unauthenticated('an app token is required');
  }

  async function findByRef(appId: string, ref: UserRef): Promise<UserDoc | null> {
    if (!Types.ObjectId.isValid(appId)) return null;
    if (ref.id) {
      if (!isObjectIdHex(ref.id)) return null;
      return users.findOne({ _id: ref.id, appId }).lean<UserDoc>();
    }
    return users.findOne({ appId, usernameKey: usernameKey(ref.username ?? '') }).lean<UserDoc>();
  }

  /** Resolves the target of a write: the user principal itself, or any user of an app principal's app. */
  async function writableTarget(ctx: RequestContext, ref: UserRef | null | undefined): Promise<UserDoc> {
    const p = ctx.principal;
    if (p.kind !== 'app' && p.kind !== 'user') throw unauthenticated();
    const hasRef = !!ref && (!!ref.id || !!ref.username);
    if (ref && ref.id && ref.username) throw invalidInput('give either id or username, not both', 'user');
    if (!hasRef && p.kind === 'app') throw invalidInput('user is required with an app token', 'user');
    const doc = hasRef ? await findByRef(p.appId, ref!) : await findByRef(p.appId, { id: (p as { userId: string }).userId });
    if (!doc) throw notFound('user');
    if (p.kind === 'user' && doc._id.toHexString() !== p.userId) throw forbidden('a user token acts only on its own user');
    return doc;
  }

  async function update(ctx: RequestContext, doc: UserDoc, change: object): Promise<UserRecord> {
    const updated = await users.findOneAndUpdate({ _id: doc._id }, change, { returnDocument: 'after' }).lean<UserDoc>();
    if (!updated) throw notFound('user');
    ctx.loaders.userById.clear(updated._id.toHexString());
    return toUserRecord(updated);
  }

  async function prepare(appId: string, input: RegisterInput, field: string) {
    const username = checkUsername(input.username, `${field}username`);
    const password = checkPassword(input.password, `${field}password`);
    const nickname = input.nickname == null ? undefined : checkText(input.nickname, 100, `${field}nickname`);
    return {
      _id: new Types.ObjectId(),
      appId: new Types.ObjectId(appId),
      username,
      usernameKey: usernameKey(username),
      uuid: crypto.randomUUID(),
      passwordHash: await hashPassword(password),
      nickname,
      activated: true,
      profile: profileSet(input.profile ?? {}, `${field}profile.`),
    };
  }

  async function insert(doc: Awaited<ReturnType<typeof prepare>>): Promise<UserRecord> {
    try {
      const created = await users.create(doc);
      return toUserRecord(created.toObject() as UserDoc);
    } catch (e) {
      if (isDuplicateKeyError(e)) {
        throw conflict(`username "${doc.username}" is taken (usernames ignore case)`, { field: 'username', reason: 'username_taken' });
      }
      throw e;
    }
  }

  return {
    /**
     * Registers one user. App principals register in their app; anonymous callers only where the
     * app allows open registration (Easemob "open" mode).
     */
    async register(ctx: RequestContext, input: RegisterInput, appIdForAnonymous?: string | null): Promise<UserRecord> {
      let appId: string;
      if (ctx.principal.kind === 'anonymous') {
        if (!appIdForAnonymous) throw unauthenticated('an app token is required (or appId where open registration is on)');
        const app = await ctx.loaders.appById.load(appIdForAnonymous);
        if (!app) throw notFound('app');
        if (!app.openRegistration) throw unauthenticated('this app does not allow open registration; use an app token');
        appId = app.id;
      } else if (ctx.principal.kind === 'user') {
        throw forbidden('users cannot register other users');
      } else {
        appId = scopeApp(ctx, appIdForAnonymous);
      }
      return insert(await prepare(appId, input, ''));
    },

    /** Registers many; each item succeeds or is listed in `failures` with why. Never all-or-nothing. */
    async registerMany(ctx: RequestContext, inputs: RegisterInput[]) {
      const appId = requireAppPrincipal(ctx);
      if (inputs.length === 0) throw invalidInput('give at least one user', 'input');
      if (inputs.length > MAX_BATCH_REGISTER) {
        throw invalidInput(`at most ${MAX_BATCH_REGISTER} users per call`, 'input', 'limit_exceeded');
      }
      // Hash in parallel (Argon2 runs on the libuv pool), insert in order so in-batch duplicates are deterministic.
      const prepared = await Promise.all(
        inputs.map((input, i) =>
          prepare(appId, input, `input.${i}.`).then(
            (doc) => ({ doc }),
            (error: unknown) => ({ error }),
          ),
        ),
      );
      const created: UserRecord[] = [];
      const failures: RegisterFailure[] = [];
      for (const [index, p] of prepared.entries()) {
        try {
          if ('error' in p) throw p.error;
          created.push(await insert(p.doc));
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
          const username = inputs[index]?.username;
          failures.push({
            index,
            username: typeof username === 'string' ? username : null,
            code: e.code,
            reason: e.details.reason ?? null,
            message: e.message,
          });
        }
      }
      return { users: created, failures };
    },

    /** Any principal of the app may read a user; other apps' users are simply not found. */
    async get(ctx: RequestContext, ref: UserRef): Promise<UserRecord> {
      if (!ref.id === !ref.username) throw invalidInput('give exactly one of id or username', 'user');
      const appId = scopeApp(ctx);
      const doc = await findByRef(appId, ref);
      if (!doc) throw notFound('user');
      return toUserRecord(doc);
    },

    async list(ctx: RequestContext, args: { first?: number | null; after?: string | null }) {
      const appId = requireAppPrincipal(ctx);
      const first = args.first ?? 20;
      if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw invalidInput(`first must be 1 to ${MAX_PAGE}`, 'first');
      const filter: Record<string, unknown> = { appId };
      if (args.after) {
        const afterId = decodeUserCursor(args.after);
        if (!afterId) throw invalidInput('after is not a valid cursor', 'after');
        filter._id = { $gt: new Types.ObjectId(afterId) };
      }
      const docs = await users
        .find(filter)
        .sort({ _id: 1 })
        .limit(first + 1)
        .lean<UserDoc[]>();
      const page = docs.slice(0, first).map(toUserRecord);
      return {
        edges: page.map((node) => ({ cursor: encodeUserCursor(node.id), node })),
        hasNextPage: docs.length > first,
        hasPreviousPage: !!args.after,
      };
    },

    async updateProfile(
      ctx: RequestContext,
      ref: UserRef | null | undefined,
      patch: { nickname?: string | null; profile?: ProfileInput | null },
    ) {
      const doc = await writableTarget(ctx, ref);
      const $set: Record<string, unknown> = {};
      const $unset: Record<string, 1> = {};
      if (patch.nickname !== undefined) {
        if (patch.nickname === null || patch.nickname === '') $unset.nickname = 1;
        else $set.nickname = checkText(patch.nickname, 100, 'nickname');
      }
      for (const [k, v] of Object.entries(patch.profile ?? {})) {
        if (v === null || v === '') $unset[`profile.${k}`] = 1;
        else Object.assign($set, prefixKeys(profileSet({ [k]: v }, 'profile.'), 'profile.'));
      }
      return update(ctx, doc, { $set, $unset });
    },

    async updateNotificationSettings(ctx: RequestContext, ref: UserRef | null | undefined, input: NotificationInput) {
      const doc = await writableTarget(ctx, ref);
      const $set: Record<string, unknown> = {};
      const $unset: Record<string, 1> = {};
      if (input.displayStyle !== undefined && input.displayStyle !== null) {
        if (input.displayStyle !== 0 && input.displayStyle !== 1) throw invalidInput('displayStyle must be 0 or 1', 'displayStyle');
        $set['notification.displayStyle'] = input.displayStyle;
      }
      const dnd = input.doNotDisturb;
      if (dnd) {
        $set['notification.noDisturbing'] = dnd.enabled;
        if (dnd.enabled) {
          if (dnd.startHour == null || dnd.endHour == null) {
            throw invalidInput('startHour and endHour are required to enable do-not-disturb', 'doNotDisturb');
          }
          $set['notification.noDisturbingStart'] = checkHour(dnd.startHour, 'doNotDisturb.startHour');
          $set['notification.noDisturbingEnd'] = checkHour(dnd.endHour, 'doNotDisturb.endHour');
        } else {
          $unset['notification.noDisturbingStart'] = 1;
          $unset['notification.noDisturbingEnd'] = 1;
        }
      }
      for (const [i, m] of (input.groupMutes ?? []).entries()) {
        $set[`notification.groupMutes.${checkGroupId(m.groupId, `groupMutes.${i}.groupId`)}`] = m.muted;
      }
      if (Object.keys($set).length + Object.keys($unset).length === 0) throw invalidInput('nothing to update', 'input');
      return update(ctx, doc, { $set, $unset });
    },

    /** A user must prove the old password; an app principal resets it. Other sessions are revoked. */
    async changePassword(
      ctx: RequestContext,
      ref: UserRef | null | undefined,
      input: { oldPassword?: string | null; newPassword: string },
    ) {
      const doc = await writableTarget(ctx, ref);
      const newPassword = checkPassword(input.newPassword, 'newPassword');
      if (ctx.principal.kind === 'user') {
        if (!input.oldPassword) throw invalidInput('oldPassword is required', 'oldPassword');
        if (!(await verifyPassword(doc.passwordHash, input.oldPassword))) {
          throw invalidInput('oldPassword is wrong', 'oldPassword', 'wrong_password');
        }
      }
      const record = await update(ctx, doc, { $set: { passwordHash: await hashPassword(newPassword) } });
      const keep = ctx.principal.kind === 'user' ? ctx.principal.tokenId : undefined;
      await hooks.revokeTokens(record.appId, [record.id], keep);
      return record;
    },

    async setDeviceToken(
      ctx: RequestContext,
      ref: UserRef | null | undefined,
      provider: PushProvider,
      token: string,
      notifierName?: string | null,
    ) {
      if (!token || token.length > 512) throw invalidInput('token must be 1 to 512 characters', 'token');
      if (notifierName != null) checkText(notifierName, 128, 'notifierName');
      const doc = await writableTarget(ctx, ref);
      return updateDeviceTokens(ctx, doc, (tokens) => [
        ...tokens.filter((t) => t.provider !== provider),
        { provider, token, ...(notifierName ? { notifierName } : {}), updatedAt: new Date() },
      ]);
    },

    async removeDeviceToken(ctx: RequestContext, ref: UserRef | null | undefined, provider: PushProvider) {
      const doc = await writableTarget(ctx, ref);
      return updateDeviceTokens(ctx, doc, (tokens) => tokens.filter((t) => t.provider !== provider));
    },

    /** Deactivation closes the user's connections; their tokens stop authenticating until activation. */
    async setActivated(ctx: RequestContext, ref: UserRef, activated: boolean) {
      requireAppPrincipal(ctx);
      const doc = await writableTarget(ctx, ref);
      const record = await update(ctx, doc, { $set: { activated } });
      if (!activated) hooks.disconnect(record.appId, record.id);
      return record;
    },

    async delete(ctx: RequestContext, ref: UserRef): Promise<UserRecord> {
      requireAppPrincipal(ctx);
      const doc = await writableTarget(ctx, ref);
      await users.deleteOne({ _id: doc._id });
      return (await removed(ctx, [doc]))[0]!;
    },

    /** Deletes the `count` earliest-registered users of the app (Easemob batch delete). */
    async deleteOldest(ctx: RequestContext, count: number): Promise<UserRecord[]> {
      const appId = requireAppPrincipal(ctx);
      if (!Number.isInteger(count) || count < 1 || count > MAX_BATCH_DELETE)
        throw invalidInput(`count must be 1 to ${MAX_BATCH_DELETE}`, 'count');
      const docs = await users.find({ appId }).sort({ _id: 1 }).limit(count).lean<UserDoc[]>();
      await users.deleteMany({ _id: { $in: docs.map((d) => d._id) } });
      return removed(ctx, docs);
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
      return toUserRecord(await writableTarget(ctx, ref));
    },

    /** Any user of the caller's app, by id or username (other apps' users are not found). */
    async findInApp(ctx: RequestContext, ref: UserRef, field = 'user'): Promise<UserRecord> {
      if (!ref.id === !ref.username) throw invalidInput('give exactly one of id or username', field);
      const doc = await findByRef(scopeApp(ctx), ref);
      if (!doc) throw notFound('user', { field });
      return toUserRecord(doc);
    },

    /**
     * Many references at once, in input order (two queries at most, whatever the count). The first
     * malformed or unknown reference fails the whole call, naming its position: `${field}.${i}`.
     */
    async findManyInApp(ctx: RequestContext, refs: UserRef[], field: string): Promise<UserRecord[]> {
      const appId = scopeApp(ctx);
      refs.forEach((ref, i) => {
        if (!ref.id === !ref.username) throw invalidInput('give exactly one of id or username', `${field}.${i}`);
      });
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
      const found = new Map<string, UserDoc>([
        ...byId.map((d) => [`i:${d._id.toHexString()}`, d] as const),
        ...byName.map((d) => [`u:${d.usernameKey}`, d] as const),
      ]);
      return refs.map((ref, i) => {
        const doc = found.get(ref.id ? `i:${ref.id.toLowerCase()}` : `u:${usernameKey(ref.username!)}`);
        if (!doc) throw notFound('user', { field: `${field}.${i}` });
        return toUserRecord(doc);
      });
    },

    /** Users of one app by username (any case), in input order; null where unknown. */
    async findByUsernames(appId: string, usernames: string[]): Promise<(UserRecord | null)[]> {
      const docs = await users.find({ appId, usernameKey: { $in: usernames.map(usernameKey) } }).lean<UserDoc[]>();
      const byKey = new Map(docs.map((d) => [d.usernameKey, toUserRecord(d)]));
      return usernames.map((u) => byKey.get(usernameKey(u)) ?? null);
    },

    /** Password check for token grants; undefined for unknown users or a wrong password. */
    async verifyCredentials(appId: string, username: string, password: string): Promise<UserRecord | undefined> {
      const doc = Types.ObjectId.isValid(appId) ? await users.findOne({ appId, usernameKey: usernameKey(username) }).lean<UserDoc>() : null;
      const ok = await verifyPassword(doc?.passwordHash, password);
      return ok && doc ? toUserRecord(doc) : undefined;
    },

    findManyByIds: (ids: readonly string[]) => findRecordsByIds(users, ids, toUserRecord),
  };

  /**
   * Read-modify-write of the token list, guarded by `updatedAt` and retried: FerretDB 1.x has no
   * `$pull` with a condition, and a plain `$set` would lose a concurrent change.
   */
  async function updateDeviceTokens(ctx: RequestContext, doc: UserDoc, change: (t: UserDoc['deviceTokens']) => UserDoc['deviceTokens']) {
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
        ctx.loaders.userById.clear(updated._id.toHexString());
        return toUserRecord(updated);
      }
      const fresh = await users.findById(current._id).lean<UserDoc>();
      if (!fresh) throw notFound('user');
      current = fresh;
    }
    throw new DomainError('UNAVAILABLE', 'device tokens are being changed concurrently; retry');
  }

  async function removed(ctx: RequestContext, docs: UserDoc[]): Promise<UserRecord[]> {
    const records = docs.map(toUserRecord);
    for (const r of records) {
      ctx.loaders.userById.clear(r.id);
      hooks.disconnect(r.appId, r.id);
    }
    if (records.length) {
      await hooks.revokeTokens(
        records[0]!.appId,
        records.map((r) => r.id),
      );
      await hooks.removed(records.map((r) => r.id));
    }
    return records;
  }
}

function profileSet(p: ProfileInput, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(p)) {
    if (v === null || v === undefined || v === '') continue;
    if (k === 'displayName') out.displayName = checkText(v, 100, `${prefix}displayName`);
    else if (k === 'email') out.email = checkEmail(v, `${prefix}email`);
    else if (k === 'mobile') out.mobile = checkMobile(v, `${prefix}mobile`);
    else if (k === 'portrait') out.portrait = checkUrl(v, `${prefix}portrait`);
    else throw invalidInput(`unknown profile field ${k}`, `${prefix}${k}`);
  }
  return out;
}

function prefixKeys(o: Record<string, string>, prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [`${prefix}${k}`, v]));
}
