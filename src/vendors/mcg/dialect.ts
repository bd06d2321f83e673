import type { FastifyRequest } from 'fastify';
import type { SurfacePort as Services } from '../../ports/surface';
import { matchesDigest } from '../../apps/credentials';
import { bearerSecret } from '../../tokens/bearer';
import { mcgCredentials } from './credentials';
import { basicCredentials } from '../kit/credentials';
import { parseJsonBody } from '../kit/body';
import type { Dialect, KitCall } from '../kit/dialect';
import type { Router } from '../kit/router';
import { fromDomain, invalidClient, invalidRequest, mcgError, NO_STORE, renderError, transport } from './errors';

/** `client`: client credentials (Basic or form body); `introspector`: those or a provider token; `provider`: a provider token. */
export type McgAccess = 'client' | 'introspector' | 'provider';
export type McgCall = KitCall & { caller?: { appId: string; clientId: string } };
export type McgResult = { status?: number; body: unknown; headers?: Record<string, string> };

type Form = Record<string, unknown>;

/** Client credentials of a request: HTTP Basic (URL-decoded, RFC 6749 section 2.3.1) or the form body; never both. */
export function clientCredentials(req: FastifyRequest): { id: string; secret: string } | undefined {
  const basic = basicCredentials(req.headers.authorization, { formEncoded: true });
  const form = (req.body ?? {}) as Form;
  const inBody = typeof form.client_id === 'string' || typeof form.client_secret === 'string';
  if (basic && inBody) throw invalidRequest('use one client authentication method, not two');
  if (basic) return basic;
  if (inBody) {
    if (typeof form.client_id !== 'string' || typeof form.client_secret !== 'string')
      throw invalidClient('client_id and client_secret are both required');
    return { id: form.client_id, secret: form.client_secret };
  }
  return undefined;
}

/** The MCG dialect: OAuth 2.0 token and introspection endpoints (form bodies) and the /Services dispatch. */
export function mcgDialect(services: Services): Dialect<McgAccess, McgCall, McgResult> {
  return {
    async authenticate(req, access, { ctx, started, as }) {
      const auth = req.headers.authorization;
      const bearer = typeof auth === 'string' && /^bearer\s/i.test(auth);
      if (access === 'provider' && !bearer) throw invalidClient('Authorization: Bearer <provider token> is required');
      if (access !== 'client' && bearer) {
        const proven = await services.credentials.clientToken(ctx, bearerSecret(auth) ?? '');
        if (!proven) throw invalidClient('invalid provider token').refusingCredentials();
        return { app: null, ctx: as(proven.principal), started, caller: { appId: proven.app.id, clientId: proven.clientId } };
      }
      const creds = clientCredentials(req);
      if (!creds) throw invalidClient('authenticate with a provider token, HTTP Basic client credentials or client_id and client_secret');
      const proven =
        creds.id.length <= 128
          ? await services.credentials.app(mcgCredentials, { clientId: creds.id }, (s) => matchesDigest(creds.secret, s.clientSecretHash), {
              via: `mcg-client:${creds.id}`,
              clientId: creds.id,
              remember: `${creds.id}:${creds.secret}`,
            })
          : undefined;
      if (!proven) throw invalidClient().refusingCredentials();
      return { app: proven.app, ctx: as(proven.principal), started, caller: { appId: proven.app.id, clientId: creds.id } };
    },
    hasKnownCredentials(req) {
      const auth = req.headers.authorization;
      try {
        const bearer = typeof auth === 'string' && /^bearer\s/i.test(auth) ? (bearerSecret(auth) ?? undefined) : undefined;
        if (bearer) return services.credentials.recentlyProven('client-token', bearer);
        const basic = basicCredentials(auth, { formEncoded: true });
        return !!basic && services.credentials.recentlyProven(mcgCredentials.key, `${basic.id}:${basic.secret}`);
      } catch {
        return false; // unreadable credentials are nobody's: the gate applies
      }
    },
    // Form bodies (RFC 6749 / 7662); JSON for /Services. A repeated form parameter is refused (RFC 6749 section 3.2).
    parseBody(raw, contentType) {
      const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
      if (type === 'application/x-www-form-urlencoded') {
        const params = new URLSearchParams(raw);
        const out: Form = {};
        for (const [k, v] of params) {
          if (k in out) throw invalidRequest(`parameter ${k} is repeated`);
          out[k] = v;
        }
        return out;
      }
      if (type === 'application/json' || type === '') return parseJsonBody(raw, () => invalidRequest('the body must be JSON'));
      throw mcgError(415, 'invalid_request', 'use application/x-www-form-urlencoded or application/json');
    },
    fromDomain,
    transport,
    renderError,
    renderSuccess: (_call, r) => ({ status: r.status ?? 200, body: r.body, headers: { ...NO_STORE, ...r.headers } }),
  };
}

export interface McgRoutes {
  route: Router<McgAccess, McgCall, McgResult>;
  services: Services;
}
