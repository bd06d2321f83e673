import type { Services } from '../app/services';
import type { Log as Logger, RequestContext } from '../domain/context';
import { bearerSecret } from '../tokens/bearer';

/** Builds the RequestContext of one GraphQL request or subscription from its authorization value. */
export async function contextFromAuthorization(
  services: Services,
  authorization: unknown,
  log: Logger,
  requestId: string,
): Promise<RequestContext> {
  const ctx = services.context({ kind: 'anonymous' }, log, requestId);
  const secret = bearerSecret(authorization);
  if (secret) ctx.principal = await services.tokens.authenticate(ctx, secret);
  return ctx;
}
