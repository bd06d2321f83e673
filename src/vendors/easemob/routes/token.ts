import { unauthenticated } from '../../../domain/errors';
import { contract } from '../contract';
import { easemobError } from '../errors';
import { userEntity } from '../entity';
import { plain } from '../envelope';
import type { EasemobRoutes } from '../dialect';

const invalidGrant = (description: string) => easemobError(400, 'invalid_grant', description);

/** POST /{org}/{app}/token: client_credentials → app token; password → user token. */
export function registerTokenRoute({ route, services }: EasemobRoutes) {
  route(
    {
      ...contract.token,
      errors: {
        UNAUTHENTICATED: (_e, input) =>
          invalidGrant(input?.body.grant_type === 'password' ? 'invalid username or password' : 'client_id does not match'),
        INVALID_INPUT: (e) => {
          const field = e.details.field ?? '';
          if (field === 'ttl') return easemobError(400, 'illegal_argument', 'ttl must be a positive number of seconds');
          if (field === 'body' || field === 'grant_type')
            return easemobError(400, 'unsupported_grant_type', 'grant_type must be client_credentials or password');
          return invalidGrant(`${field} is required`);
        },
      },
    },
    async (call, { body }) => {
      if (body.grant_type === 'client_credentials') {
        const issued = await services.tokens.issueAppToken({
          clientId: body.client_id,
          clientSecret: body.client_secret,
          expiresIn: body.ttl,
          appId: call.app.id,
        });
        return plain({ access_token: issued.accessToken, expires_in: issued.expiresIn, application: call.application });
      }
      const issued = await services.tokens.issueUserToken(call.ctx, {
        appId: call.app.id,
        username: body.username,
        password: body.password,
        expiresIn: body.ttl,
      });
      if (!issued.user) throw unauthenticated();
      return plain({ access_token: issued.accessToken, expires_in: issued.expiresIn, user: userEntity(issued.user) });
    },
  );
}
