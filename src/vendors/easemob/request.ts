import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppRecord } from '../../apps/service';
import type { RequestContext } from '../../domain/context';
import { isDomainError } from '../../domain/errors';
import type { RateLimiter } from '../../http/rate-limit';
import type { Services } from '../../services';
import { applicationUuid } from './entity';
import { EasemobError, fromDomainError, notFoundError } from './errors';

/**
 * Who may call a route: an app token (the document's "administrator"); anyone where the app allows
 * open registration; anyone at all (the token grant, which checks credentials itself).
 */
export type Access = 'admin' | 'open-registration' | 'none';

/** One Easemob request after its app, its rate limit and its caller have been established. */
export interface EasemobCall {
  app: AppRecord;
  ctx: RequestContext;
  /** The app's UUID in responses (`application`). */
  application: string;
  /** `http(s)://host[/easemob]/{org}/{app}`: what `uri` fields start with. */
  base: string;
  /** The request path after `/{org}/{app}` (no query). */
  path: string;
  started: number;
  query: Record<string, string>;
}

type Params = { org_name: string; app_name: string };

export interface EasemobKit {
  /** Wraps a route: resolves the call, runs the handler, answers in the Easemob dialect either way. */
  route<P>(
    access: Access,
    handler: (call: EasemobCall, req: FastifyRequest<{ Params: P & Params }>) => Promise<object>,
  ): (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** The envelope most responses share. */
  envelope(call: EasemobCall, action: string, fields: Envelope): Record<string, unknown>;
  sendError(reply: FastifyReply, e: unknown, started: number): void;
}

export interface Envelope {
  path?: string;
  uri?: string;
  entities?: unknown[];
  data?: unknown;
  count?: number;
  cursor?: string;
  params?: Record<string, string[]>;
}

export function createEasemobKit(services: Services, limiter: RateLimiter, prefix: string): EasemobKit {
  async function resolve(req: FastifyRequest, access: Access, started: number): Promise<EasemobCall> {
    const { org_name: org, app_name: name } = req.params as Params;
    const app = await services.apps.findByEasemobPath(org, name);
    if (!app) throw notFoundError();
    const limited = limiter.take(`easemob:${app.id}`);
    if (!limited.ok) throw new EasemobError(429, 'reach_limit', 'This request has reached api limit', undefined, limited.retryAfterSeconds);
    const application = applicationUuid(app.id);
    const ctx = services.context({ kind: 'anonymous' }, req.log, req.id);
    const path = req.url.split('?')[0]!.slice(`${prefix}/${org}/${name}`.length) || '/';
    const denied = () =>
      new EasemobError(
        401,
        'unauthorized',
        `Subject does not have permission [applications:${req.method.toLowerCase()}:${application}:${path}]`,
      );
    const header = access === 'none' ? undefined : req.headers.authorization;
    if (header) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m) throw new EasemobError(401, 'auth_bad_access_token', 'Unable to authenticate due to corrupt access token');
      try {
        ctx.principal = await services.tokens.authenticate(ctx, m[1]!);
      } catch (e) {
        if (isDomainError(e) && e.code === 'UNAUTHENTICATED') {
          throw new EasemobError(401, 'auth_bad_access_token', 'Unable to authenticate due to corrupt access token');
        }
        throw e;
      }
      // An app token of another app, a user token or the operator token is no administrator here.
      if (ctx.principal.kind !== 'app' || ctx.principal.appId !== app.id) throw denied();
    } else if (access === 'admin' || (access === 'open-registration' && !app.openRegistration)) {
      throw denied();
    }
    const host = req.headers.host ?? `${req.hostname}`;
    return {
      app,
      ctx,
      application,
      base: `${req.protocol}://${host}${prefix}/${org}/${name}`,
      path,
      started,
      query: req.query as Record<string, string>,
    };
  }

  function sendError(reply: FastifyReply, e: unknown, started: number) {
    let err: EasemobError;
    if (e instanceof EasemobError) err = e;
    else if (isDomainError(e)) err = fromDomainError(e);
    else {
      reply.request.log.error({ err: e }, 'easemob request failed');
      err = new EasemobError(500, 'internal_server_error', 'Internal server error');
    }
    if (err.retryAfterSeconds) void reply.header('retry-after', String(err.retryAfterSeconds));
    void reply.status(err.status).send({
      error: err.error,
      timestamp: Date.now(),
      duration: Date.now() - started,
      exception: err.exception,
      error_description: err.message,
    });
  }

  return {
    route: (access, handler) => async (req, reply) => {
      const started = Date.now();
      try {
        const call = await resolve(req, access, started);
        void reply.send(await handler(call, req as never));
      } catch (e) {
        sendError(reply, e, started);
      }
    },
    envelope(call, action, f) {
      const path = f.path ?? '/users';
      return {
        action,
        application: call.application,
        ...(f.params ? { params: f.params } : {}),
        path,
        uri: f.uri ?? `${call.base}${path}`,
        entities: f.entities ?? [],
        ...(f.data !== undefined ? { data: f.data } : {}),
        timestamp: Date.now(),
        duration: Date.now() - call.started,
        organization: call.app.easemob.orgName,
        applicationName: call.app.easemob.appName,
        ...(f.count !== undefined ? { count: f.count } : {}),
        ...(f.cursor ? { cursor: f.cursor } : {}),
      };
    },
    sendError,
  };
}

/** Query parameters echoed the Usergrid way: every value as an array of strings. */
export function echoParams(query: Record<string, string>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : [String(v)]]));
}
