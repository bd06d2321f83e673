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
import type { SurfacePort as Services } from '../ports/surface';
import type { Log as Logger, RequestContext } from '../domain/context';
import { createGraphqlAdmission, type GraphqlRateLimits } from './admission';
import { createErrorFormatter, toGraphQLError, unavailablePlugin, asDomainError } from './errors';
import { buildSchema } from './schema';
import { attachGraphqlWs, type WebsocketConfig } from './ws';
import { createHeavyGate, type HeavyGate, type HeavyLimits, type Release } from './heavy-gate';
import { DomainError } from '../domain/errors';
import type { Drain } from '../http/drain';
import { checkCost, limitRules, type QueryLimits } from './limits';
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { CHAT_PAGE_OPERATIONS } from '../web-access/page-operations';
import { loadPersistedOperations, persistedQueriesOption, refuseUnlisted, type PersistedOperations } from './persisted';
import type { GraphqlExtension } from '../ports/graphql-extension';
import { observabilityPlugin, recordGraphqlAnswer } from '../observability/graphql';

/**
 * Refuses an operation that is not on the allow-list (PERSISTED_OPERATIONS) or whose cost is over
 * the limit, after validation and before execution; a heavy query or mutation then waits for its
 * turn at the gate and leaves it with its response. One hook, in that order: no other hook's
 * failure can answer the request while a turn is being taken.
 */
function costPlugin(limits: QueryLimits, gate: HeavyGate, persisted?: PersistedOperations): ApolloServerPlugin<RequestContext> {
  // One set of hooks for every request; a request's turn at the gate is kept by its request object.
  const turns = new WeakMap<object, Release>();
  const hooks: GraphQLRequestListener<RequestContext> = {
    async didResolveOperation({ document, request, schema, operation, source, contextValue }) {
      // The operator (its console, its scripts) holds every key already: the list binds clients.
      const unlisted = persisted && contextValue.principal.kind !== 'operator' && refuseUnlisted(persisted, source);
      if (unlisted) throw unlisted;
      const { cost, error } = checkCost(schema, document, request.variables, request.operationName ?? undefined, limits);
      if (error) throw new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 400 } } });
      if (operation?.operation === 'subscription') return;
      try {
        const release = await gate.enter(cost);
        if (release) turns.set(request, release);
      } catch (e) {
        throw e instanceof DomainError ? toGraphQLError(e) : e;
      }
    },
    async willSendResponse({ request }) {
      const release = turns.get(request);
      if (!release) return;
      turns.delete(request);
      release();
    },
  };
  return { requestDidStart: async () => hooks };
}

export interface GraphqlOptions {
  env: 'development' | 'production' | 'test';
  introspection: boolean;
  retryAfterSeconds: number;
  limits: QueryLimits;
  rateLimits: GraphqlRateLimits;
  ws: WebsocketConfig;
  /** The `api` config section (src/config/api-section.ts). */
  api: { federation: boolean; gatewayToken?: string; apqCacheBytes: number; persistedOperationsFile?: string };
  heavy: HeavyLimits;
  /** TRUST_PROXY: a WebSocket's client is the first X-Forwarded-For address, as for HTTP. */
  trustProxy: boolean;
  /** Refuses WebSocket upgrades once a shutdown has begun. */
  drain: Drain;
  /** The adapters' schema extensions. */
  extensions?: readonly GraphqlExtension[];
}

/** GraphQL over HTTP (Apollo) and graphql-ws on the same `/graphql` path of `fastify`. */
export async function mountGraphql(fastify: FastifyInstance, services: Services, log: Logger, opts: GraphqlOptions) {
  const schema = buildSchema(services, opts.api.federation ? 'subgraph' : 'plain', {
    introspection: opts.introspection,
    extensions: opts.extensions,
  });
  const persisted = opts.api.persistedOperationsFile
    ? loadPersistedOperations(opts.api.persistedOperationsFile, Object.values(CHAT_PAGE_OPERATIONS))
    : undefined;
  const gate = createHeavyGate(opts.heavy);
  const formatError = createErrorFormatter(log, { exposeInternals: opts.env === 'development', retryAfterSeconds: opts.retryAfterSeconds });
  const admit = createGraphqlAdmission(services, opts.rateLimits);
  const ws = attachGraphqlWs({
    server: fastify.server,
    schema,
    services,
    log,
    formatError,
    ws: opts.ws,
    limits: opts.limits,
    introspection: opts.introspection,
    drain: opts.drain,
    perPrincipal: opts.rateLimits.perPrincipal,
    perSocket: opts.rateLimits.perSocket,
    gate,
    persisted,
    admit,
    trustProxy: opts.trustProxy,
  });

  const apollo = new ApolloServer<RequestContext>({
    schema,
    formatError,
    introspection: opts.introspection,
    includeStacktraceInErrorResponses: false,
    persistedQueries: persistedQueriesOption(persisted, opts.api.apqCacheBytes),
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
      costPlugin(opts.limits, gate, persisted),
      observabilityPlugin<RequestContext>(),
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
    context: async (request, reply) => {
      try {
        return await admit(request.headers.authorization, request.ip, request.log, request.id);
      } catch (e) {
        // Before execution, so no formatter runs: a domain error (or an unreachable database) carries its HTTP status.
        const domain = asDomainError(e, opts.retryAfterSeconds);
        const error = domain ? toGraphQLError(domain) : e;
        // Refused before Apollo's plugins run: counted here.
        if (error instanceof GraphQLError) recordGraphqlAnswer('graphql', 'unadmitted', [error.toJSON()], reply.elapsedTime / 1000);
        throw error;
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
  return { liveStats: ws.stats };
}
