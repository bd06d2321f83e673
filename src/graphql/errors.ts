import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Log as Logger } from '../domain/context';
import { isDomainError, type DomainError } from '../domain/errors';

/** HTTP status used when a domain error escapes before execution (context building). */
const HTTP_STATUS: Record<DomainError['code'], number> = {
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
};

export function domainExtensions(e: DomainError): Record<string, unknown> {
  const ext: Record<string, unknown> = { code: e.code };
  if (e.details.field) ext.field = e.details.field;
  if (e.details.reason) ext.reason = e.details.reason;
  if (e.details.retryAfterSeconds !== undefined) ext.retryAfterSeconds = e.details.retryAfterSeconds;
  return ext;
}

/** For errors thrown outside execution (context function): carries the HTTP status too. */
export function toGraphQLError(e: DomainError): GraphQLError {
  return new GraphQLError(e.message, { extensions: { ...domainExtensions(e), http: { status: HTTP_STATUS[e.code] } } });
}

/**
 * One formatter for HTTP and WebSocket: domain errors keep their message and code, GraphQL's own
 * validation errors pass through, anything else is logged and masked (no internals, no stack).
 */
export function createErrorFormatter(log: Logger, opts: { exposeInternals: boolean }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (isDomainError(original)) {
      return { message: original.message, locations: formatted.locations, path: formatted.path, extensions: domainExtensions(original) };
    }
    const code = formatted.extensions?.code;
    if (code && code !== 'INTERNAL_SERVER_ERROR') {
      const { stacktrace: _s, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    // A GraphQLError raised by graphql-js itself (e.g. coercion of a scalar) without code.
    if (original instanceof GraphQLError && !original.originalError) {
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code: 'BAD_USER_INPUT' } };
    }
    log.error({ err: original, path: formatted.path }, 'unexpected error in GraphQL execution');
    return {
      message: opts.exposeInternals ? formatted.message : 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
