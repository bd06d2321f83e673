import type { FastifyRequest } from 'fastify';
import type { SurfacePort as Services } from '../../ports/surface';
import { isAccount } from '../../domain/context';
import { bearerSecret } from '../../tokens/bearer';
import { basicCredentials } from '../kit/credentials';
import { parseJsonBody } from '../kit/body';
import type { Dialect, KitCall } from '../kit/dialect';
import type { Router } from '../kit/router';
import { matchesDigest } from '../../apps/credentials';
import { gobelieveCredentials } from './credentials';
import { fromDomain, gobelieveError, renderError, transport } from './errors';

/**
 * Server calls (Basic appid:md5(appsecret)); client calls (a user's or a customer's Bearer token);
 * `customer-login`: no credentials, the app named by the body's `appid` (/auth/customer).
 */
export type GobelieveAccess = 'server' | 'client' | 'customer-login';
export type GobelieveCall = KitCall;
/** `data` of the answer; undefined answers `{"data": {}}`. */
export type GobelieveResult = { data?: unknown };

const unauthorized = (message = 'unauthorized') => gobelieveError(401, message);

/** The GoBelieve IM REST dialect (shared/seeds/004): `{"data": …}` on success, `{"meta": {code, message}}` on failure. */
export function gobelieveDialect(services: Services): Dialect<GobelieveAccess, GobelieveCall, GobelieveResult> {
  const { credentials } = services;
  return {
    async authenticate(req, access, { ctx, started, as }) {
      if (access === 'customer-login') {
        const appid = (req.body as { appid?: unknown } | undefined)?.appid;
        const app =
          Number.isSafeInteger(appid) && (appid as number) > 0
            ? await credentials.appNamed(gobelieveCredentials, { appId: appid as number })
            : undefined;
        return { app: app ?? null, ctx, started };
      }
      if (access === 'server') {
        const creds = basicCredentials(req.headers.authorization);
        if (!creds || !/^\d{1,15}$/.test(creds.id)) throw unauthorized('Authorization: Basic base64(appid:md5(appsecret)) is required');
        const appId = Number(creds.id);
        const proven = await credentials.app(
          gobelieveCredentials,
          { appId },
          (s) => matchesDigest(creds.secret.toLowerCase(), s.appSecretMd5Hash),
          { via: `gobelieve:${appId}` },
        );
        if (!proven) throw unauthorized('invalid appid or appsecret').refusingCredentials();
        return { app: proven.app, ctx: as(proven.principal), started };
      }
      const secret = bearerSecret(req.headers.authorization);
      if (!secret) throw unauthorized('Authorization: Bearer <token> is required');
      const principal = await credentials.bearer(ctx, secret);
      if (!isAccount(principal)) throw unauthorized('a user or customer token is required');
      return { app: (await ctx.loaders.appById.load(principal.appId)) ?? null, ctx: as(principal), started };
    },
    hasKnownCredentials: (req: FastifyRequest) => credentials.isKnownBearer(req.headers.authorization),
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
