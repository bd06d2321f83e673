import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import fastifyApollo from '@as-integrations/fastify';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../app/services';
import type { Log as Logger, RequestContext } from '../domain/context';
import { createGraphqlAdmission, type GraphqlRateLimits } from './admission';
import { createErrorFormatter, toGraphQLError, unavailablePlugin, asDomainError } from './errors';
import { buildSchema } from './schema';
import { attachGraphqlWs } from './ws';
import type { Drain } from '../http/drain';
import { checkCost, limitRules, type QueryLimits } from './limits';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

/** Refuses an operation whose cost is over the limit, after validation and before execution. */
function costPlugin(limits: QueryLimits): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request, schema }) {
          const e = checkCost(schema, document, request.variables, request.operationName ?? undefined, limits);
          if (e) throw new GraphQLError(e.message, { extensions: { ...e.extensions, http: { status: 400 } } });
        },
      };
    },
  };
}

export interface GraphqlOptions {
  env: 'development' | 'production' | 'test';
  introspection: boolean;
  retryAfterSeconds: number;
  limits: QueryLimits;
  rateLimits: GraphqlRateLimits;
  wsMaxPayloadBytes: number;
  wsMaxSubscriptions: number;
  /** Refuses WebSocket upgrades once a shutdown has begun. */
  drain: Drain;
}

/** GraphQL over HTTP (Apollo) and graphql-ws on the same `/graphql` path of `fastify`. */
export async function mountGraphql(fastify: FastifyInstance, services: Services, log: Logger, opts: GraphqlOptions) {
  const schema = buildSchema(services);
  const formatError = createErrorFormatter(log, { exposeInternals: opts.env === 'development', retryAfterSeconds: opts.retryAfterSeconds });
  const ws = attachGraphqlWs({
    server: fastify.server,
    schema,
    services,
    log,
    formatError,
    maxPayloadBytes: opts.wsMaxPayloadBytes,
    maxSubscriptions: opts.wsMaxSubscriptions,
    limits: opts.limits,
    introspection: opts.introspection,
    hideSuggestions: opts.env !== 'development',
    drain: opts.drain,
  });

  const admit = createGraphqlAdmission(services, opts.rateLimits);
  const apollo = new ApolloServer<RequestContext>({
    schema,
    formatError,
    introspection: opts.introspection,
    includeStacktraceInErrorResponses: false,
    // Limits before execution (the same rules run over graphql-ws): tokens while parsing, then
    // depth, aliases and directives while validating, then the cost from the schema and variables.
    parseOptions: { maxTokens: opts.limits.tokens },
    validationRules: limitRules(opts.limits),
    // No "did you mean …" field suggestions outside development.
    hideSchemaDetailsFromClientErrors: opts.env !== 'development',
    // Shutdown is ours (main.ts): Fastify closes first, then Apollo from its onClose hook. Apollo's
    // own signal handlers and the integration's drain plugin (which calls fastify.close() from
    // apollo.stop()) would deadlock with that order.
    stopOnTerminationSignals: false,
    // Nothing here uses cache hints, Apollo's usage or schema reporting, or federated traces; the
    // cache-control plugin alone wraps every field resolver of every request.
    plugins: [
      unavailablePlugin(opts.retryAfterSeconds),
      costPlugin(opts.limits),
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ...(opts.env === 'production' ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
  });
  await apollo.start();

  await fastify.register(fastifyApollo(apollo), {
    path: '/graphql',
    context: async (request) => {
      try {
        return await admit(request.headers.authorization, request.ip, request.log, request.id);
      } catch (e) {
        // Before execution, so no formatter runs: a domain error (or an unreachable database) carries its HTTP status.
        const domain = asDomainError(e, opts.retryAfterSeconds);
        throw domain ? toGraphQLError(domain) : e;
      }
    },
  });

  // Live sockets do not end by themselves: close them before Fastify waits for open connections.
  fastify.addHook('preClose', async () => {
    await ws.dispose();
  });
  fastify.addHook('onClose', async () => {
    await apollo.stop();
  });
}
