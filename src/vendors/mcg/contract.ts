import { z } from 'zod';
import { boundedJsonObject } from '../kit/validation';
import type { RouteSpec } from '../kit/router';
import type { McgAccess, McgCall } from './dialect';

/** MCG endpoints (shared/seeds/001): the provider token grant and RFC 7662 introspection. */
const spec = <B = unknown, P = unknown>(s: RouteSpec<McgAccess, B, unknown, P, McgCall>) => s;
const int64 = z.union([
  z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number),
]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const formText = (max: number) => z.string().max(max);

export const contract = {
  token: spec({
    method: 'POST',
    path: '/mcg/v1/token',
    access: 'client',
    body: z.object({
      grant_type: formText(64),
      scope: formText(256).optional(),
      client_id: formText(256).optional(),
      client_secret: formText(256).optional(),
    }),
  }),
  dispatch: spec({
    method: 'POST',
    path: '/Services',
    access: 'provider',
    body: z.object({
      provider_id: int64,
      service_token: z.string().regex(UUID, 'service_token must be a UUID'),
      service_id: int64,
      parameters: boundedJsonObject(4, 96 * 1024),
    }),
  }),
  delivery: spec({ method: 'GET', path: '/Services/:id', access: 'provider', params: z.object({ id: z.string().max(64) }) }),
  tokeninfo: spec({
    method: 'POST',
    path: '/mcg/v1/tokeninfo',
    access: 'introspector',
    body: z.object({
      token: z.string().min(1, 'token is required'),
      token_type_hint: formText(64).optional(),
      client_id: formText(256).optional(),
      client_secret: formText(256).optional(),
    }),
  }),
};
