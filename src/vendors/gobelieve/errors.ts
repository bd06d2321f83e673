import type { DomainError } from '../../domain/errors';
import type { Rendered } from '../kit/dialect';
import { VendorError, type TransportFailure } from '../kit/errors';

/** A GoBelieve failure: `{"meta": {"code", "message"}}`, the code being the HTTP status. */
export const gobelieveError = (status: number, message: string, retryAfterSeconds?: number) =>
  new VendorError(status, status, message, retryAfterSeconds);

export const invalidParam = (message: string) => gobelieveError(400, message);

/** The one table. The document answers every failure but authentication with 400 ("非法参数"). */
export function fromDomain(e: DomainError): VendorError {
  switch (e.code) {
    case 'NOT_FOUND':
    case 'CONFLICT':
    case 'INVALID_INPUT':
    case 'FORBIDDEN':
      return invalidParam(e.message);
    case 'UNAUTHENTICATED':
      return gobelieveError(401, e.message);
    case 'RATE_LIMITED':
      return gobelieveError(429, 'too many requests', e.details.retryAfterSeconds ?? 1);
    case 'UNAVAILABLE':
      return gobelieveError(503, e.message, e.details.retryAfterSeconds ?? 1);
  }
}

export function transport(kind: TransportFailure, message: string): VendorError {
  switch (kind) {
    case 'bad_body':
      return invalidParam(message);
    case 'body_too_large':
      return gobelieveError(413, 'request body too large');
    case 'unsupported_media_type':
      return gobelieveError(415, message);
    case 'no_route':
      return gobelieveError(404, 'not found');
    case 'internal':
      return gobelieveError(500, 'internal server error');
  }
}

export const renderError = (e: VendorError): Rendered => ({ status: e.status, body: { meta: { code: e.code, message: e.message } } });
