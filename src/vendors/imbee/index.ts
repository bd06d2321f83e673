import { defineAdapter } from '../kit/adapter';
import { imbeeGraphql } from './graphql';
import { mountDialect } from '../kit/router';
import { imbeeConfig } from './config';
import { imbeeCredentials } from './credentials';
import { imbeeDialect } from './dialect';
import { registerChatPage } from './page';
import { registerApiRoutes } from './routes/api';

/** The Imbee REST API (shared/seeds/000), mounted at `/imbee` and at the root of IMBEE_PORT. */
export const imbeeAdapter = defineAdapter({
  id: 'imbee',
  prefix: '/imbee',
  config: imbeeConfig,
  // A link built from the request's Host header points wherever the requester says (a phishing
  // link mailed by us): in production the base must be configured.
  validate: (settings, { production }) =>
    production && !settings.publicUrl
      ? ['IMBEE_PUBLIC_URL: required when NODE_ENV=production (web chat links must not take their base from the Host header)']
      : [],
  credentials: () => imbeeCredentials,
  graphql: imbeeGraphql,
  register(fastify, deps) {
    const routes = { route: mountDialect(fastify, imbeeDialect(deps.services, fastify.prefix), deps), services: deps.services };
    registerApiRoutes(routes, deps.settings);
    registerChatPage(fastify);
  },
});
