import type { DomainError } from '../../domain/errors';
import { VendorError, type TransportFailure } from '../kit/errors';
import type { Rendered } from '../kit/dialect';

/** The Java exception class the document shows for each Usergrid `error` name. */
const EXCEPTIONS: Record<string, string> = {
  invalid_grant: 'org.apache.usergrid.rest.exceptions.SecurityException',
  unsupported_grant_type: 'org.apache.usergrid.rest.exceptions.SecurityException',
  duplicate_unique_property_exists: 'org.apache.usergrid.persistence.exceptions.DuplicateUniquePropertyExistsException',
  auth_bad_access_token: 'org.apache.usergrid.rest.exceptions.SecurityException',
  unauthorized: 'org.apache.shiro.authz.UnauthorizedException',
  service_resource_not_found: 'org.apache.usergrid.services.exceptions.ServiceResourceNotFoundException',
  entity_not_found: 'org.apache.usergrid.persistence.exceptions.EntityNotFoundException',
  required_property_not_found: 'org.apache.usergrid.persistence.exceptions.RequiredPropertyNotFoundException',
  illegal_argument: 'java.lang.IllegalArgumentException',
  management: 'org.apache.usergrid.management.exceptions.ManagementException',
  forbidden_op: 'org.apache.usergrid.services.exceptions.ForbiddenServiceOperationException',
  json_parse: 'com.fasterxml.jackson.core.JsonParseException',
  unsupported_service_operation: 'org.apache.usergrid.services.exceptions.UnsupportedServiceOperationException',
  reach_limit: 'com.easemob.platform.exception.EasemobRateLimitException',
  service_unavailable: 'org.apache.usergrid.rest.exceptions.ServiceUnavailableException',
  internal_server_error: 'java.lang.RuntimeException',
};

export const jsonParseError = () => easemobError(400, 'json_parse', 'Unexpected character in the request body: it must be JSON');

export const easemobError = (status: number, error: string, description: string, retryAfterSeconds?: number) =>
  new VendorError(status, error, description, retryAfterSeconds);

export const notFoundError = () => easemobError(404, 'service_resource_not_found', 'Service resource not found');
export const illegalArgument = (description: string) => easemobError(400, 'illegal_argument', description);
export const requiredProperty = (name: string) =>
  easemobError(400, 'required_property_not_found', `Entity user requires a property named ${name}`);

/** The one table: a domain error as the closest error of the document. */
export function fromDomain(e: DomainError): VendorError {
  switch (e.code) {
    case 'NOT_FOUND':
      return notFoundError();
    case 'CONFLICT':
      return easemobError(400, e.details.reason === 'username_taken' ? 'duplicate_unique_property_exists' : 'illegal_argument', e.message);
    case 'INVALID_INPUT':
      return e.details.reason === 'required'
        ? requiredProperty(e.details.field?.split('.').pop() ?? 'unknown')
        : illegalArgument(e.message);
    case 'UNAUTHENTICATED':
      return ['invalid_token', 'token_expired', 'malformed_authorization'].includes(String(e.details.reason))
        ? easemobError(401, 'auth_bad_access_token', 'Unable to authenticate due to corrupt access token')
        : easemobError(401, 'unauthorized', e.message);
    case 'FORBIDDEN':
      return easemobError(403, 'forbidden_op', e.message);
    case 'RATE_LIMITED':
      return easemobError(429, 'reach_limit', 'This request has reached api limit', e.details.retryAfterSeconds ?? 1);
    case 'UNAVAILABLE':
      return easemobError(503, 'service_unavailable', e.message, e.details.retryAfterSeconds ?? 1);
  }
}

export function transport(kind: TransportFailure, message: string): VendorError {
  switch (kind) {
    case 'bad_body':
      return illegalArgument(message);
    case 'body_too_large':
      return easemobError(413, 'illegal_argument', 'request body too large');
    case 'unsupported_media_type':
      return easemobError(415, 'illegal_argument', message);
    case 'no_route':
      return notFoundError();
    case 'internal':
      return easemobError(500, 'internal_server_error', 'Internal server error');
  }
}

/** The document's error body: exactly these five fields. */
export function renderError(e: VendorError, started: number): Rendered {
  const error = String(e.code);
  const now = Date.now();
  return {
    status: e.status,
    body: {
      error,
      timestamp: now,
      duration: now - started,
      exception: EXCEPTIONS[error] ?? 'org.apache.usergrid.rest.exceptions.RuntimeException',
      error_description: e.message,
    },
  };
}
