import { contract } from '../contract';
import type { McgRoutes } from '../dialect';
import { invalidClient, mcgError } from '../errors';

/** The provider token grant (client_credentials) and RFC 7662 introspection. */
export function registerOAuthRoutes({ route, services }: McgRoutes, ttlSeconds: number) {
  const { providerTokens } = services;

  route(contract.token, async (call, { body }) => {
    if (body.grant_type !== 'client_credentials') throw mcgError(400, 'unsupported_grant_type', 'only client_credentials is supported');
    if (!call.app || !call.caller) throw invalidClient();
    const t = await providerTokens.issueProviderToken(call.ctx, ttlSeconds, 'mcg');
    return { body: { access_token: t.accessToken, token_type: 'Bearer', expires_in: t.expiresIn, scope: t.scope } };
  });

  // `token_type_hint` is only a hint: every kind of token is looked up whatever it says.
  route(contract.tokeninfo, async (call, { body }) => {
    if (!call.caller) throw invalidClient();
    return { body: await providerTokens.introspect(call.caller.appId, call.caller.clientId, body.token) };
  });
}
