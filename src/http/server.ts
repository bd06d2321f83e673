import crypto from 'node:crypto';
import cors from '@fastify/cors';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { installDrainHooks, type Drain } from './drain';
import { createHttpErrorHandler, notFoundHandler } from './errors';
import { upgradeRoutes } from './upgrades';

export interface BaseServerOptions {
  bodyLimitBytes: number;
  trustProxy: boolean;
  retryAfterSeconds: number;
  /** Shared by every port: once on, every request is answered 503 + `Connection: close`. */
  drain: Drain;
  /** false when the one plugin mounted at the root answers unknown routes in its own dialect. */
  notFound?: boolean;
  /** Origins whose browser pages may call this port (`*` = any); none: no CORS headers, no preflight route. */
  corsOrigins: string[];
}

type ErrorResponder = (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => void;

declare module 'fastify' {
  interface FastifyInstance {
    /** Answers errors Fastify raises before routing (a path parameter too long…) under `prefix` in a dialect's shape. */
    answerFrameworkErrors(prefix: string, respond: ErrorResponder): void;
  }
}

/** A Fastify instance with what every port shares: request ids, body limit, JSON only, error shapes. */
export function createBaseServer(log: Logger, opts: BaseServerOptions): FastifyInstance {
  const generic = createHttpErrorHandler(opts.bodyLimitBytes, opts.retryAfterSeconds);
  const byPrefix: { prefix: string; respond: ErrorResponder }[] = [];
  const fastify: FastifyInstance = Fastify({
    // Path parameters are bounded by each route's schema; this only stops the absurd before routing.
    // `/users/a/contacts/users/` is the route without its trailing slash, as the vendors' servers treat it.
    routerOptions: { maxParamLength: 1_024, ignoreTrailingSlash: true },
    frameworkErrors: (err, request, reply) => {
      const scoped = byPrefix.find((s) => request.url === s.prefix || request.url.startsWith(`${s.prefix}/`));
      (scoped?.respond ?? generic)(err as FastifyError, request, reply);
    },
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: opts.bodyLimitBytes,
    trustProxy: opts.trustProxy,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    // Idle keep-alive sockets are closed by server.close() itself (Node ≥ 19), after the drain
    // (./drain.ts) has answered every request with `Connection: close`; the drain hook, not
    // Fastify's bare 503, answers requests that still arrive while closing.
    forceCloseConnections: 'idle',
    return503OnClosing: false,
  });
  fastify.decorate('answerFrameworkErrors', (prefix: string, respond: ErrorResponder) => {
    byPrefix.push({ prefix, respond });
    byPrefix.sort((a, b) => b.prefix.length - a.prefix.length);
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  installDrainHooks(fastify, opts.drain);
  // WebSocket upgrades by path (GraphQL's, an adapter's), refused while draining.
  upgradeRoutes(fastify.server, opts.drain);
  if (opts.corsOrigins.length) {
    // Bearer tokens, never cookies: no credentials, so even `*` hands a page no ambient authority.
    void fastify.register(cors, {
      origin: opts.corsOrigins.includes('*') ? '*' : opts.corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      exposedHeaders: ['Retry-After', 'X-Request-Id'],
      maxAge: 600,
      credentials: false,
    });
  }
  // JSON only by default (415 otherwise); adapters that speak forms register their own parser.
  fastify.removeContentTypeParser('text/plain');
  fastify.setErrorHandler(generic);
  if (opts.notFound !== false) fastify.setNotFoundHandler(notFoundHandler);
  return fastify;
}

/** Listens and returns the base URL (a wildcard host is reported as loopback). */
export async function listen(fastify: FastifyInstance, host: string, port: number): Promise<string> {
  await fastify.listen({ host, port });
  const addr = fastify.server.address();
  const bound = typeof addr === 'object' && addr ? addr.port : port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${bound}`;
}
