import type { DomainError } from '../../domain/errors';
import type { Rendered } from '../kit/dialect';
import { VendorError, type TransportFailure } from '../kit/errors';

/** OAuth-style errors (RFC 6749 section 5.2): `{error, error_description}` with the document's status table. */
export const mcgError = (status: number, error: string, description: string, retryAfterSeconds?: number) =>
  new VendorError(status, error, description, retryAfterSeconds);

export const invalidRequest = (d: string) => mcgError(400, 'invalid_request', d);
export const invalidClient = (d = 'client authentication failed') => mcgError(401, 'invalid_client', d);

export function fromDomain(e: DomainError): VendorError {
  switch (e.code) {
    case 'NOT_FOUND':
      return mcgError(404, 'not_found', e.message);
    case 'CONFLICT':
      return mcgError(409, 'conflict', e.message);
    case 'INVALID_INPUT':
      return invalidRequest(e.message);
    case 'UNAUTHENTICATED':
      return invalidClient(e.message);
    case 'FORBIDDEN':
      return mcgError(403, 'forbidden', e.message);
    case 'RATE_LIMITED':
      return mcgError(429, 'rate_limited', 'too many requests', e.details.retryAfterSeconds ?? 1);
    case 'UNAVAILABLE':
      return mcgError(503, 'temporarily_unavailable', e.message, e.details.retryAfterSeconds ?? 1);
  }
}

export function transport(kind: TransportFailure, message: string): VendorError {
  switch (kind) {
    case 'bad_body':
      return invalidRequest(message);
    case 'body_too_large':
      return mcgError(413, 'invalid_request', 'request body too large');
    case 'unsupported_media_type':
      return mcgError(415, 'invalid_request', message);
    case 'no_route':
      return mcgError(404, 'not_found', 'no such resource');
    case 'internal':
      return mcgError(500, 'server_error', 'internal server error');
  }
}

export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export function renderError(e: VendorError): Rendered {
  const headers: Record<string, string> = { ...NO_STORE };
  if (e.status === 401) headers['www-authenticate'] = 'Basic realm="mcg", Bearer realm="mcg"';
  return { status: e.status, body: { error: String(e.code), error_description: e.message }, headers };
}
