import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../db/errors';
import { isDomainError } from '../domain/errors';

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/** Readable messages for the transport errors Fastify raises before any handler runs. */
function clientMessage(err: FastifyError, limit: number): string {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'request body is not valid JSON';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `request body exceeds ${limit} bytes`;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported content type; send application/json';
    default:
      return err instanceof SyntaxError ? 'request body is not valid JSON' : err.message;
  }
}

/**
 * Transport-level errors (bad JSON, wrong content type, oversized body, anything unexpected):
 * 4xx with a clear message, 5xx masked and logged. GraphQL paths answer in GraphQL's shape.
 */
export function createHttpErrorHandler(bodyLimit: number, retryAfterSeconds: number) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    // An unreachable database, or a shutdown under way (a domain UNAVAILABLE raised by the drain hook).
    const domainUnavailable = isDomainError(err) && err.code === 'UNAVAILABLE' ? err : undefined;
    const unavailable = isDatabaseUnavailable(err) || domainUnavailable !== undefined;
    const status = unavailable ? 503 : err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) request.log.error({ err }, 'unhandled error');
    if (unavailable) void reply.header('retry-after', String(domainUnavailable?.details.retryAfterSeconds ?? retryAfterSeconds));
    const message = domainUnavailable
      ? domainUnavailable.message
      : unavailable
        ? 'the database is unavailable; retry later'
        : status >= 500
          ? 'Internal server error'
          : clientMessage(err, bodyLimit);
    const code = unavailable ? 'UNAVAILABLE' : (CODES[status] ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST'));
    void reply.status(status).send(sendAsGraphql(request) ? { errors: [{ message, extensions: { code } }] } : { error: code, message });
  };
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  const message = `no route for ${request.method} ${request.url.split('?')[0]}`;
  void reply
    .status(404)
    .send(sendAsGraphql(request) ? { errors: [{ message, extensions: { code: 'NOT_FOUND' } }] } : { error: 'NOT_FOUND', message });
}

const sendAsGraphql = (request: FastifyRequest) => request.url.split('?')[0] === '/graphql';
