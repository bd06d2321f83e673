import { defineAdapter } from '../kit/adapter';
import { gobelieveGraphql } from './graphql';
import { mountDialect } from '../kit/router';
import { gobelieveConfig } from './config';
import { gobelieveCredentials } from './credentials';
import { gobelieveDialect } from './dialect';
import { registerAuthRoutes } from './routes/auth';
import { registerCustomerRoutes } from './routes/customer';
import { registerGroupRoutes } from './routes/groups';
import { registerMessageRoutes } from './routes/messages';
import { registerUserRoutes } from './routes/users';

/** The GoBelieve IM REST API (shared/seeds/004), mounted at `/gobelieve` and at the root of GOBELIEVE_PORT. */
export const gobelieveAdapter = defineAdapter({
  id: 'gobelieve',
  prefix: '/gobelieve',
  config: gobelieveConfig,
  credentials: () => gobelieveCredentials,
  graphql: gobelieveGraphql,
  register(fastify, deps) {
    const routes = { route: mountDialect(fastify, gobelieveDialect(deps.services), deps), services: deps.services };
    registerAuthRoutes(routes);
    registerUserRoutes(routes);
    registerGroupRoutes(routes);
    registerMessageRoutes(routes);
    registerCustomerRoutes(routes);
  },
});
