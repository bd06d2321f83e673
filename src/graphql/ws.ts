import { recordRefusal } from '../observability/metrics';
import crypto from 'node:crypto';
import type { Server } from 'node:http';
import {
  GraphQLError,
  getOperationAST,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { checkCost, limitRules, type QueryLimits } from './limits';
import { createDocumentCache, isDocument } from './analysis-cache';
import { createLiveServer, type LiveConnection } from './live/server';
import type { Log as Logger } from '../domain/context';
import type { Drain } from '../http/drain';
import {
  isAccount,
  type AppPrincipal,
  type CustomerPrincipal,
  type Principal,
  type RequestContext,
  type UserPrincipal,
} from '../domain/context';
import { isDatabaseUnavailable } from '../db/errors';
import type { SurfacePort as Services } from '../ports/surface';
import { principalKey, type Buckets, type GraphqlAdmit, type GraphqlRateLimits } from './admission';
import type { HeavyGate, Release } from './heavy-gate';
import { DomainError } from '../domain/errors';
import { toGraphQLError } from './errors';
import { allowedOverWebsocket, type PersistedOperations } from './persisted';
import type { createErrorFormatter } from './errors';

/** The `websocket` config section (src/config/websocket-section.ts). */
export interface WebsocketConfig {
  maxPayloadBytes: number;
  maxSubscriptions: number;
  maxBufferedBytes: number;
  initTimeoutMs: number;
  keepAliveMs: number;
}

type SocketState = {
  principal: Principal;
  /** The connection_init's context: each operation is a new request of the same proven caller. */
  ctx: RequestContext;
  cleanup: (() => void)[];
  /** GRAPHQL_WS_SUBSCRIBE_RATE, with a burst of maxSubscriptions (at least one second's worth). */
  budget: ReturnType<GraphqlRateLimits['perSocket']>;
  /** Reading is paused until the budget refills (one timer at a time). */
  paused?: boolean;
};

/**
 * GraphQL over WebSocket (graphql-transport-ws) on the HTTP server's `/graphql` path, served by the
 * project's own protocol loop (live/server.ts). A connection must authenticate in its
 * `connection_init` payload (`{ authorization: "Bearer …" }`); otherwise it is closed with 4403.
 */
export function attachGraphqlWs(opts: {
  server: Server;
  schema: GraphQLSchema;
  services: Services;
  log: Logger;
  formatError: ReturnType<typeof createErrorFormatter>;
  ws: WebsocketConfig;
  limits: QueryLimits;
  introspection: boolean;
  drain: Drain;
  /** Each subscribe spends one of its principal's GraphQL operations (GRAPHQL_RATE_LIMIT) and of its socket's budget. */
  perPrincipal: Buckets;
  perSocket: GraphqlRateLimits['perSocket'];
  /** Heavy queries and mutations take turns with those of HTTP. */
  gate: HeavyGate;
  /** The allow-list (PERSISTED_OPERATIONS), when only listed operations may run. */
  persisted?: PersistedOperations;
  /** HTTP's admission (admission.ts): connection_init authenticates under the same budgets. */
  admit: GraphqlAdmit;
  /** TRUST_PROXY: the client is the first X-Forwarded-For address. */
  trustProxy: boolean;
}) {
  const { services, log } = opts;
  const rules = [...specifiedRules, ...limitRules(opts.limits), ...(opts.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  // Each distinct subscription text is parsed and validated once (as Apollo does over HTTP).
  const documents = createDocumentCache(1000);
  const analyse = (source: string): DocumentNode | readonly GraphQLError[] => {
    let document: DocumentNode;
    try {
      document = parse(source, { maxTokens: opts.limits.tokens });
    } catch (e) {
      return [e instanceof GraphQLError ? e : new GraphQLError('the query could not be parsed')];
    }
    const errors = validate(opts.schema, document, rules);
    return errors.length ? errors : document;
  };
  const refuse = (message: string, extensions: Record<string, unknown>) => [new GraphQLError(message, { extensions })];

  const server = createLiveServer<SocketState>(
    {
      server: opts.server,
      path: '/graphql',
      maxPayloadBytes: opts.ws.maxPayloadBytes,
      maxBufferedBytes: opts.ws.maxBufferedBytes,
      initTimeoutMs: opts.ws.initTimeoutMs,
      keepAliveMs: opts.ws.keepAliveMs,
      log,
      // During a shutdown's drain an upgrade gets a readable 503 (and the socket closed after it).
      verifyClient: (_info, accept) =>
        opts.drain.draining
          ? accept(false, 503, 'the server is shutting down; retry later', { 'retry-after': String(opts.drain.retryAfterSeconds) })
          : accept(true),
    },
    {
      connect: async (conn, params) => {
        try {
          // The same admission as an HTTP request: an unknown token pays the address's anonymous
          // budget (a failure costs ANONYMOUS_FAILURE_COST), refusals of a failing address wait in the tarpit.
          const auth = await opts.admit(params?.authorization, clientIp(conn.remote, opts.trustProxy), log, crypto.randomUUID());
          if (auth.principal.kind === 'anonymous') return false;
          const p = auth.principal;
          const s: SocketState = { principal: p, ctx: auth, cleanup: [], budget: opts.perSocket() };
          const socket = conn.socket;
          // A revoked or expired token ends the connection, and with it every subscription.
          s.cleanup.push(services.feeds.ownTokenRevoked(auth, () => socket.close(4403, 'Forbidden: token revoked')));
          if ((p.kind === 'app' || isAccount(p)) && p.expiresAt)
            s.cleanup.push(closeAt(p.expiresAt, () => socket.close(4403, 'Forbidden: token expired')));
          s.cleanup.push(services.feeds.online(auth, socket));
          // Closed while authenticating: closed() ran already with no state to clean.
          if (socket.readyState !== socket.OPEN) s.cleanup.forEach((c) => c());
          return s;
        } catch (e) {
          // The database is away: "try again later" (1013), which clients retry, not "forbidden" (4403), which they do not.
          if (isDatabaseUnavailable(e)) conn.close(1013, 'Try again later: the database is unavailable');
          else if (e instanceof DomainError && e.code === 'RATE_LIMITED') conn.close(1013, 'Try again later: too many requests');
          return false;
        }
      },
      closed: (conn) => conn.state?.cleanup.forEach((c) => c()),
      // The HTTP rules over WebSocket too: tokens while parsing, depth/aliases/directives and (in
      // production) no introspection while validating, then the cost; and a bound on live operations.
      admit: async (conn, id, payload) => {
        const s = conn.state!;
        // Counted before any await: this one is among the socket's operations already.
        const running = conn.operations.size;
        const key = principalKey(s.principal);
        let taken = s.budget.take();
        if (taken.ok && key) taken = await opts.perPrincipal.take(key);
        if (!taken.ok) {
          // Reading stops until the budget refills: a client that keeps pushing costs nothing meanwhile.
          if (!s.paused) {
            s.paused = true;
            conn.socket.pause();
            setTimeout(() => ((s.paused = false), conn.socket.resume()), taken.retryAfterSeconds * 1000).unref();
          }
          recordRefusal('socket_rate');
          return refuse('too many operations; retry later', { code: 'RATE_LIMITED', retryAfterSeconds: taken.retryAfterSeconds });
        }
        if (running > opts.ws.maxSubscriptions) {
          recordRefusal('subscriptions');
          return refuse(`at most ${opts.ws.maxSubscriptions} operations at once on one connection`, {
            code: 'TOO_MANY_SUBSCRIPTIONS',
            limit: opts.ws.maxSubscriptions,
          });
        }
        const source = opts.persisted ? allowedOverWebsocket(opts.persisted, payload) : payload.query;
        if (source instanceof GraphQLError) return [source];
        const document = documents.get(source, analyse);
        if (!isDocument(document)) return document;
        const variables = payload.variables ?? undefined;
        const operationName = payload.operationName ?? undefined;
        const { cost, error } = checkCost(opts.schema, document, variables, operationName, opts.limits);
        if (error) return [error];
        let release: Release | undefined;
        if (getOperationAST(document, operationName)?.operation !== 'subscription') {
          try {
            release = await opts.gate.enter(cost);
          } catch (e) {
            return [e instanceof DomainError ? toGraphQLError(e) : new GraphQLError('the server is busy; retry later')];
          }
        }
        const requestId = crypto.randomUUID();
        const contextValue = services.nextContext(s.ctx, log.child({ reqId: requestId, wsOperation: id }), requestId);
        return { args: { schema: opts.schema, document, variableValues: variables, operationName, contextValue }, release };
      },
      formatErrors: (errors) => errors.map((e) => opts.formatError(e as GraphQLFormattedError, e)),
    },
  );
  // Back from a Redis outage, revocations and deactivations made elsewhere meanwhile were not heard:
  // every live socket's token and user are checked again (one query each for all of them).
  const offResume = services.feeds.onResume(() => {
    void recheck(services, server.connections()).catch((e: unknown) =>
      log.warn({ err: e }, 'live sockets could not be re-checked after the outage'),
    );
  });
  return {
    stats: server.stats,
    async dispose() {
      offResume();
      await server.dispose();
    },
  };
}

/** Runs `action` at `when`; long delays are chained because timers overflow past 2^31 - 1 ms. */
function closeAt(when: Date, action: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const left = when.getTime() - Date.now();
    timer = left <= 0 ? setTimeout(action, 0) : setTimeout(left > 2 ** 31 - 1 ? arm : action, Math.min(left, 2 ** 31 - 1));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}

/** Closes the live sockets whose token was revoked or whose user was deactivated or deleted. */
async function recheck(services: Services, live: Iterable<LiveConnection<SocketState>>) {
  const sockets: { conn: LiveConnection<SocketState>; p: AppPrincipal | UserPrincipal | CustomerPrincipal }[] = [];
  for (const conn of live) {
    const p = conn.state?.principal;
    if (p && (p.kind === 'app' || isAccount(p))) sockets.push({ conn, p });
  }
  const userIds = [...new Set(sockets.flatMap(({ p }) => (isAccount(p) ? [p.userId] : [])))];
  const { revoked, active } = await services.credentials.stillValid([...new Set(sockets.map(({ p }) => p.tokenId))], userIds);
  for (const { conn, p } of sockets) {
    if (revoked.has(p.tokenId)) conn.close(4403, 'Forbidden: token revoked');
    else if (isAccount(p) && !active.has(p.userId)) conn.close(4403, 'Forbidden');
  }
}

/** The client of an upgrade, as Fastify's `request.ip` finds it for HTTP. */
function clientIp(remote: { address: string; forwardedFor?: string }, trustProxy: boolean): string {
  const first = trustProxy ? remote.forwardedFor?.split(',')[0]?.trim() : undefined;
  return first || remote.address;
}
