import crypto from 'node:crypto';
import type { Server } from 'node:http';
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { checkCost, limitRules, type QueryLimits } from './limits';
import type { Disposable } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { sharedSubscribe } from './shared-subscribe';
import type { Log as Logger } from '../domain/context';
import { WebSocketServer } from 'ws';
import type { Drain } from '../http/drain';
import type { Principal } from '../domain/context';
import { isDatabaseUnavailable } from '../db/errors';
import { topics } from '../events/catalog';
import type { Services } from '../app/services';
import { contextFromAuthorization } from './auth';
import type { createErrorFormatter } from './errors';

type SocketState = {
  principal?: Principal;
  cleanup: (() => void)[];
  /** Ids of the operations running on the socket, bounded by maxSubscriptions. */
  operations: Set<string>;
};

/**
 * graphql-ws on the HTTP server's `/graphql` path. A connection must authenticate in its
 * `connection_init` payload (`{ authorization: "Bearer …" }`); otherwise it is closed with 4403.
 */
export function attachGraphqlWs(opts: {
  server: Server;
  schema: GraphQLSchema;
  services: Services;
  log: Logger;
  formatError: ReturnType<typeof createErrorFormatter>;
  maxPayloadBytes: number;
  maxSubscriptions: number;
  limits: QueryLimits;
  introspection: boolean;
  hideSuggestions: boolean;
  drain: Drain;
}): Disposable {
  const { services, log } = opts;
  // ws closes a socket whose message exceeds maxPayload (1009) before anything parses it.
  const wss = new WebSocketServer({
    server: opts.server,
    path: '/graphql',
    maxPayload: opts.maxPayloadBytes,
    // During a shutdown's drain an upgrade gets a readable 503 (and the socket closed after it).
    verifyClient: (_info, accept) =>
      opts.drain.draining
        ? accept(false, 503, 'the server is shutting down; retry later', { 'retry-after': String(opts.drain.retryAfterSeconds) })
        : accept(true),
  });
  const state = new WeakMap<object, SocketState>();
  const rules = [...specifiedRules, ...limitRules(opts.limits), ...(opts.introspection ? [] : [NoSchemaIntrospectionCustomRule])];

  return useServer<Record<string, unknown> | undefined>(
    {
      schema: opts.schema,
      subscribe: sharedSubscribe,
      onConnect: async (ctx) => {
        try {
          const auth = await contextFromAuthorization(services, ctx.connectionParams?.authorization, log, crypto.randomUUID());
          if (auth.principal.kind === 'anonymous') return false;
          const p = auth.principal;
          const s: SocketState = { principal: p, cleanup: [], operations: new Set() };
          const socket = ctx.extra.socket;
          if (p.kind === 'app' || p.kind === 'user') {
            // A revoked or expired token ends the connection, and with it every subscription.
            s.cleanup.push(services.events.subscribe(topics.token(p.tokenId), () => socket.close(4403, 'Forbidden: token revoked')));
            if (p.expiresAt) s.cleanup.push(closeAt(p.expiresAt, () => socket.close(4403, 'Forbidden: token expired')));
          }
          if (p.kind === 'user') s.cleanup.push(services.connections.add(p.appId, p.userId, socket));
          state.set(socket, s);
          return true;
        } catch (e) {
          // The database is away: "try again later" (1013), which clients retry, not "forbidden" (4403), which they do not.
          if (isDatabaseUnavailable(e)) ctx.extra.socket.close(1013, 'Try again later: the database is unavailable');
          return false;
        }
      },
      onClose: (ctx) => state.get(ctx.extra.socket)?.cleanup.forEach((c) => c()),
      // The HTTP rules over WebSocket too: tokens while parsing, depth/aliases/directives and (in
      // production) no introspection while validating, then the cost; and a bound on live operations.
      onSubscribe: (ctx, id, payload) => {
        const ops = state.get(ctx.extra.socket)?.operations;
        if (ops && ops.size >= opts.maxSubscriptions)
          return [
            new GraphQLError(`at most ${opts.maxSubscriptions} operations at once on one connection`, {
              extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: opts.maxSubscriptions },
            }),
          ];
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: opts.limits.tokens });
        } catch (e) {
          return [e instanceof GraphQLError ? e : new GraphQLError('the query could not be parsed')];
        }
        const errors = validate(opts.schema, document, rules);
        if (errors.length) return errors;
        const costly = checkCost(opts.schema, document, payload.variables ?? undefined, payload.operationName ?? undefined, opts.limits);
        if (costly) return [costly];
        ops?.add(id);
        return { schema: opts.schema, document, variableValues: payload.variables, operationName: payload.operationName };
      },
      onComplete: (ctx, id) => {
        state.get(ctx.extra.socket)?.operations.delete(id);
      },
      context: (ctx, id) => {
        const principal = state.get(ctx.extra.socket)?.principal ?? { kind: 'anonymous' };
        const requestId = crypto.randomUUID();
        return services.context(principal, log.child({ reqId: requestId, wsOperation: id }), requestId);
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((e) => opts.formatError(e as GraphQLFormattedError, e)) } : undefined,
      // An operation that ends in an error is over too (graphql-ws calls onComplete only on completion).
      onError: (ctx, id, _payload, errors) => {
        state.get(ctx.extra.socket)?.operations.delete(id);
        return errors.map((e) => opts.formatError(e as GraphQLFormattedError, e));
      },
    },
    wss,
  );
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
