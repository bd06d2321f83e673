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
export const forbidden = (message = 'not allowed for this principal') => new DomainError('FORBIDDEN', message);
export const unavailable = (message = 'service unavailable') => new DomainError('UNAVAILABLE', message);

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

/**
 * True when an unordered bulk insert failed only on duplicate keys (or a single insert did): every
 * other document went in. A bulk error carries the first write error's code, so each is checked.
 */
export function isOnlyDuplicateKeys(e: unknown): boolean {
  const writeErrors = (e as { writeErrors?: { code?: number; err?: { code?: number } }[] } | null)?.writeErrors;
  if (!Array.isArray(writeErrors)) return isDuplicateKeyError(e);
  return writeErrors.length > 0 && writeErrors.every((w) => (w.code ?? w.err?.code) === 11000);
}

/** MongoDB duplicate-key error (unique index violation), on MongoDB and FerretDB alike. */
export function isDuplicateKeyError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 11000;
}
