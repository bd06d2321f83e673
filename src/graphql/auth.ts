import type { SurfacePort as Services } from '../ports/surface';
import { asPrincipal, type Log as Logger, type RequestContext } from '../domain/context';
import { bearerSecret } from '../tokens/bearer';

/** Builds the RequestContext of one GraphQL request or subscription from its authorization value. */
export async function contextFromAuthorization(
  services: Services,
  authorization: unknown,
  log: Logger,
  requestId: string,
): Promise<RequestContext> {
  const ctx = services.anonymousContext(log, requestId);
  const secret = bearerSecret(authorization);
  return secret ? asPrincipal(ctx, await services.credentials.bearer(ctx, secret)) : ctx;
}
