import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Dialect, KitCall, Rendered } from './dialect';
import { chargeCredentialFailure, createAdmission } from './admission';
import type { ErrorOverrides, VendorError } from './errors';
import { createErrorMapper } from './failures';
import { validate } from './validation';
import { databaseUnavailable } from '../../db/errors';
import type { KitDeps } from './deps';

/** One endpoint as its vendor document describes it: method, path, who may call, and its input. */
export interface RouteSpec<Access extends string, B = unknown, Q = unknown, P = unknown, C = never> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
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

export type { KitDeps } from './deps';

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

  const toVendorError = createErrorMapper(dialect, deps.retryAfterSeconds);
  const admit = createAdmission(dialect, deps);

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
          send(reply, dialect.renderSuccess(call, await withDeadline(handler(call, input as never), deps)));
        } catch (e) {
          chargeCredentialFailure(deps, req, e, call);
          fail(reply, toVendorError(e, req, spec.errors as ErrorOverrides<never, never>, input, call), started);
        }
        // An async handler must hand the reply back: resolving to undefined while the async onSend
        // hooks still run makes Fastify send a second time (seen under load as 500s in the logs).
        return reply;
      },
    });
  };
}

function send(reply: FastifyReply, r: Rendered) {
  if (r.headers) for (const [k, v] of Object.entries(r.headers)) void reply.header(k, v);
  void reply.status(r.status).send(r.body);
}

/** `work`, or UNAVAILABLE once the request's deadline passes (the work goes on, its failure logged by nobody). */
function withDeadline<T>(work: Promise<T>, deps: KitDeps): Promise<T> {
  if (!deps.deadlineMs) return work;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(databaseUnavailable(deps.retryAfterSeconds)), deps.deadlineMs);
  });
  work.catch(() => undefined);
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
