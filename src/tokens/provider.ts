import { Types } from 'mongoose';
import type { AppService } from '../apps/service';
import type { RequestContext } from '../domain/context';
import { sha256 } from '../apps/credentials';
import { unauthenticated } from '../domain/errors';
import type { UserService } from '../users/service';
import type { TokenDoc, TokenModel } from './model';
import type { ProviderJwt } from './provider-jwt';

export const PROVIDER_SCOPE = 'services tokeninfo';

/** RFC 7662 introspection response; inactive is exactly `{active: false}`. */
export type Introspection =
  | { active: false }
  | {
      active: true;
      scope?: string;
      client_id?: string;
      username?: string;
      token_type: 'Bearer';
      exp?: number;
      iat: number;
      nbf?: number;
      sub?: string;
      aud?: string;
      iss?: string;
      jti?: string;
    };

const INACTIVE = { active: false } as const;
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** Client tokens of a service provider (signed JWTs kept in the token store, good on the surface that issued them) and introspection of every token kind. */
export function createProviderTokens(deps: {
  tokens: TokenModel;
  apps: AppService;
  users: () => UserService;
  jwt: ProviderJwt;
  issuer: string;
}) {
  const { tokens, jwt } = deps;
  return {
    /** client_credentials for a service provider: a JWT access token, stored by its hash like every token. */
    async issueProviderToken(ctx: RequestContext, ttlSeconds: number, via: string) {
      const p = ctx.principal;
      // Only an app proven as one of its OAuth clients (client credentials) gets a client token.
      if (p.kind !== 'app' || !p.clientId) throw unauthenticated('invalid client credentials');
      const app = await ctx.loaders.appById.load(p.appId);
      if (!app) throw unauthenticated('invalid client credentials');
      const clientId = p.clientId;
      const id = new Types.ObjectId();
      const iat = Math.floor(Date.now() / 1000);
      const exp = iat + ttlSeconds;
      const accessToken = await jwt.sign({
        sub: clientId,
        aud: app.id,
        jti: id.toHexString(),
        scope: PROVIDER_SCOPE,
        client_id: clientId,
        iat,
        exp,
      });
      await tokens.create({
        _id: id,
        appId: new Types.ObjectId(app.id),
        kind: 'app',
        clientId,
        scope: PROVIDER_SCOPE,
        via,
        secretHash: sha256(accessToken),
        expiresAt: new Date(exp * 1000),
      });
      return { app, accessToken, expiresIn: ttlSeconds, scope: PROVIDER_SCOPE };
    },

    /** The provider behind a bearer token: an active client token only. */
    async provider(secret: string): Promise<{ appId: string; clientId: string; tokenId: string } | null> {
      if (!secret || !jwt.isJwt(secret) || !(await jwt.verifies(secret))) return null;
      const doc = await tokens.findOne({ secretHash: sha256(secret) }).lean<TokenDoc>();
      if (!doc || doc.revokedAt || !doc.clientId || (doc.expiresAt && doc.expiresAt.getTime() <= Date.now())) return null;
      return { appId: doc.appId.toHexString(), clientId: doc.clientId, tokenId: doc._id.toHexString() };
    },

    /**
     * What `caller` (a provider client of `callerAppId`) may learn about `token`. Another app's,
     * unknown, expired, revoked and deactivated users' tokens are all exactly `{active: false}`.
     * The client a token was issued to sees every claim; other callers of the same app see only
     * whether it is active, its type, scope and times.
     */
    async introspect(callerAppId: string, callerClientId: string, token: string): Promise<Introspection> {
      if (!token || token.length > 4096) return INACTIVE;
      if (jwt.isJwt(token) && !(await jwt.verifies(token))) return INACTIVE;
      const doc = await tokens.findOne({ secretHash: sha256(token) }).lean<TokenDoc>();
      if (!doc || doc.revokedAt || doc.appId.toHexString() !== callerAppId) return INACTIVE;
      if (doc.expiresAt && doc.expiresAt.getTime() <= Date.now()) return INACTIVE;
      const [user] = doc.userId ? await deps.users().findManyByIds([doc.userId.toHexString()]) : [null];
      if (doc.userId && (!user || !user.activated)) return INACTIVE;
      const scope = doc.scope ?? (doc.kind === 'app' ? 'app' : 'user');
      const times = { iat: seconds(doc.createdAt), ...(doc.expiresAt ? { exp: seconds(doc.expiresAt) } : {}) };
      const limited = { active: true as const, token_type: 'Bearer' as const, scope, ...times };
      if (doc.clientId && doc.clientId !== callerClientId) return limited;
      return {
        ...limited,
        nbf: times.iat,
        ...(doc.clientId ? { client_id: doc.clientId } : {}),
        ...(user ? { username: user.username, sub: user.uuid } : { sub: doc.clientId ?? callerAppId }),
        aud: callerAppId,
        iss: deps.issuer,
        jti: doc._id.toHexString(),
      };
    },
  };
}

export type ProviderTokens = ReturnType<typeof createProviderTokens>;
