import { defineAdapter } from '../kit/adapter';
import { mountDialect } from '../kit/router';
import { wildfireConfig } from './config';
import { wildfireDialect } from './dialect';
import { createNonceLedger, registerNonceModel } from './nonces';
import { registerGroupRoutes } from './routes/groups';
import { registerMessageRoutes } from './routes/messages';
import { registerRobotRoutes } from './routes/robot';

/**
 * The Wildfire IM robot API (shared/seeds/002), mounted at `/wildfire` and at the root of
 * WILDFIRE_PORT. Robots are the outbox's robots; what they send is an ordinary message.
 */
export const wildfireAdapter = defineAdapter({
  id: 'wildfire',
  prefix: '/wildfire',
  config: wildfireConfig,
  // Its replay ledger: a signed call's nonce is used once (collection robot_nonces, this adapter's alone).
  state: ({ connection }, settings) => ({ nonces: createNonceLedger(registerNonceModel(connection), settings.signWindowMs) }),
  register(fastify, deps) {
    const dialect = wildfireDialect(deps.services, deps.state.nonces, deps.settings.signWindowMs);
    const routes = { route: mountDialect(fastify, dialect, deps), services: deps.services };
    registerMessageRoutes(routes);
    registerRobotRoutes(routes);
    registerGroupRoutes(routes);
  },
});
