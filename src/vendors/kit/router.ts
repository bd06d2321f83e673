import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { isDatabaseUnavailable, databaseUnavailable } from '../../db/errors';
import { DomainError, isDomainError } from '../../domain/errors';
import type { Services } from '../../app/services';
import type { Dialect, KitCall, Rendered } from './dialect';
import { VendorError, type ErrorOverrides } from './errors';
import type { AdapterLimits } from './limits';
import { validate } from './validation';

/** One endpoint as its vendor document describes it: method, path, who may call, and its input. */
export interface RouteSpec<Access extends string, B = unknown, Q = unknown, P = unknown, C = never> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  access: Access;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  errors?: ErrorOverrides<RouteInput<B, Q, P>, C>;
}

export interface RouteInput<B, Q, P> {
  body: B;
  query: Q;
  params: P;
}

export interface KitDeps {
  services: Services;
  limits: AdapterLimits;
  /** Retry-After of answers given while the database is unreachable. */
  retryAfterSeconds: number;
}

export type Router<Access extends string, Call extends KitCall, Result> = <B, Q, P>(
  spec: RouteSpec<Access, B, Q, P, Call>,
  handler: (call: Call, input: RouteInput<B, Q, P>) => Promise<Result>,
) => void;

/**
 * Mounts a dialect on a Fastify scope: its body parser, its not-found and transport errors, and a
 * `route` function. Each route then runs: anonymous gate → authentication → rate limit by
 * principal → schema validation → handler → the dialect's success or error shape.
 */
export function mountDialect<Access extends string, Call extends KitCall, Result>(
  fastify: FastifyInstance,
  dialect: Dialect<Access, Call, Result>,
  deps: KitDeps,
): Router<Access, Call, Result> {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'string' }, (req, raw, done) => {
    try {
      done(null, dialect.parseBody(String(raw), req.headers['content-type']));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  fastify.setErrorHandler((err: FastifyError, req, reply) => {
    fail(reply, toVendorError(err, req), Date.now());
  });
  fastify.setNotFoundHandler((_req, reply) => fail(reply, dialect.transport('no_route', 'Service resource not found'), Date.now()));
  fastify.answerFrameworkErrors(fastify.prefix, (err, req, reply) => fail(reply, toVendorError(err, req), Date.now()));

  function fail(reply: FastifyReply, e: VendorError, started: number) {
    const r = dialect.renderError(e, started);
    if (e.retryAfterSeconds) r.headers = { ...r.headers, 'retry-after': String(e.retryAfterSeconds) };
    send(reply, r);
  }

  /** Errors of any origin, in the dialect's terms; unexpected ones are logged and masked. */
  function toVendorError(
    e: unknown,
    req: FastifyRequest,
    overrides?: ErrorOverrides<never, never>,
    input?: unknown,
    call?: Call,
  ): VendorError {
    if (e instanceof VendorError) return e;
    let domain = isDomainError(e) ? e : isDatabaseUnavailable(e) ? databaseUnavailable(deps.retryAfterSeconds) : undefined;
    if (domain) {
      const override = overrides?.[domain.code]?.(domain, input as never, call as never);
      if (override instanceof VendorError) return override;
      if (override) domain = override;
      return dialect.fromDomain(domain);
    }
    const fe = e as FastifyError;
    if (fe?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return dialect.transport('body_too_large', 'request body too large');
    if (fe?.code === 'FST_ERR_MAX_PARAM_LENGTH') return dialect.transport('bad_body', 'a path parameter is too long');
    if (fe?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return dialect.transport('unsupported_media_type', 'unsupported content type');
    if (fe?.statusCode && fe.statusCode < 500) return dialect.transport('bad_body', fe.message);
    req.log.error({ err: e }, 'vendor adapter request failed');
    return dialect.transport('internal', 'Internal server error');
  }

  /**
   * Rate limits around authentication. A request without credentials known good in advance pays
   * its address's anonymous budget before any database work (junk is refused cheaply, and never
   * touches an app's budget); once it proves to be an app or user, that is refunded and the app's
   * budget is spent instead.
   */
  async function admit(req: FastifyRequest, access: Access, started: number): Promise<Call> {
    const { anonymous, perApp } = deps.limits;
    const address = `addr:${req.ip}`;
    const prepaid = !dialect.hasKnownCredentials(req);
    if (prepaid) {
      const paid = anonymous.take(address);
      if (!paid.ok) throw rateLimited(paid);
    }
    const ctx = deps.services.context({ kind: 'anonymous' }, req.log, req.id);
    const call = await dialect.authenticate(req, access, { ctx, started });
    const p = call.ctx.principal;
    if (p.kind === 'app' || p.kind === 'user') {
      if (prepaid) anonymous.refund(address);
      const taken = perApp.take(p.appId);
      if (!taken.ok) throw rateLimited(taken);
    } else if (!prepaid) {
      // Known credentials the route does not use (a token grant, say) buy nothing: anonymous pays.
      const paid = anonymous.take(address);
      if (!paid.ok) throw rateLimited(paid);
    }
    return call;
  }

  return (spec, handler) => {
    fastify.route({
      method: spec.method,
      url: spec.path,
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const started = Date.now();
        let input: RouteInput<unknown, unknown, unknown> | undefined;
        let call: Call | undefined;
        try {
          call = await admit(req, spec.access, started);
          input = {
            body: spec.body ? validate(spec.body, req.body, 'body') : req.body,
            query: spec.query ? validate(spec.query, req.query, 'query') : req.query,
            params: spec.params ? validate(spec.params, req.params, 'params') : req.params,
          };
          send(reply, dialect.renderSuccess(call, await handler(call, input as never)));
        } catch (e) {
          fail(reply, toVendorError(e, req, spec.errors as ErrorOverrides<never, never>, input, call), started);
        }
      },
    });
  };
}

function rateLimited(refused: { retryAfterSeconds: number }): DomainError {
  return new DomainError('RATE_LIMITED', 'too many requests', { retryAfterSeconds: refused.retryAfterSeconds });
}

function send(reply: FastifyReply, r: Rendered) {
  if (r.headers) for (const [k, v] of Object.entries(r.headers)) void reply.header(k, v);
  void reply.status(r.status).send(r.body);
}
