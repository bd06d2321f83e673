import crypto from 'node:crypto';
import { LRUCache } from 'lru-cache';
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
  // MCG credentials proven lately (their digests only): the anonymous gate lets those callers'
  // next requests through, as it does for known bearer tokens. Knowing one skips only the gate:
  // every request is still authenticated in full (a revoked secret fails there, and is charged).
  const mcgProven = new LRUCache<string, true>({ max: 10_000, ttl: 10 * 60_000 });
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

    /** The app an Easemob path names (`/{org}/{app}`): public names, no secret. */
    easemobApp: (orgName: string, appName: string) => apps.findByEasemobPath(orgName, appName),
    /** The app a GoBelieve customer sign-in names by its integer appid: public, no secret. */
    gobelieveApp: async (appid: number) => (await apps.findByGobelieveAppId(appid))?.app,

    /** GoBelieve server calls: Basic base64(appid:md5(appsecret)). */
    async gobelieveServer(appid: number, md5Hex: string): Promise<Proven | undefined> {
      const app = await apps.verifyGobelieve(appid, md5Hex);
      return app && asApp(app, `gobelieve:${appid}`);
    },

    /**
     * A Wildfire robot's signed call: `signs(secret)` says whether the request was signed with the
     * robot's secret. An unknown robot costs the same comparison, against a random secret.
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

    /** Imbee: myAuth and the corporate key (the app), or myAuth and a user's API key (that user). */
    async imbee(auth: string, key: string, as: 'corporate' | 'apikey'): Promise<Proven | undefined> {
      const app = await apps.verifyImbee(auth, as === 'corporate' ? key : undefined);
      if (!app) return undefined;
      if (as === 'corporate') return asApp(app, 'imbee-corporate');
      const user = await deps.webAccess.userByApikey(app.id, key);
      return user && asUser(app, user, 'imbee-apikey');
    },

    /** MCG client credentials (OAuth 2.0 client authentication). */
    async mcgClient(clientId: string, clientSecret: string): Promise<(Proven & { clientId: string }) | undefined> {
      const app = await apps.verifyMcgClient(clientId, clientSecret);
      if (app) mcgProven.set(digest('client', `${clientId}:${clientSecret}`), true);
      return app && { ...asApp(app, `mcg-client:${clientId}`), clientId };
    },

    /** Whether MCG credentials (a provider token, or HTTP Basic client credentials) were proven lately. */
    isKnownMcg(basic: { id: string; secret: string } | undefined, bearer: string | undefined): boolean {
      if (bearer) return mcgProven.has(digest('provider', bearer));
      return !!basic && mcgProven.has(digest('client', `${basic.id}:${basic.secret}`));
    },

    /** An MCG provider's access token (a JWT of scope "services tokeninfo"): good on MCG only. */
    async mcgProvider(ctx: RequestContext, secret: string): Promise<(Proven & { clientId: string }) | undefined> {
      const caller = await deps.providerTokens.provider(secret);
      const app = caller && (await ctx.loaders.appById.load(caller.appId));
      if (!caller || !app) return undefined;
      mcgProven.set(digest('provider', secret), true);
      return { ...asApp(app, caller.tokenId), clientId: caller.clientId };
    },

    /** An Easemob history-export download link (expiring, HMAC-signed): the app, for that download. */
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
