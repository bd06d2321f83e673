import { DomainError } from '../domain/errors';

/** MongoDB duplicate-key error (unique index violation), on MongoDB and FerretDB alike. */
export function isDuplicateKeyError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 11000;
}

/**
 * True when an unordered bulk insert failed only on duplicate keys (or a single insert did): every
 * other document went in. A bulk error carries the first write error's code, so each is checked.
 */
export function isOnlyDuplicateKeys(e: unknown): boolean {
  const writeErrors = (e as { writeErrors?: { code?: number; err?: { code?: number } }[] } | null)?.writeErrors;
  if (!Array.isArray(writeErrors)) return isDuplicateKeyError(e);
  return writeErrors.length > 0 && writeErrors.every((w) => (w.code ?? w.err?.code) === 11000);
}

// The driver's and mongoose's ways of saying "no server to talk to right now".
const UNREACHABLE = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoPoolClearedError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoServerClosedError',
  'MongoOperationTimeoutError',
  'MongoClientClosedError', // the connection is closing at shutdown: another instance will answer
]);

/** The database is unreachable or timed out: the request may succeed later, unchanged. */
export function isDatabaseUnavailable(e: unknown): boolean {
  for (let cur = e, depth = 0; typeof cur === 'object' && cur !== null && depth < 5; depth++) {
    const { name, message, code } = cur as { name?: unknown; message?: unknown; code?: unknown };
    if (typeof name === 'string' && UNREACHABLE.has(name)) return true;
    // maxTimeMS ran out on the server (code 50): the database is too slow right now, not the request wrong.
    if (code === 50) return true;
    if (
      typeof message === 'string' &&
      /buffering timed out|connection .* closed|ECONNREFUSED|Client must be connected|operation exceeded time limit/i.test(message)
    )
      return true;
    // Errors wrapped by the driver (cause) or by GraphQL (originalError, e.g. context creation).
    cur = (cur as { cause?: unknown }).cause ?? (cur as { originalError?: unknown }).originalError;
  }
  return false;
}

/** An unreachable database as the domain's UNAVAILABLE, which every surface answers with 503 + Retry-After. */
export function databaseUnavailable(retryAfterSeconds: number): DomainError {
  return new DomainError('UNAVAILABLE', 'the database is unavailable; retry later', { reason: 'database_unavailable', retryAfterSeconds });
}

// Failures after which a write may still have been applied: the command went out (or may have) and
// no answer came back, or the server gave up on it late (FerretDB may have committed by then).
const OUTCOME_UNKNOWN = new Set(['MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoOperationTimeoutError', 'MongoServerClosedError']);

/** The write's outcome is unknown: a retry must not assume it was not applied. */
export function isWriteOutcomeUnknown(e: unknown): boolean {
  for (let cur = e, depth = 0; typeof cur === 'object' && cur !== null && depth < 5; depth++) {
    const { name, message, code } = cur as { name?: unknown; message?: unknown; code?: unknown };
    if (typeof name === 'string' && OUTCOME_UNKNOWN.has(name)) return true;
    if (code === 50 || (typeof message === 'string' && /operation exceeded time limit/i.test(message))) return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}
