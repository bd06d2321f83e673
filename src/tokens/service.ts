import { Types } from 'mongoose';
import { inChunks } from '../db/batches';
import type { AppService, AppRecord } from '../apps/service';
import { randomSecret, safeEqual, sha256 } from '../apps/credentials';
import type { Principal, RequestContext } from '../domain/context';
import { DomainError, invalidInput, notFound, unauthenticated } from '../domain/errors';
import type { UserService } from '../users/service';
import type { UserRecord } from '../users/records';
import { createTokenCache, type CachedToken } from './cache';
import type { LoginThrottle } from './login-throttle';
import type { TokenDoc, TokenKind, TokenModel } from './model';

/** At most ten years: long-lived integrations exist, eternity is what revocation is for. */
export const MAX_EXPIRES_IN = 10 * 365 * 24 * 3600;

export interface IssuedToken {
  accessToken: string;
  tokenId: string;
  kind: TokenKind;
  expiresIn: number | null;
  expiresAt: Date | null;
  app: AppRecord;
  user: UserRecord | null;
}

export type TokenService = ReturnType<typeof createTokenService>;

export function createTokenService(deps: {
  tokens: TokenModel;
  apps: AppService;
  users: () => UserService;
  defaultTtlSeconds: number;
  operatorToken?: string;
  gatewayToken?: string;
  throttle: LoginThrottle;
  /** Told after tokens are revoked (the `token.revoked` event): caches forget them, sockets close. */
  onRevoked?: (tokenIds: string[]) => void;
}) {
  const { tokens } = deps;
  const cache = createTokenCache();
  const revoked = (tokenIds: string[]) => {
    cache.forget(tokenIds);
    if (tokenIds.length) deps.onRevoked?.(tokenIds);
  };
  const invalidToken = () => new DomainError('UNAUTHENTICATED', 'invalid or expired token', { reason: 'invalid_token' });

  function ttl(expiresIn: number | null | undefined): number {
    const value = expiresIn ?? deps.defaultTtlSeconds;
    if (!Number.isInteger(value) || value < 1 || value > MAX_EXPIRES_IN) {
      throw invalidInput(`expiresIn must be 1 to ${MAX_EXPIRES_IN} seconds`, 'expiresIn');
    }
    return value;
  }

  /** `expiresIn` null: permanent until revoked (a server grant's). */
  async function issue(app: AppRecord, kind: TokenKind, user: UserRecord | null, expiresIn: number | null): Promise<IssuedToken> {
    const accessToken = randomSecret(32);
    const expiresAt = expiresIn === null ? null : new Date(Date.now() + expiresIn * 1000);
    const doc = await tokens.create({
      appId: new Types.ObjectId(app.id),
      kind,
      userId: user ? new Types.ObjectId(user.id) : undefined,
      secretHash: sha256(accessToken),
      expiresAt,
    });
    // Known good from the moment it exists: its first use needs no lookup.
    cache.put(sha256(accessToken), { tokenId: doc._id.toHexString(), appId: app.id, kind, userId: user?.id, expiresAt });
    return { accessToken, tokenId: doc._id.toHexString(), kind, expiresIn, expiresAt, app, user };
  }

  // Concurrent first requests with one token (a client opening 32 connections) share one lookup.
  const lookingUp = new Map<string, Promise<CachedToken | null>>();
  function lookUp(secretHash: string): Promise<CachedToken | null> {
    let pending = lookingUp.get(secretHash);
    if (!pending) {
      pending = (async () => {
        const doc = await tokens.findOne({ secretHash }).lean<TokenDoc>();
        // A scoped token (a service provider's) is good only on the surface that issued it, which checks
        // it itself (tokens/provider.ts): here it is no app token.
        if (!doc || doc.revokedAt || doc.scope) return null;
        const token = {
          tokenId: doc._id.toHexString(),
          appId: doc.appId.toHexString(),
          kind: doc.kind,
          userId: doc.userId?.toHexString(),
          expiresAt: doc.expiresAt,
        };
        cache.put(secretHash, token);
        return token;
      })().finally(() => lookingUp.delete(secretHash));
      lookingUp.set(secretHash, pending);
    }
    return pending;
  }

  return {
    /** Client-credentials grant: an app token for the app whose app-client id/secret match (a kind's `appClient`; given `appId`, only that app). */
    async issueAppToken(input: {
      clientId: string;
      clientSecret: string;
      expiresIn?: number | null;
      appId?: string;
    }): Promise<IssuedToken> {
      const expiresIn = ttl(input.expiresIn);
      const app = await deps.apps.findByAppClient(input.clientId, input.clientSecret);
      if (!app || (input.appId !== undefined && app.id !== input.appId)) throw unauthenticated('invalid client credentials');
      return issue(app, 'app', null, expiresIn);
    },

    /** Password grant: a user token. Unknown user, wrong password and deactivated user look alike. */
    async issueUserToken(ctx: RequestContext, input: { appId: string; username: string; password: string; expiresIn?: number | null }) {
      const expiresIn = ttl(input.expiresIn);
      const account = `${input.appId}:${input.username.toLowerCase()}`;
      // Throttled before any hash is computed; then an unknown app costs the same user lookup and
      // verify as a wrong password (the lookup under an unknown app id finds nobody).
      await deps.throttle.before(account, ctx.clientAddress);
      const app = await ctx.loaders.appById.load(input.appId);
      const user = await deps.users().verifyCredentials(app?.id ?? input.appId, input.username, input.password);
      if (!app || !user || !user.activated) {
        deps.throttle.failed(account, ctx.clientAddress);
        throw unauthenticated('invalid username or password');
      }
      deps.throttle.succeeded(account);
      return issue(app, 'user', user, expiresIn);
    },

    /**
     * A token for a user of the calling app without a password (the app vouches for its user, as
     * a server grant does); permanent unless `expiresIn` is given. App principals only.
     */
    async grantUserToken(ctx: RequestContext, user: UserRecord, expiresIn?: number | null): Promise<IssuedToken> {
      const p = ctx.principal;
      if (p.kind !== 'app' || p.appId !== user.appId) throw unauthenticated('an app token is required');
      if (!user.activated) throw new DomainError('FORBIDDEN', 'the user is deactivated', { reason: 'deactivated' });
      if (user.customer) throw notFound('user');
      const app = await ctx.loaders.appById.load(p.appId);
      if (!app) throw unauthenticated('an app token is required');
      return issue(app, 'user', user, expiresIn == null ? null : ttl(expiresIn));
    },

    /**
     * System: a user token the caller's area has already decided to give (a web access link being
     * opened); `expiresIn` seconds, null for permanent.
     */
    async issueSession(app: AppRecord, user: UserRecord, expiresIn: number | null): Promise<IssuedToken> {
      if (user.customer || user.appId !== app.id || !user.activated) throw unauthenticated();
      return issue(app, 'user', user, expiresIn == null ? null : ttl(expiresIn));
    },

    /** A customer's session token (the customers area's sign-in, after it has checked the store). */
    async issueCustomerToken(app: AppRecord, customer: UserRecord): Promise<IssuedToken> {
      if (!customer.customer || customer.appId !== app.id || !customer.activated) throw unauthenticated();
      return issue(app, 'customer', customer, null);
    },

    /**
     * Turns a bearer secret into a principal. Expired, revoked, unknown tokens and tokens of
     * deactivated or deleted users are all refused the same way.
     */
    async authenticate(ctx: Pick<RequestContext, 'loaders'>, secret: string): Promise<Principal> {
      if (deps.operatorToken && safeEqual(secret, deps.operatorToken)) return { kind: 'operator' };
      if (deps.gatewayToken && safeEqual(secret, deps.gatewayToken)) return { kind: 'gateway' };
      const secretHash = sha256(secret);
      const token = cache.get(secretHash) ?? (await lookUp(secretHash));
      if (!token) throw invalidToken();
      // The same answer as an unknown token everywhere; the reason lets a realtime client say "expired" to its user.
      if (token.expiresAt && token.expiresAt.getTime() <= Date.now())
        throw new DomainError('UNAUTHENTICATED', 'invalid or expired token', { reason: 'token_expired' });
      const appId = token.appId;
      const base = { appId, tokenId: token.tokenId, expiresAt: token.expiresAt };
      if (token.kind === 'app') return { kind: 'app', ...base };
      const user = await ctx.loaders.userById.load(token.userId!);
      if (!user || !user.activated || user.appId !== appId) throw invalidToken();
      // A token's kind and its account's namespace must agree: a customer token is never a user's.
      const customer = token.kind === 'customer';
      if (user.customer !== customer) throw invalidToken();
      return customer ? { kind: 'customer', userId: user.id, ...base } : { kind: 'user', userId: user.id, ...base };
    },

    /** True when the secret is a token verified recently and not expired: no database read needed to trust it. */
    isKnown(secret: string): boolean {
      if (deps.operatorToken && safeEqual(secret, deps.operatorToken)) return true;
      if (deps.gatewayToken && safeEqual(secret, deps.gatewayToken)) return true;
      const token = cache.get(sha256(secret));
      return !!token && (!token.expiresAt || token.expiresAt.getTime() > Date.now());
    },

    /** Drops revoked tokens from this process's cache (the `token.revoked` event, from any instance). */
    forget(tokenIds: string[]) {
      cache.forget(tokenIds);
    },

    /** Forgets every verified token (revocations may have been missed while the bus was cut off). */
    forgetAll: () => cache.clear(),

    /** Which of these tokens are revoked now (live sockets re-checked after the bus was cut off). */
    async revokedAmong(tokenIds: string[]): Promise<string[]> {
      if (tokenIds.length === 0) return [];
      const docs = await tokens.find({ _id: { $in: tokenIds }, revokedAt: { $ne: null } }, { _id: 1 }).lean<TokenDoc[]>();
      return docs.map((d) => d._id.toHexString());
    },

    /**
     * Revokes a token. Without `secret`: the caller's own. With it: an app principal may revoke any
     * token of its app, a user only their own; anything else is not found.
     */
    async revoke(ctx: RequestContext, secret?: string | null): Promise<boolean> {
      const p = ctx.principal;
      if (p.kind !== 'app' && p.kind !== 'user') throw unauthenticated();
      // An empty token names nothing: it must not fall back to revoking the caller's own.
      if (secret !== undefined && !secret?.trim()) throw invalidInput('token must not be empty or null', 'token');
      const filter: Record<string, unknown> = secret ? { secretHash: sha256(secret) } : { _id: p.tokenId };
      const doc = await tokens.findOne(filter).lean<TokenDoc>();
      const mine = doc && doc.appId.toHexString() === p.appId && (p.kind === 'app' || doc.userId?.toHexString() === p.userId);
      if (!doc || !mine) throw notFound('token');
      await tokens.updateOne({ _id: doc._id, revokedAt: null }, { $set: { revokedAt: new Date() } });
      revoked([doc._id.toHexString()]);
      return true;
    },

    async revokeForUsers(appId: string, userIds: string[], keepTokenId?: string): Promise<void> {
      const filter: Record<string, unknown> = { appId, userId: { $in: userIds }, revokedAt: null };
      if (keepTokenId) filter._id = { $ne: keepTokenId };
      const affected = await tokens.find(filter, { _id: 1 }).lean<{ _id: Types.ObjectId }[]>();
      await inChunks(affected, (chunk) =>
        tokens.updateMany({ _id: { $in: chunk.map((t) => t._id) } }, { $set: { revokedAt: new Date() } }),
      );
      revoked(affected.map((t) => t._id.toHexString()));
    },
  };
}
