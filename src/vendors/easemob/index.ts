import { defineAdapter } from '../kit/adapter';
import { easemobGraphql } from './graphql';
import { mountDialect } from '../kit/router';
import { easemobCallbackFormat } from './callbacks';
import { easemobConfig } from './config';
import { easemobCredentials } from './credentials';
import { easemobDialect } from './dialect';
import { registerChatGroupAdminRoutes } from './routes/chatgroup-admin';
import { registerChatGroupRoutes } from './routes/chatgroups';
import { registerChatGroupSelfRoutes } from './routes/chatgroup-self';
import { registerChatRoomRoutes } from './routes/chatrooms';
import { acceptMultipart } from './multipart';
import { registerChatFileRoutes } from './routes/chatfiles';
import { registerExportRoutes } from './routes/export';
import { registerHistoryRoutes } from './routes/history';
import { registerMessageRoutes } from './routes/messages';
import { registerRelationRoutes } from './routes/relations';
import { registerStatusRoutes } from './routes/status';
import { registerTokenRoute } from './routes/token';
import { registerUserRoutes } from './routes/users';
import { mountMsync } from './msync/server';

/**
 * The Easemob / Agora Chat Platform API (shared/seeds/003), mounted at `/easemob` and at the root of
 * EASEMOB_PORT. Everything it answers, errors included, is in the Usergrid dialect.
 */
export const easemobAdapter = defineAdapter({
  id: 'easemob',
  prefix: '/easemob',
  config: easemobConfig,
  credentials: (settings) => easemobCredentials(settings),
  webhookFormats: [easemobCallbackFormat],
  graphql: easemobGraphql,
  register(fastify, deps) {
    const route = mountDialect(fastify, easemobDialect(deps.services, fastify.prefix, easemobCredentials(deps.settings)), deps);
    const routes = { route, services: deps.services };
    registerTokenRoute(routes);
    registerUserRoutes(routes);
    registerRelationRoutes(routes);
    registerStatusRoutes(routes);
    registerMessageRoutes(routes);
    registerChatGroupRoutes(routes);
    registerChatGroupAdminRoutes(routes);
    registerChatGroupSelfRoutes(routes);
    registerChatRoomRoutes(routes);
    registerExportRoutes(routes);
    registerHistoryRoutes(routes);
    acceptMultipart(fastify, deps.services.files.maxUploadBytes());
    registerChatFileRoutes(routes);
    // The client SDKs' realtime socket (msync): `<prefix>/ws`.
    mountMsync(fastify, deps, easemobCredentials(deps.settings), deps.settings.msync);
  },
});
