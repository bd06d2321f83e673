import type { DomainError, DomainErrorCode } from '../../domain/errors';

/**
 * An error already in a dialect's own terms: the HTTP status it means, the dialect's error code
 * (Easemob's `error` name, Wildfire's number…) and the message. Routes and dialects throw these for
 * what only that vendor says; everything else is a DomainError mapped by the dialect's table.
 */
export class VendorError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | number,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'VendorError';
  }

  /** Set by a dialect on its answer to wrong credentials: the kit charges the address a failed authentication. */
  credentialFailure = false;

  /** Marks this answer as a refusal of wrong credentials (see credentialFailure). */
  refusingCredentials(): this {
    this.credentialFailure = true;
    return this;
  }
}

/**
 * Per-route exceptions to the dialect's table, for the few answers a vendor document words
 * differently on one endpoint (e.g. Easemob's password change answers an unknown user with
 * `entity_not_found`). Declared on the route, never caught in its handler.
 */
export type ErrorOverrides<I, C = unknown> = Partial<
  Record<DomainErrorCode, (e: DomainError, input: I | undefined, call: C | undefined) => VendorError | DomainError | undefined>
>;

/** Transport failures every dialect answers in its own shape. */
export type TransportFailure = 'bad_body' | 'body_too_large' | 'unsupported_media_type' | 'no_route' | 'internal';
