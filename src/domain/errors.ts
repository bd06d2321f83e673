/**
 * Typed domain errors. Services throw these; each adapter (GraphQL, each vendor REST dialect) maps
 * the code to its own envelope and status. Deliberately free of GraphQL and HTTP imports.
 */
export type DomainErrorCode = 'NOT_FOUND' | 'CONFLICT' | 'INVALID_INPUT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'RATE_LIMITED' | 'UNAVAILABLE';

export interface DomainErrorDetails {
  /** The input field at fault, when there is one (dotted path). */
  field?: string;
  /** A finer machine-readable reason, e.g. 'username_taken', 'limit_exceeded'. */
  reason?: string;
  retryAfterSeconds?: number;
  /**
   * A secret was presented and is wrong (unknown token, link or client secret): the surface charges
   * the caller's address as for a failed authentication (ANONYMOUS_FAILURE_COST), whatever the code.
   */
  credentialGuess?: boolean;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: DomainErrorDetails = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string, details?: DomainErrorDetails) => new DomainError('NOT_FOUND', `${what} not found`, details);
export const conflict = (message: string, details?: DomainErrorDetails) => new DomainError('CONFLICT', message, details);
export const invalidInput = (message: string, field?: string, reason?: string) =>
  new DomainError('INVALID_INPUT', message, { field, reason });
export const unauthenticated = (message = 'authentication required') => new DomainError('UNAUTHENTICATED', message);
export const forbidden = (message = 'not allowed for this principal', details?: DomainErrorDetails) =>
  new DomainError('FORBIDDEN', message, details);
export const unavailable = (message = 'service unavailable', retryAfterSeconds?: number) =>
  new DomainError('UNAVAILABLE', message, { retryAfterSeconds });

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

/** A failed authentication or a wrong secret: what a guesser earns. */
export const isCredentialFailure = (e: unknown) => isDomainError(e) && (e.code === 'UNAUTHENTICATED' || !!e.details.credentialGuess);
