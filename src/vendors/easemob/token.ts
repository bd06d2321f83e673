import type { FastifyInstance } from 'fastify';
import { isDomainError } from '../../domain/errors';
import type { Services } from '../../services';
import { userEntity } from './entity';
import { EasemobError } from './errors';
import type { EasemobKit } from './request';

const invalidGrant = (description: string) => new EasemobError(400, 'invalid_grant', description);

/** POST /{org}/{app}/token: client_credentials → app token; password → user token. */
export function registerTokenRoute(fastify: FastifyInstance, services: Services, kit: EasemobKit) {
  fastify.post(
    '/:org_name/:app_name/token',
    kit.route('none', async (call, req) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const ttl = body.ttl === undefined || body.ttl === null || body.ttl === '' ? undefined : Number(body.ttl);
      if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1))
        throw new EasemobError(400, 'illegal_argument', 'ttl must be a positive number of seconds');
      try {
        if (body.grant_type === 'client_credentials') {
          if (typeof body.client_id !== 'string' || typeof body.client_secret !== 'string')
            throw invalidGrant('client_id and client_secret are required');
          const issued = await services.tokens.issueAppToken({
            clientId: body.client_id,
            clientSecret: body.client_secret,
            expiresIn: ttl,
          });
          if (issued.app.id !== call.app.id) throw invalidGrant('client_id does not match');
          return { access_token: issued.accessToken, expires_in: issued.expiresIn, application: call.application };
        }
        if (body.grant_type === 'password') {
          if (typeof body.username !== 'string' || typeof body.password !== 'string')
            throw invalidGrant('username and password are required');
          const issued = await services.tokens.issueUserToken(call.ctx, {
            appId: call.app.id,
            username: body.username,
            password: body.password,
            expiresIn: ttl,
          });
          return { access_token: issued.accessToken, expires_in: issued.expiresIn, user: userEntity(issued.user!) };
        }
      } catch (e) {
        if (isDomainError(e) && e.code === 'UNAUTHENTICATED') {
          throw invalidGrant(body.grant_type === 'password' ? 'invalid username or password' : 'client_id does not match');
        }
        throw e;
      }
      throw new EasemobError(400, 'unsupported_grant_type', 'grant_type must be client_credentials or password');
    }),
  );
}
