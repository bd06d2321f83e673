import type { FastifyError, FastifyRequest } from 'fastify';
import { databaseUnavailable, isDatabaseUnavailable } from '../../db/errors';
import { isDomainError } from '../../domain/errors';
import type { Dialect, KitCall } from './dialect';
import { VendorError, type ErrorOverrides } from './errors';

/**
 * Errors of any origin in a dialect's terms: its own errors as they are; domain errors (and an
 * unreachable database, as UNAVAILABLE) through the route's overrides, then the dialect's table;
 * Fastify's transport errors as the dialect's transport failures; anything else logged and masked.
 */
export function createErrorMapper<Access extends string, Call extends KitCall, Result>(
  dialect: Dialect<Access, Call, Result>,
  retryAfterSeconds: number,
) {
  return function toVendorError(
    e: unknown,
    req: FastifyRequest,
    overrides?: ErrorOverrides<never, never>,
    input?: unknown,
    call?: Call,
  ): VendorError {
    if (e instanceof VendorError) return e;
    let domain = isDomainError(e) ? e : isDatabaseUnavailable(e) ? databaseUnavailable(retryAfterSeconds) : undefined;
    if (domain) {
      const override = overrides?.[domain.code]?.(domain, input as never, call as never);
      if (override instanceof VendorError) return override;
      if (override) domain = override;
      return dialect.fromDomain(domain);
    }
    const fe = e as FastifyError;
    if (fe?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return dialect.transport('body_too_large', 'request body too large');
    if (fe?.code === 'FST_ERR_MAX_PARAM_LENGTH') return dialect.transport('bad_body', 'a path parameter is too long');
    if (fe?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return dialect.transport('unsupported_media_type', 'unsupported content type');
    if (fe?.statusCode && fe.statusCode < 500) return dialect.transport('bad_body', fe.message);
    req.log.error({ err: e }, 'vendor adapter request failed');
    return dialect.transport('internal', 'Internal server error');
  };
}
