import crypto from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { TypedKind } from '../apps/kinds';
import type { AppRecord, AppService } from '../apps/service';
import type { Principal, RequestContext } from '../domain/context';
import type { HistoryExport } from '../messages/export';
import type { RobotService, RobotWithSecret } from '../robots/service';
import type { ProviderTokens } from '../tokens/provider';
import { bearerSecret } from '../tokens/bearer';
import type { TokenService } from '../tokens/service';
import type { UserRecord } from '../users/records';
import type { UserService } from '../users/service';
import type { WebAccessService } from '../web-access/service';

/** Public ids that find an app by one kind of its credentials. */
export type Lookup<S> = Partial<Record<keyof S & string, string | number>>;

/** What a successful check proves: the app and the principal the request becomes. */
export interface Proven<P extends Principal = Principal> {
  app: AppRecord;
  principal: P;
}

/**
 * The credential check: the one place, besides bearer tokens (tokens/service.ts authenticate),
 * where credentials become principals. Every surface proves its callers here; none builds a
 * principal itself (lint: no principal literals in src/vendors, src/graphql or web/). A wrong
 * secret, an unknown app and a deactivated user all come back as undefined.
 */
export function createCredentialCheck(deps: {
  apps: AppService;
  tokens: TokenService;
  robots: RobotService;
  webAccess: WebAccessService;
  providerTokens: ProviderTokens;
  users: Pick<UserService, 'findManyByIds'>;
  historyExport: Pick<HistoryExport, 'verify'>;
}) {
  const { apps } = deps;
  // Credentials proven lately (their digests only): the anonymous gate lets those callers' next
  // requests through, as it does for known bearer tokens. Knowing one skips only the gate: every
  // request is still authenticated in full (a revoked secret fails there, and is charged).
  const proven = new LRUCache<string, true>({ max: 10_000, ttl: 10 * 60_000 });
  const digest = (kind: string, secret: string) => crypto.createHash('sha256').update(`${kind}\n${secret}`).digest('base64url');
  const asApp = (app: AppRecord, tokenId: string): Proven => ({ app, principal: { kind: 'app', appId: app.id, tokenId, expiresAt: null } });
  const asUser = (app: AppRecord, user: UserRecord, tokenId: string): Proven => ({
    app,
    principal: { kind: 'user', appId: app.id, userId: user.id, tokenId, expiresAt: null },
  });

  return {
    /** A bearer token of any kind (app, user, customer, operator, gateway); throws UNAUTHENTICATED when it is no good. */
    bearer: (ctx: Pick<RequestContext, 'loaders'>, secret: string): Promise<Principal> => deps.tokens.authenticate(ctx, secret),
    /**
     * True when an `Authorization` header carries a bearer token verified recently (the anonymous
     * gate lets it through unpaid); false for anything else, malformed headers included.
     */
    isKnownBearer(authorization: unknown): boolean {
      try {
        const secret = bearerSecret(authorization);
        return !!secret && deps.tokens.isKnown(secret);
      } catch {
        return false;
      }
    },

    /** The app whose `kind` credentials hold these public ids (a path's names, an integer app id): no secret, no principal. */
    async appNamed<S extends object>(kind: TypedKind<S>, match: Lookup<S>): Promise<AppRecord | undefined> {
      return (await apps.findByCredential(kind, match))?.app;
    },

    /**
     * An app proven by its `kind` credentials: found by `match`, then `proves` compares the presented
     * secret with the stored digests (in constant time: matchesDigest). `clientId`: proven as that
     * OAuth client. `remember`: the presented material, so that `recentlyProven` knows the caller.
     */
    async app<S extends object>(
      kind: TypedKind<S>,
      match: Lookup<S>,
      proves: (stored: S) => boolean,
      o: { via: string; clientId?: string; remember?: string },
    ): Promise<Proven | undefined> {
      const found = await apps.findByCredential(kind, match);
      if (!found || !proves(found.stored)) return undefined;
      if (o.remember !== undefined) proven.set(digest(kind.key, o.remember), true);
      return { app: found.app, principal: { ...asApp(found.app, o.via).principal, ...(o.clientId ? { clientId: o.clientId } : {}) } };
    },

    /**
     * A robot's signed call: `signs(secret)` says whether the request was signed with the robot's
     * secret. An unknown robot costs the same comparison, against a random secret.
     */
    async robot(
      ctx: RequestContext,
      rid: string,
      signs: (secret: string) => boolean,
    ): Promise<(Proven & { robot: RobotWithSecret }) | undefined> {
      const robot = await deps.robots.byRid(rid);
      if (!signs(robot?.secret ?? crypto.randomBytes(16).toString('hex')) || !robot) return undefined;
      const [app, user] = await Promise.all([ctx.loaders.appById.load(robot.appId), ctx.loaders.userById.load(robot.userId)]);
      if (!app || !user || !user.activated) return undefined;
      return { ...asUser(app, user, `robot:${robot.id}`), robot };
    },

    /** An external user of `app` by the API key it was given (web access): that user. */
    async externalUser(app: AppRecord, apikey: string, via: string): Promise<Proven | undefined> {
      const user = await deps.webAccess.userByApikey(app.id, apikey);
      return user && asUser(app, user, via);
    },

    /** A scoped client access token (a JWT of scope "services tokeninfo"): good only on the surface that issued it. */
    async clientToken(ctx: RequestContext, secret: string): Promise<(Proven & { clientId: string }) | undefined> {
      const caller = await deps.providerTokens.provider(secret);
      const app = caller && (await ctx.loaders.appById.load(caller.appId));
      if (!caller || !app) return undefined;
      proven.set(digest('client-token', secret), true);
      return { ...asApp(app, caller.tokenId), clientId: caller.clientId };
    },

    /** Whether this material (of `scope`: a kind's key, or 'client-token') was proven lately. */
    recentlyProven: (scope: string, material: string): boolean => proven.has(digest(scope, material)),

    /** A history-export download link (expiring, HMAC-signed): the app, for that download. */
    exportLink(app: AppRecord, hour: string, expires: number, signature: string): Proven | undefined {
      return deps.historyExport.verify(app.id, hour, expires, signature) ? asApp(app, `export-link:${hour}`) : undefined;
    },

    /** Live sockets re-checked after the bus was cut off: which tokens are revoked, which users still active. */
    async stillValid(tokenIds: string[], userIds: string[]) {
      const [revoked, users] = await Promise.all([deps.tokens.revokedAmong(tokenIds), deps.users.findManyByIds(userIds)]);
      return { revoked: new Set(revoked), active: new Set(users.flatMap((u) => (u?.activated ? [u.id] : []))) };
    },
  };
}

export type CredentialCheck = ReturnType<typeof createCredentialCheck>;
