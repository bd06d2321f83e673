import type { Log as Logger } from '../domain/context';
import type { Principal, RequestContext } from '../domain/context';
import { unauthenticated } from '../domain/errors';
import type { Services } from '../services';

/** Extracts the secret of `Bearer <secret>`; undefined when absent, an error when malformed. */
export function bearerSecret(header: unknown): string | undefined {
  if (header === undefined || header === null || header === '') return undefined;
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!m) throw unauthenticated('authorization must be "Bearer <token>"');
  return m[1];
}

/** Builds the RequestContext of one GraphQL request or subscription from its authorization value. */
export async function contextFromAuthorization(
  services: Services,
  authorization: unknown,
  log: Logger,
  requestId: string,
): Promise<RequestContext> {
  const ctx = services.context({ kind: 'anonymous' }, log, requestId);
  const secret = bearerSecret(authorization);
  if (secret) {
    const principal: Principal = await services.tokens.authenticate(ctx, secret);
    ctx.principal = principal;
  }
  return ctx;
}
