import { defineAdapter } from '../kit/adapter';
import { mountDialect } from '../kit/router';
import { mcgCommands } from './commands';
import { mcgConfig } from './config';
import { mcgCredentials } from './credentials';
import { mcgGraphql } from './graphql';
import { mcgDialect } from './dialect';
import { renderError, mcgError } from './errors';
import { registerOAuthRoutes } from './routes/oauth';
import { registerServiceRoutes } from './routes/services';

/** Every path of the document accepts POST only: other methods get 405 with `Allow: POST` (the document's table). */
const POST_ONLY = ['/mcg/v1/token', '/mcg/v1/tokeninfo', '/Services'];

/** The MCG developer API (shared/seeds/001), mounted at `/mcg` (so `/mcg/mcg/v1/tokeninfo`) and at the root of MCG_PORT. */
export const mcgAdapter = defineAdapter({
  id: 'mcg',
  prefix: '/mcg',
  config: mcgConfig,
  credentials: () => mcgCredentials,
  clientTokens: (settings) => ({ jwtKeys: settings.jwtKeys, issuer: settings.issuer }),
  cli: mcgCommands,
  graphql: mcgGraphql,
  register(fastify, deps) {
    const routes = { route: mountDialect(fastify, mcgDialect(deps.services), deps), services: deps.services };
    registerOAuthRoutes(routes, deps.settings.tokenTtlSeconds);
    registerServiceRoutes(routes, fastify.prefix);
    for (const url of POST_ONLY)
      fastify.route({
        method: ['GET', 'PUT', 'DELETE', 'PATCH'],
        url,
        handler: async (_req, reply) => {
          const r = renderError(mcgError(405, 'method_not_allowed', 'use POST'));
          return reply
            .status(405)
            .headers({ ...r.headers, allow: 'POST' })
            .send(r.body);
        },
      });
  },
});
