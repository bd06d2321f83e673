import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { databaseUnavailable, isDatabaseUnavailable } from '../db/errors';
import type { Log as Logger } from '../domain/context';
import { isDomainError, type DomainError, type DomainErrorCode } from '../domain/errors';

/** The one table of this surface: HTTP status of a domain error that escapes before execution, or ends a request. */
const HTTP_STATUS: Record<DomainErrorCode, number> = {
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
};

/** A domain error, or an unreachable database as UNAVAILABLE; undefined for anything else. */
export function asDomainError(e: unknown, retryAfterSeconds: number): DomainError | undefined {
  if (isDomainError(e)) return e;
  return isDatabaseUnavailable(e) ? databaseUnavailable(retryAfterSeconds) : undefined;
}

export function domainExtensions(e: DomainError): Record<string, unknown> {
  const ext: Record<string, unknown> = { code: e.code };
  if (e.details.field) ext.field = e.details.field;
  if (e.details.reason) ext.reason = e.details.reason;
  if (e.details.retryAfterSeconds !== undefined) ext.retryAfterSeconds = e.details.retryAfterSeconds;
  return ext;
}

/** For errors thrown outside execution (context function): carries the HTTP status (and Retry-After) too. */
export function toGraphQLError(e: DomainError): GraphQLError {
  const http: { status: number; headers?: Map<string, string> } = { status: HTTP_STATUS[e.code] };
  if (e.details.retryAfterSeconds) http.headers = new Map([['retry-after', String(e.details.retryAfterSeconds)]]);
  return new GraphQLError(e.message, { extensions: { ...domainExtensions(e), http } });
}

/**
 * One formatter for HTTP and WebSocket: domain errors keep their message and code, an unreachable
 * database is UNAVAILABLE, GraphQL's own validation errors pass through, anything else is logged
 * and masked (no internals, no stack).
 */
export function createErrorFormatter(log: Logger, opts: { exposeInternals: boolean; retryAfterSeconds: number }) {
  const format = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    // graphql-js stops parsing at the token limit with a syntax error: name the limit instead.
    const tokens = /Document contains more tha[nt] (\d+) tokens/.exec(formatted.message);
    if (tokens)
      return {
        message: `the document has more than ${tokens[1]} tokens`,
        extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'tokens', max: Number(tokens[1]) },
      };
    // A limit rule's refusal, which Apollo files under GRAPHQL_VALIDATION_FAILED (keeping our extensions).
    if (
      formatted.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' &&
      typeof formatted.extensions.max === 'number' &&
      formatted.extensions.limit
    )
      return { ...formatted, extensions: { code: 'QUERY_TOO_COMPLEX', limit: formatted.extensions.limit, max: formatted.extensions.max } };
    const original = unwrapResolverError(error);
    const domain = asDomainError(original, opts.retryAfterSeconds);
    if (domain)
      return { message: domain.message, locations: formatted.locations, path: formatted.path, extensions: domainExtensions(domain) };
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
  // Outside development no "Did you mean …?" reaches a client, over HTTP or WebSocket: suggestions map the schema.
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const out = format(formatted, error);
    return opts.exposeInternals ? out : { ...out, message: out.message.replace(/ ?Did you mean [^?]*\?/g, '').trim() };
  };
}

/**
 * A request that failed because the database is unreachable is answered 503 with Retry-After, like
 * every other surface; one refused by a rate limit or login throttle during execution, 429 with
 * its Retry-After.
 */
export function unavailablePlugin(retryAfterSeconds: number): ApolloServerPlugin {
  // One set of hooks for every request: nothing here is per request.
  const hooks: GraphQLRequestListener<BaseContext> = {
    async didEncounterErrors({ errors, response }) {
      const domain = errors.map((e) => asDomainError(unwrapResolverError(e), retryAfterSeconds));
      const unavailable = domain.find((d) => d?.code === 'UNAVAILABLE');
      const limited = domain.find((d) => d?.code === 'RATE_LIMITED');
      const status = unavailable ? 503 : limited ? 429 : undefined;
      if (!status) return;
      response.http.status = status;
      response.http.headers.set('retry-after', String((unavailable ?? limited)!.details.retryAfterSeconds ?? retryAfterSeconds));
    },
  };
  return { requestDidStart: async () => hooks };
}
