import type { RequestContext } from '../domain/context';
import { DomainError, forbidden, invalidInput, notFound, unauthenticated } from '../domain/errors';
import { checkText } from '../domain/validators';
import { requireAppPrincipal, scopeApp } from './access';
import type { DepartedNames } from './departed';
import { createUserLifecycle, type UserLifecycleHooks } from './lifecycle';
import { createUserLookups, loaded } from './lookups';
import { hashPassword, NO_PASSWORD, verifyPassword } from './password';
import { decodeUserCursor, encodeUserCursor, toUserRecord, type UserRecord } from './records';
import { checkPassword, checkUsername, usernameKey } from './rules';
import { createUserSettings, profileFields, type ProfileInput, type UserSettingsLimits } from './settings';
import type { NewUser, UserStore } from './store';

export type { UserRef } from './store';
export type { ProfileInput, NotificationInput, UserSettingsInput } from './settings';
export type { UserLifecycleHooks } from './lifecycle';
export { MAX_BATCH_DELETE } from './lifecycle';

export const MAX_BATCH_REGISTER = 60;
export const MAX_PAGE = 100;

export interface RegisterInput {
  username: string;
  password: string;
  nickname?: string | null;
  profile?: ProfileInput | null;
}
export interface RegisterFailure {
  index: number;
  username: string | null;
  code: DomainError['code'];
  reason: string | null;
  message: string;
}

export type UserService = ReturnType<typeof createUserService>;

export function createUserService(deps: {
  store: UserStore;
  hooks: UserLifecycleHooks;
  limits: UserSettingsLimits;
  memberGroupIds: Parameters<typeof createUserSettings>[0]['memberGroupIds'];
  departed: DepartedNames;
}) {
  const { store } = deps;

  async function prepare(appId: string, input: RegisterInput, field: string): Promise<NewUser> {
    const username = checkUsername(input.username, `${field}username`);
    const password = checkPassword(input.password, `${field}password`);
    const nickname = input.nickname == null ? undefined : checkText(input.nickname, 100, `${field}nickname`);
    return {
      appId,
      username,
      passwordHash: await hashPassword(password),
      nickname,
      profile: profileFields(input.profile ?? {}, `${field}profile.`),
    };
  }

  const failureOf = (index: number, input: RegisterInput | undefined, e: DomainError): RegisterFailure => ({
    index,
    username: typeof input?.username === 'string' ? input.username : null,
    code: e.code,
    reason: e.details.reason ?? null,
    message: e.message,
  });

  const service = {
    countPerApp: store.countPerApp,
    ...createUserSettings({ store, revokeTokens: deps.hooks.revokeTokens, limits: deps.limits, memberGroupIds: deps.memberGroupIds }),
    ...createUserLifecycle(deps),
    ...createUserLookups(store),

    /** Registers one user. App principals register in their app; anonymous callers only where the app allows open registration. */
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
      const user = await store.insert(await prepare(appId, input, ''));
      deps.hooks.changed(appId, 'created', [user]);
      return user;
    },

    /** Registers many; each item succeeds or is listed in `failures` with why. Never all-or-nothing. */
    async registerMany(ctx: RequestContext, inputs: RegisterInput[]) {
      const appId = requireAppPrincipal(ctx);
      if (inputs.length === 0) throw invalidInput('give at least one user', 'input');
      if (inputs.length > MAX_BATCH_REGISTER) throw invalidInput(`at most ${MAX_BATCH_REGISTER} users per call`, 'input', 'limit_exceeded');
      // Hash in parallel (Argon2 runs on the libuv pool), insert in order so in-batch duplicates are deterministic.
      const prepared = await Promise.all(
        inputs.map((input, i) =>
          prepare(appId, input, `input.${i}.`).then(
            (user) => ({ user }),
            (error: unknown) => ({ error }),
          ),
        ),
      );
      const created: UserRecord[] = [];
      const failures: RegisterFailure[] = [];
      for (const [index, p] of prepared.entries()) {
        try {
          if ('error' in p) throw p.error;
          created.push(await store.insert(p.user));
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
          failures.push(failureOf(index, inputs[index], e));
        }
      }
      if (created.length) deps.hooks.changed(appId, 'created', created);
      return { users: created, failures };
    },

    /**
     * Users named by another system's ids (integer uids, robot targets) that exist implicitly
     * there: the missing ones are registered without a password (only token grants open them).
     * App principals only; in input order.
     */
    async ensure(ctx: RequestContext, entries: { username: string; nickname?: string | null }[], field: string): Promise<UserRecord[]> {
      const appId = requireAppPrincipal(ctx);
      const usernames = entries.map((e, i) => checkUsername(e.username, `${field}.${i}`));
      const found = await service.findByUsernames(appId, usernames);
      const created: UserRecord[] = [];
      for (const [i, e] of entries.entries()) {
        if (found[i]) continue;
        const again = found.findIndex((u, j) => j < i && u && usernameKey(u.username) === usernameKey(usernames[i]!));
        if (again >= 0) {
          found[i] = found[again]!;
          continue;
        }
        const nickname = e.nickname ? checkText(e.nickname, 100, `${field}.${i}.name`) : undefined;
        try {
          found[i] = await store.insert({ appId, username: usernames[i]!, passwordHash: NO_PASSWORD, nickname, profile: {} });
          created.push(found[i]!);
        } catch (err) {
          if (!(err instanceof DomainError) || err.details.reason !== 'username_taken') throw err;
          found[i] = (await service.findByUsernames(appId, [usernames[i]!]))[0] ?? null; // registered meanwhile
        }
      }
      if (created.length) deps.hooks.changed(appId, 'created', created);
      return found.map((u) => loaded(ctx, u!));
    },

    async list(ctx: RequestContext, args: { first?: number | null; after?: string | null }) {
      const appId = requireAppPrincipal(ctx);
      const first = args.first ?? 20;
      if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw invalidInput(`first must be 1 to ${MAX_PAGE}`, 'first');
      const afterId = args.after ? decodeUserCursor(args.after) : undefined;
      if (args.after && !afterId) throw invalidInput('after is not a valid cursor', 'after');
      const docs = await store.page(appId, first, afterId);
      const page = docs.slice(0, first).map(toUserRecord);
      return {
        edges: page.map((node) => ({ cursor: encodeUserCursor(node.id), node })),
        hasNextPage: docs.length > first,
        hasPreviousPage: !!args.after,
      };
    },

    /** Password check for token grants; undefined for unknown users or a wrong password. */
    async verifyCredentials(appId: string, username: string, password: string): Promise<UserRecord | undefined> {
      const doc = await store.findByRef(appId, { username });
      const ok = await verifyPassword(doc?.passwordHash, password);
      return ok && doc ? toUserRecord(doc) : undefined;
    },

    findManyByIds: store.findManyByIds,

    /** Loader source: users by `${appId}:${username}` keys, one query per app in the batch. */
    findManyByAppUsernames: async (keys: readonly string[]) => (await store.findByAppUsernames(keys)).map((d) => d && toUserRecord(d)),
  };
  return service;
}
