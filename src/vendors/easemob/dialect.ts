import type { FastifyRequest } from 'fastify';
import type { SurfacePort as Services } from '../../ports/surface';
import { bearerSecret } from '../../tokens/bearer';
import { parseJsonBody } from '../kit/body';
import type { Dialect } from '../kit/dialect';
import type { Router } from '../kit/router';
import { usernameKey } from '../../users/rules';
import type { EasemobCredentials } from './credentials';
import { applicationUuid } from './entity';
import { easemobError, fromDomain, jsonParseError, notFoundError, renderError, transport } from './errors';

const corruptToken = () => easemobError(401, 'auth_bad_access_token', 'Unable to authenticate due to corrupt access token');
import { renderSuccess, type EasemobCall, type EasemobResult } from './envelope';

/**
 * Who may call a route: an app token (the document's "administrator"); an app token or the token of
 * the user the path names (`{username}` / `{owner_username}`: what the client SDKs call with); an
 * app token or any user token of the app, the domain's roles deciding what that user may do (a
 * group's owner, admins, members: the SDKs' group calls); anyone where the app allows open
 * registration; anyone at all (the token grant, which checks credentials itself); the holder of a
 * signed history-export link (`Expires` and `Signature` in the query), for that download; a chat
 * file's download: a token as for `member` when one is given, else anyone (the files service then
 * asks for the file's share secret).
 */
export type EasemobAccess = 'app' | 'self' | 'member' | 'open-registration' | 'signed-link' | 'file' | 'none';

type AppParams = { org_name?: string; app_name?: string; username?: string; owner_username?: string };

/** The Usergrid dialect of the Easemob / Agora Chat Platform API, mounted at `prefix`. */
export function easemobDialect(
  services: Services,
  prefix: string,
  kind: EasemobCredentials,
): Dialect<EasemobAccess, EasemobCall, EasemobResult> {
  return {
    async authenticate(req, access, { ctx: anonymous, started, as }) {
      const params = req.params as AppParams;
      const { org_name: org = '', app_name: name = '' } = params;
      // Org and app names ignore case; longer ones name no app.
      const app =
        org.length <= 64 && name.length <= 64
          ? await services.credentials.appNamed(kind, { orgName: org.toLowerCase(), appName: name.toLowerCase() })
          : undefined;
      if (!app) throw notFoundError();
      const application = applicationUuid(app.id);
      const path = req.url.split('?')[0]!.slice(`${prefix}/${org}/${name}`.length) || '/';
      // An app token of another app, a user token or the operator token is no administrator here.
      const denied = () =>
        easemobError(
          401,
          'unauthorized',
          `Subject does not have permission [applications:${req.method.toLowerCase()}:${application}:${path}]`,
        );
      const secret = access === 'none' || access === 'signed-link' ? undefined : bearerSecret(req.headers.authorization);
      let ctx = anonymous;
      if (access === 'signed-link') {
        const q = req.query as { Expires?: string; Signature?: string };
        const hour = (req.params as { time?: string }).time ?? '';
        const proven = services.credentials.exportLink(app, hour, Number(q.Expires), String(q.Signature ?? '').slice(0, 128));
        if (!proven)
          throw easemobError(403, 'forbidden_op', 'the download link is not valid or has expired: ask for a new one').refusingCredentials();
        ctx = as(proven.principal);
      } else if (secret) {
        const p = await services.credentials.bearer(anonymous, secret);
        // Another app's valid token answers exactly like a corrupt one: the name must not tell it is
        // valid elsewhere. Only app and user tokens mean anything here (a customer's never does).
        if ((p.kind !== 'app' && p.kind !== 'user') || p.appId !== app.id) throw corruptToken();
        ctx = as(p);
        if (p.kind === 'user') {
          // A user acts on its own resources (on member routes, as the domain's roles allow);
          // anyone else's answer as the administrator's routes do.
          const named = params.username ?? params.owner_username;
          const me = access === 'self' && named !== undefined ? await ctx.loaders.userById.load(p.userId) : null;
          if (access !== 'member' && access !== 'file' && (!me || usernameKey(me.username) !== usernameKey(named!))) throw denied();
        }
      } else if (access === 'app' || access === 'member' || (access === 'open-registration' && !app.openRegistration)) {
        // Anonymous callers learn neither the app's uuid nor the path's permission name.
        throw easemobError(401, 'unauthorized', 'Subject does not have permission');
      }
      const host = req.headers.host ?? req.hostname;
      return {
        app,
        ctx,
        started,
        application,
        base: `${req.protocol}://${host}${prefix}/${org}/${name}`,
        path,
        rawQuery: req.query as Record<string, unknown>,
        headers: req.headers,
      };
    },
    hasKnownCredentials: (req: FastifyRequest) => services.credentials.isKnownBearer(req.headers.authorization),
    // The document's curl examples send JSON without a JSON content type, and POSTs such as
    // /deactivate with a JSON content type and no body: every body is read as JSON, empty is none.
    parseBody: (raw) => parseJsonBody(raw, jsonParseError),
    fromDomain,
    transport,
    renderError,
    renderSuccess,
  };
}

/** What each route file receives: the dialect's route function and the domain services. */
export interface EasemobRoutes {
  route: Router<EasemobAccess, EasemobCall, EasemobResult>;
  services: Services;
}
