import { DomainError } from '../domain/errors';

/**
 * The secret of an `Authorization: Bearer <secret>` value, for every surface (GraphQL over HTTP and
 * WebSocket, each vendor dialect): undefined when absent, UNAUTHENTICATED (reason
 * `malformed_authorization`) when present but not a bearer credential.
 */
export function bearerSecret(header: unknown): string | undefined {
  if (header === undefined || header === null || header === '') return undefined;
  const m = typeof header === 'string' ? /^Bearer\s+(\S{1,4096})\s*$/i.exec(header) : null;
  if (!m) throw new DomainError('UNAUTHENTICATED', 'authorization must be "Bearer <token>"', { reason: 'malformed_authorization' });
  return m[1];
}
