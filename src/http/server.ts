import crypto from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import fastifyApollo from '@as-integrations/fastify';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/config';
import type { DatabaseHandle } from '../db/database';
import type { RequestContext } from '../domain/context';
import { isDomainError } from '../domain/errors';
import { contextFromAuthorization } from '../graphql/auth';
import { createErrorFormatter, toGraphQLError } from '../graphql/errors';
import { buildSchema } from '../graphql/schema';
import { attachGraphqlWs } from '../graphql/ws';
import type { Services } from '../services';
import { createHttpErrorHandler, notFoundHandler } from './errors';
import { registerHealthRoutes } from './health';
import type { RateLimiter } from './rate-limit';
import { easemobAdapter } from '../vendors/easemob';

/** One Fastify instance: GraphQL over HTTP and graphql-ws on /graphql, health probes, the vendor adapters. */
export async function buildHttpServer(opts: { config: Config; services: Services; db: DatabaseHandle; log: Logger; limiter: RateLimiter }) {
  const { config, services, log } = opts;
  const fastify = baseServer(config, log);
  registerHealthRoutes(fastify, opts.db.connection);

  const schema = buildSchema(services);
  const formatError = createErrorFormatter(log, { exposeInternals: config.env === 'development' });
  const ws = attachGraphqlWs({ server: fastify.server, schema, services, log, formatError });

  const apollo = new ApolloServer<RequestContext>({
    schema,
    formatError,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    // No "did you mean …" field suggestions outside development.
    hideSchemaDetailsFromClientErrors: config.env !== 'development',
    // Shutdown is ours (main.ts): Fastify closes first, then Apollo from its onClose hook. Apollo's
    // own signal handlers and the integration's drain plugin (which calls fastify.close() from
    // apollo.stop()) would deadlock with that order.
    stopOnTerminationSignals: false,
    // Nothing here uses cache hints, Apollo's usage or schema reporting, or federated traces; the
    // cache-control plugin alone wraps every field resolver of every request.
    plugins: [
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ...(config.env === 'production' ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
  });
  await apollo.start();

  await fastify.register(fastifyApollo(apollo), {
    path: '/graphql',
    context: async (request) => {
      try {
        return await contextFromAuthorization(services, request.headers.authorization, request.log, request.id);
      } catch (e) {
        throw isDomainError(e) ? toGraphQLError(e) : e;
      }
    },
  });

  await fastify.register(easemobAdapter({ services, limiter: opts.limiter }), { prefix: '/easemob' });

  // Live sockets do not end by themselves: close them before Fastify waits for open connections.
  fastify.addHook('preClose', async () => {
    await ws.dispose();
  });
  fastify.addHook('onClose', async () => {
    await apollo.stop();
  });

  return fastify;
}

/** EASEMOB_PORT: the Easemob adapter alone, at the root, for clients whose paths cannot change. */
export async function buildEasemobPortServer(opts: { config: Config; services: Services; log: Logger; limiter: RateLimiter }) {
  const fastify = baseServer(opts.config, opts.log, { notFound: false });
  await fastify.register(easemobAdapter({ services: opts.services, limiter: opts.limiter }));
  return fastify;
}

/** notFound: false when the one plugin mounted at the root answers unknown routes in its own dialect. */
function baseServer(config: Config, log: Logger, opts: { notFound?: boolean } = {}): FastifyInstance {
  const fastify: FastifyInstance = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  // JSON only by default (415 otherwise); adapters that speak forms register their own parser.
  fastify.removeContentTypeParser('text/plain');
  fastify.setErrorHandler(createHttpErrorHandler(config.bodyLimitBytes));
  if (opts.notFound !== false) fastify.setNotFoundHandler(notFoundHandler);
  return fastify;
}
