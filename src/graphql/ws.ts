import crypto from 'node:crypto';
import type { Server } from 'node:http';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { Disposable } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Log as Logger } from '../domain/context';
import { WebSocketServer } from 'ws';
import type { Principal } from '../domain/context';
import type { Services } from '../services';
import { contextFromAuthorization } from './auth';
import type { createErrorFormatter } from './errors';

type SocketState = {
  principal?: Principal;
  unregister?: () => void;
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
}): Disposable {
  const { services, log } = opts;
  const wss = new WebSocketServer({ server: opts.server, path: '/graphql' });
  const state = new WeakMap<object, SocketState>();

  return useServer<Record<string, unknown> | undefined>(
    {
      schema: opts.schema,
      onConnect: async (ctx) => {
        try {
          const auth = await contextFromAuthorization(services, ctx.connectionParams?.authorization, log, crypto.randomUUID());
          if (auth.principal.kind === 'anonymous') return false;
          const s: SocketState = { principal: auth.principal };
          if (auth.principal.kind === 'user') {
            s.unregister = services.connections.add(auth.principal.appId, auth.principal.userId, ctx.extra.socket);
          }
          state.set(ctx.extra.socket, s);
          return true;
        } catch {
          return false;
        }
      },
      onClose: (ctx) => state.get(ctx.extra.socket)?.unregister?.(),
      context: (ctx, id) => {
        const principal = state.get(ctx.extra.socket)?.principal ?? { kind: 'anonymous' };
        const requestId = crypto.randomUUID();
        return services.context(principal, log.child({ reqId: requestId, wsOperation: id }), requestId);
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((e) => opts.formatError(e as GraphQLFormattedError, e)) } : undefined,
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => opts.formatError(e as GraphQLFormattedError, e)),
    },
    wss,
  );
}
