import type { FastifyInstance, FastifyRequest } from 'fastify';
import { metricsOn, recordRequest } from './metrics';
import { noteError } from './recent-errors';
import { contextFromHeaders, failSpan, runIn, SpanKind, startSpan, tracingOn, withSpan, type Context, type Span } from './tracing';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's server span and the context it is active in (tracing on). */
    trace?: { span: Span; ctx: Context };
  }
  interface FastifyContextConfig {
    /** The surface a route belongs to when it is not its mount's (a web page served by an adapter: `web`). */
    surface?: string;
  }
}

/** GraphQL over HTTP is recorded by operation name (./graphql.ts), not by route. */
const GRAPHQL_ROUTE = '/graphql';

const routeOf = (request: FastifyRequest) => request.routeOptions.url ?? 'unmatched';

/**
 * RED metrics and a server span for every request of a port. `surfaceOf` names the surface of a
 * route template (an adapter's id by its prefix, `system` for health); a route's own
 * `config.surface` wins. Labels are route templates, never raw paths.
 */
export function observeHttp(fastify: FastifyInstance, surfaceOf: (route: string) => string): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (!tracingOn()) return done();
    const parent = contextFromHeaders(request.headers);
    const route = routeOf(request);
    const span = startSpan(
      `${request.method} ${route}`,
      SpanKind.SERVER,
      { 'http.request.method': request.method, 'http.route': route },
      parent,
    );
    if (!span) return done();
    request.trace = { span, ctx: withSpan(span, parent) };
    runIn(request.trace.ctx, done);
  });
  // The body is parsed between onRequest and here, outside any context: the handler runs in it again.
  fastify.addHook('preHandler', (request, _reply, done) => (request.trace ? runIn(request.trace.ctx, done) : done()));
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = routeOf(request);
    const status = reply.statusCode;
    if (metricsOn() && route !== GRAPHQL_ROUTE) {
      const surface = request.routeOptions.config?.surface ?? surfaceOf(route);
      const operation = `${request.method} ${route}`;
      recordRequest(surface, operation, String(status), reply.elapsedTime / 1000);
      if (status >= 400) noteError({ surface, operation, code: String(status), message: `HTTP ${status}` });
    }
    const span = request.trace?.span;
    if (span) {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) failSpan(span, `HTTP ${status}`);
      span.end();
    }
    done();
  });
}
