import type { DomainError } from '../../domain/errors';

/**
 * An error in the Easemob (Usergrid) dialect: the HTTP status, the `error` name and the Java
 * `exception` class the document shows for it.
 */
export class EasemobError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    description: string,
    readonly exception = EXCEPTIONS[error] ?? 'org.apache.usergrid.rest.exceptions.RuntimeException',
    readonly retryAfterSeconds?: number,
  ) {
    super(description);
  }
}

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

export const notFoundError = () => new EasemobError(404, 'service_resource_not_found', 'Service resource not found');
export const illegalArgument = (description: string) => new EasemobError(400, 'illegal_argument', description);
export const requiredProperty = (name: string) =>
  new EasemobError(400, 'required_property_not_found', `Entity user requires a property named ${name}`);

/** Maps a domain error to the closest error of the document. */
export function fromDomainError(e: DomainError): EasemobError {
  switch (e.code) {
    case 'NOT_FOUND':
      return notFoundError();
    case 'CONFLICT':
      return e.details.reason === 'username_taken'
        ? new EasemobError(400, 'duplicate_unique_property_exists', e.message)
        : new EasemobError(400, 'illegal_argument', e.message);
    case 'INVALID_INPUT':
      return e.details.reason === 'required'
        ? requiredProperty(e.details.field?.split('.').pop() ?? 'unknown')
        : illegalArgument(e.message);
    case 'UNAUTHENTICATED':
      return new EasemobError(401, 'unauthorized', e.message);
    case 'FORBIDDEN':
      return new EasemobError(403, 'forbidden_op', e.message);
    case 'RATE_LIMITED':
      return new EasemobError(429, 'reach_limit', 'This request has reached api limit', undefined, e.details.retryAfterSeconds);
    case 'UNAVAILABLE':
      return new EasemobError(503, 'service_unavailable', e.message);
  }
}
