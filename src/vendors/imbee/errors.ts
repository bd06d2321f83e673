import type { DomainError } from '../../domain/errors';
import type { Rendered } from '../kit/dialect';
import { VendorError, type TransportFailure } from '../kit/errors';

/** Imbee codes: 0 ok, 1 any error; links add 2 (expired) and 3 (retries used up). HTTP status says the class. */
export const imbeeError = (status: number, message: string, code = 1, retryAfterSeconds?: number) =>
  new VendorError(status, code, message, retryAfterSeconds);

export function fromDomain(e: DomainError): VendorError {
  switch (e.code) {
    case 'NOT_FOUND':
      return imbeeError(404, e.message);
    case 'CONFLICT':
      return imbeeError(409, e.message);
    case 'INVALID_INPUT':
      return imbeeError(400, e.message);
    case 'UNAUTHENTICATED':
      return imbeeError(401, e.message);
    case 'FORBIDDEN':
      return imbeeError(403, e.message, e.details.reason === 'expired' ? 2 : e.details.reason === 'exhausted' ? 3 : 1);
    case 'RATE_LIMITED':
      return imbeeError(429, 'too many requests', 1, e.details.retryAfterSeconds ?? 1);
    case 'UNAVAILABLE':
      return imbeeError(503, e.message, 1, e.details.retryAfterSeconds ?? 1);
  }
}

export function transport(kind: TransportFailure, message: string): VendorError {
  switch (kind) {
    case 'bad_body':
      return imbeeError(400, message);
    case 'body_too_large':
      return imbeeError(413, 'request body too large');
    case 'unsupported_media_type':
      return imbeeError(415, message);
    case 'no_route':
      return imbeeError(404, 'no such web service');
    case 'internal':
      return imbeeError(500, 'internal server error');
  }
}

/** Every answer: `{time, code, message, body}`, `time` the seconds spent. */
export const envelope = (started: number, code: number | string, message: string, body: unknown) => ({
  time: (Date.now() - started) / 1000,
  code,
  message,
  body,
});

export const renderError = (e: VendorError, started: number): Rendered => ({
  status: e.status,
  body: envelope(started, e.code, e.message, {}),
});
