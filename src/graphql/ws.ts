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
import type { Disposable } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { sharedSubscribe } from './shared-subscribe';
import type { Log as Logger } from '../domain/context';
import { WebSocketServer } from 'ws';
import type { Drain } from '../http/drain';
import type { AppPrincipal, Principal, UserPrincipal } from '../domain/context';
import { isDatabaseUnavailable } from '../db/errors';
import { topics } from '../events/catalog';
import type { Services } from '../app/services';
import { contextFromAuthorization } from './auth';
import { principalKey, type Buckets, type GraphqlRateLimits } from './admission';
import type { HeavyGate, Release } from './heavy-gate';
import { DomainError } from '../domain/errors';
import { toGraphQLError } from './errors';
import type { createErrorFormatter } from './errors';

type SocketState = {
  principal?: Principal;
  cleanup: (() => void)[];
  /** Ids of the operations running on the socket, bounded by maxSubscriptions. */
  operations: Set<string>;
  /** Heavy queries or mutations holding a turn at the gate, by operation id. */
  turns: Map<string, Release>;
  /** GRAPHQL_WS_SUBSCRIBE_RATE, with a burst of maxSubscriptions (at least one second's worth). */
  budget: ReturnType<GraphqlRateLimits['perSocket']>;
  /** Reading is paused until the budget refills (one timer at a time). */
  paused?: boolean;
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
  /** Each subscribe spends one of its principal's GraphQL operations (GRAPHQL_RATE_LIMIT) and of its socket's budget. */
  perPrincipal: Buckets;
  perSocket: GraphqlRateLimits['perSocket'];
  /** Heavy queries and mutations take turns with those of HTTP. */
  gate: HeavyGate;
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
  // Every accepted socket until it closes (its cleanup removes it).
  type Socket = { close(code: number, reason: string): void };
  const state = new Map<Socket, SocketState>();
  // Back from a Redis outage, revocations and deactivations made elsewhere meanwhile were not heard:
  // every live socket's token and user are checked again (one query each for all of them).
  services.events.onResume(() => {
    void recheck(services, state).catch((e: unknown) => log.warn({ err: e }, 'live sockets could not be re-checked after the outage'));
  });
  const rules = [...specifiedRules, ...limitRules(opts.limits), ...(opts.introspection ? [] : [NoSchemaIntrospectionCustomRule])];

  const endOperation = (socket: Socket, id: string) => {
    const s = state.get(socket);
    s?.operations.delete(id);
    s?.turns.get(id)?.();
    s?.turns.delete(id);
  };

  return useServer<Record<string, unknown> | undefined>(
    {
      schema: opts.schema,
      subscribe: sharedSubscribe,
      onConnect: async (ctx) => {
        try {
          const auth = await contextFromAuthorization(services, ctx.connectionParams?.authorization, log, crypto.randomUUID());
          if (auth.principal.kind === 'anonymous') return false;
          const p = auth.principal;
          const s: SocketState = {
            principal: p,
            cleanup: [],
            operations: new Set(),
            turns: new Map(),
            budget: opts.perSocket(),
          };
          const socket = ctx.extra.socket;
          if (p.kind === 'app' || p.kind === 'user') {
            // A revoked or expired token ends the connection, and with it every subscription.
            s.cleanup.push(services.events.subscribe(topics.token(p.tokenId), () => socket.close(4403, 'Forbidden: token revoked')));
            if (p.expiresAt) s.cleanup.push(closeAt(p.expiresAt, () => socket.close(4403, 'Forbidden: token expired')));
          }
          if (p.kind === 'user') s.cleanup.push(services.connections.add(p.appId, p.userId, socket));
          state.set(socket, s);
          s.cleanup.push(() => state.delete(socket));
          return true;
        } catch (e) {
          // The database is away: "try again later" (1013), which clients retry, not "forbidden" (4403), which they do not.
          if (isDatabaseUnavailable(e)) ctx.extra.socket.close(1013, 'Try again later: the database is unavailable');
          return false;
        }
      },
      onClose: (ctx) => {
        const s = state.get(ctx.extra.socket);
        s?.cleanup.forEach((c) => c());
        s?.turns.forEach((release) => release());
      },
      // The HTTP rules over WebSocket too: tokens while parsing, depth/aliases/directives and (in
      // production) no introspection while validating, then the cost; and a bound on live operations.
      onSubscribe: async (ctx, id, payload) => {
        const s = state.get(ctx.extra.socket);
        const key = s?.principal && principalKey(s.principal);
        let taken = s ? s.budget.take() : { ok: true as const };
        if (taken.ok && key) taken = await opts.perPrincipal.take(key);
        if (!taken.ok) {
          // Reading stops until the budget refills: a client that keeps pushing costs nothing meanwhile.
          const socket = ctx.extra.socket;
          if (s && !s.paused) {
            s.paused = true;
            socket.pause();
            setTimeout(() => ((s.paused = false), socket.resume()), taken.retryAfterSeconds * 1000).unref();
          }
          return [
            new GraphQLError('too many operations; retry later', {
              extensions: { code: 'RATE_LIMITED', retryAfterSeconds: taken.retryAfterSeconds },
            }),
          ];
        }
        const ops = s?.operations;
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
        const { cost, error } = checkCost(
          opts.schema,
          document,
          payload.variables ?? undefined,
          payload.operationName ?? undefined,
          opts.limits,
        );
        if (error) return [error];
        ops?.add(id);
        if (getOperationAST(document, payload.operationName)?.operation !== 'subscription') {
          try {
            const release = await opts.gate.enter(cost);
            if (release && s && ctx.extra.socket.readyState === ctx.extra.socket.OPEN) s.turns.set(id, release);
            else release?.();
          } catch (e) {
            ops?.delete(id);
            return [e instanceof DomainError ? toGraphQLError(e) : new GraphQLError('the server is busy; retry later')];
          }
        }
        return { schema: opts.schema, document, variableValues: payload.variables, operationName: payload.operationName };
      },
      onComplete: (ctx, id) => endOperation(ctx.extra.socket, id),
      context: (ctx, id) => {
        const principal = state.get(ctx.extra.socket)?.principal ?? { kind: 'anonymous' };
        const requestId = crypto.randomUUID();
        return services.context(principal, log.child({ reqId: requestId, wsOperation: id }), requestId);
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((e) => opts.formatError(e as GraphQLFormattedError, e)) } : undefined,
      // An operation that ends in an error is over too (graphql-ws calls onComplete only on completion).
      onError: (ctx, id, _payload, errors) => {
        endOperation(ctx.extra.socket, id);
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

/** Closes the live sockets whose token was revoked or whose user was deactivated or deleted. */
async function recheck(services: Services, live: Map<{ close(code: number, reason: string): void }, SocketState>) {
  const sockets: { socket: { close(code: number, reason: string): void }; p: AppPrincipal | UserPrincipal }[] = [];
  for (const [socket, s] of live) if (s.principal?.kind === 'app' || s.principal?.kind === 'user') sockets.push({ socket, p: s.principal });
  const revoked = new Set(await services.tokens.revokedAmong([...new Set(sockets.map(({ p }) => p.tokenId))]));
  const userIds = [...new Set(sockets.flatMap(({ p }) => (p.kind === 'user' ? [p.userId] : [])))];
  const users = await services.users.findManyByIds(userIds);
  const active = new Set(users.flatMap((u) => (u?.activated ? [u.id] : [])));
  for (const { socket, p } of sockets) {
    if (revoked.has(p.tokenId)) socket.close(4403, 'Forbidden: token revoked');
    else if (p.kind === 'user' && !active.has(p.userId)) socket.close(4403, 'Forbidden');
  }
}
