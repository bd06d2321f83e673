import type { FastifyRequest } from 'fastify';
import type { SurfacePort as Services } from '../../ports/surface';
import { matchesDigest, sha256 } from '../../apps/credentials';
import { parseJsonBody } from '../kit/body';
import { imbeeCredentials } from './credentials';
import type { Dialect, KitCall } from '../kit/dialect';
import type { Router } from '../kit/router';
import { envelope, fromDomain, imbeeError, renderError, transport } from './errors';

/** `corporate`: myAuth + the corporate key; `apikey`: myAuth + a user's API key; `none`: the web chat page's own calls. */
export type ImbeeAccess = 'corporate' | 'apikey' | 'none';
/** `base`: where this mount is reached (the web chat links point below it). */
export type ImbeeCall = KitCall & { base: string };
export type ImbeeResult = { body: unknown };

const header = (req: FastifyRequest, name: string) => {
  const v = req.headers[name];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
};

/** The Imbee REST dialect (shared/seeds/000): JSON only, `{time, code, message, body}` everywhere. */
export function imbeeDialect(services: Services, prefix: string): Dialect<ImbeeAccess, ImbeeCall, ImbeeResult> {
  return {
    async authenticate(req, access, { ctx, started, as }) {
      const base = `${req.protocol}://${req.headers.host ?? req.hostname}${prefix}`;
      if (access === 'none') return { app: null, ctx, started, base };
      const auth = header(req, 'authorization');
      const key = header(req, 'x-woos-key');
      if (!auth || !key) throw imbeeError(401, 'headers Authorization (myAuth) and X-WOOS-KEY are required');
      // myAuth finds the app by its digest (a longer one names no app: no lookup); the corporate key
      // proves the app, a user's API key that user.
      const prove = async () => {
        const myAuth = { authTokenHash: sha256(auth) };
        if (access === 'corporate')
          return services.credentials.app(imbeeCredentials, myAuth, (s) => matchesDigest(key, s.corporateKeyHash), {
            via: 'imbee-corporate',
          });
        const app = await services.credentials.appNamed(imbeeCredentials, myAuth);
        return app && services.credentials.externalUser(app, key, 'imbee-apikey');
      };
      const proven = auth.length <= 256 ? await prove() : undefined;
      if (!proven)
        throw imbeeError(
          401,
          access === 'corporate'
            ? 'invalid Authorization or X-WOOS-KEY'
            : 'invalid Authorization, or X-WOOS-KEY is not the API key of a user of this app',
        ).refusingCredentials();
      return { app: proven.app, ctx: as(proven.principal), started, base };
    },
    hasKnownCredentials: () => false,
    // "All requests must use the header Content-Type with value application/json."
    parseBody(raw, contentType) {
      if ((contentType ?? '').split(';')[0]!.trim().toLowerCase() !== 'application/json')
        throw imbeeError(415, 'Content-Type must be application/json');
      return parseJsonBody(raw, () => imbeeError(400, 'the body is not valid JSON'));
    },
    fromDomain,
    transport,
    renderError,
    renderSuccess: (call, r) => ({ status: 200, body: envelope(call.started, 0, 'Ok', r.body) }),
  };
}

export interface ImbeeRoutes {
  route: Router<ImbeeAccess, ImbeeCall, ImbeeResult>;
  services: Services;
}
