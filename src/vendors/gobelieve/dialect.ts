import type { FastifyRequest } from 'fastify';
import type { Services } from '../../app/services';
import { bearerSecret } from '../../tokens/bearer';
import { basicCredentials } from '../kit/credentials';
import { parseJsonBody } from '../kit/body';
import type { Dialect, KitCall } from '../kit/dialect';
import type { Router } from '../kit/router';
import { fromDomain, gobelieveError, renderError, transport } from './errors';

/** Server calls (Basic appid:md5(appsecret)), client calls (a user's Bearer token), or none (/auth/customer). */
export type GobelieveAccess = 'server' | 'client' | 'none';
export type GobelieveCall = KitCall;
/** `data` of the answer; undefined answers `{"data": {}}`. */
export type GobelieveResult = { data?: unknown };

const unauthorized = (message = 'unauthorized') => gobelieveError(401, message);

/** The GoBelieve IM REST dialect (shared/seeds/004): `{"data": …}` on success, `{"meta": {code, message}}` on failure. */
export function gobelieveDialect(services: Services): Dialect<GobelieveAccess, GobelieveCall, GobelieveResult> {
  return {
    async authenticate(req, access, { ctx, started }) {
      if (access === 'none') return { app: null, ctx, started };
      if (access === 'server') {
        const creds = basicCredentials(req.headers.authorization);
        if (!creds || !/^\d{1,15}$/.test(creds.id)) throw unauthorized('Authorization: Basic base64(appid:md5(appsecret)) is required');
        const app = await services.apps.verifyGobelieve(Number(creds.id), creds.secret);
        if (!app) throw unauthorized('invalid appid or appsecret');
        ctx.principal = { kind: 'app', appId: app.id, tokenId: `gobelieve:${creds.id}`, expiresAt: null };
        return { app, ctx, started };
      }
      const secret = bearerSecret(req.headers.authorization);
      if (!secret) throw unauthorized('Authorization: Bearer <token> is required');
      const principal = await services.tokens.authenticate(ctx, secret);
      if (principal.kind !== 'user') throw unauthorized('a user token is required');
      ctx.principal = principal;
      return { app: (await ctx.loaders.appById.load(principal.appId)) ?? null, ctx, started };
    },
    hasKnownCredentials(req: FastifyRequest) {
      try {
        const secret = bearerSecret(req.headers.authorization);
        return !!secret && services.tokens.isKnown(secret);
      } catch {
        return false;
      }
    },
    // JSON bodies; the document's clients always send JSON, some without saying so.
    parseBody: (raw) => parseJsonBody(raw, () => gobelieveError(400, 'the body must be JSON')),
    fromDomain,
    transport,
    renderError,
    renderSuccess: (_call, r) => ({ status: 200, body: { data: r.data ?? {} } }),
  };
}

export interface GobelieveRoutes {
  route: Router<GobelieveAccess, GobelieveCall, GobelieveResult>;
  services: Services;
}
