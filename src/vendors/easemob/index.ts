import type { FastifyError, FastifyInstance } from 'fastify';
import type { RateLimiter } from '../../http/rate-limit';
import type { Services } from '../../services';
import { EasemobError } from './errors';
import { registerMessageRoutes } from './messages';
import { registerRelationRoutes } from './relations';
import { createEasemobKit } from './request';
import { registerStatusRoutes } from './status';
import { registerTokenRoute } from './token';
import { registerUserRoutes } from './users';

/**
 * The Easemob / Agora Chat Platform API, mounted where it is registered (`/easemob`, or the root of
 * EASEMOB_PORT). Everything it answers, errors included, is in the Usergrid dialect.
 */
export function easemobAdapter(deps: { services: Services; limiter: RateLimiter }) {
  return async function plugin(fastify: FastifyInstance) {
    const kit = createEasemobKit(deps.services, deps.limiter, fastify.prefix);

    // The document's curl examples send JSON without a JSON content type, and POSTs such as
    // /deactivate with a JSON content type and no body: every body is read as JSON, empty is none.
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', { parseAs: 'string' }, (_req, raw, done) => {
      const text = String(raw).trim();
      if (!text) return done(null, undefined);
      try {
        done(null, JSON.parse(text));
      } catch {
        done(new EasemobError(400, 'json_parse', 'Unexpected character in the request body: it must be JSON'), undefined);
      }
    });
    fastify.setErrorHandler((err: FastifyError, _req, reply) => {
      const e =
        err instanceof EasemobError
          ? err
          : err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
            ? new EasemobError(413, 'illegal_argument', 'request body too large')
            : err.statusCode && err.statusCode < 500
              ? new EasemobError(err.statusCode, 'illegal_argument', err.message)
              : err;
      kit.sendError(reply, e, Date.now());
    });
    fastify.setNotFoundHandler((_req, reply) =>
      kit.sendError(reply, new EasemobError(404, 'service_resource_not_found', 'Service resource not found'), Date.now()),
    );

    registerTokenRoute(fastify, deps.services, kit);
    registerStatusRoutes(fastify, deps.services, kit);
    registerUserRoutes(fastify, deps.services, kit);
    registerRelationRoutes(fastify, deps.services, kit);
    registerMessageRoutes(fastify, deps.services, kit);
  };
}
