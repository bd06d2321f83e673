import { defineAdapter } from '../kit/adapter';
import { mountDialect } from '../kit/router';
import { imbeeConfig } from './config';
import { imbeeDialect } from './dialect';
import { registerChatPage } from './page';
import { registerApiRoutes } from './routes/api';

/** The Imbee REST API (shared/seeds/000), mounted at `/imbee` and at the root of IMBEE_PORT. */
export const imbeeAdapter = defineAdapter({
  id: 'imbee',
  prefix: '/imbee',
  config: imbeeConfig,
  register(fastify, deps) {
    const routes = { route: mountDialect(fastify, imbeeDialect(deps.services, fastify.prefix), deps), services: deps.services };
    registerApiRoutes(routes, deps.settings);
    registerChatPage(fastify);
  },
});
