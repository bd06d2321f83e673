import type { DomainError } from '../../domain/errors';
import type { Rendered } from '../kit/dialect';
import { VendorError, type TransportFailure } from '../kit/errors';

/** Wildfire's own result codes (shared/DESIGN.md section 6), with the message each carries. */
export const CODES = {
  success: [0, 'success'],
  secretMismatch: [1, 'secret key mismatch'],
  invalidData: [2, 'invalid data'],
  serverError: [4, 'server error'],
  userForbidden: [8, 'user forbidden'],
  notInGroup: [9, 'not in group'],
  invalidMessage: [10, 'invalid message'],
  notRight: [248, 'no right to operate'],
  notSigned: [239, 'api not signed'],
  signExpired: [243, 'sign expired'],
  authFailure: [244, 'auth failure'],
  inBlacklist: [246, 'in black list'],
  overFrequency: [250, 'over frequency'],
  invalidParameter: [251, 'invalid parameter'],
  notExist: [253, 'not exist'],
  notImplement: [254, 'not implement'],
} as const;

/**
 * Every Wildfire error travels with HTTP 200: the vendor's SDKs turn any other status into an
 * exception and never read the code. The status kept here is only what the error means.
 */
export const wildfireError = (code: keyof typeof CODES, detail?: string, retryAfterSeconds?: number) =>
  new VendorError(200, CODES[code][0], detail ? `${CODES[code][1]}: ${detail}` : CODES[code][1], retryAfterSeconds);

/** The one table: a domain error as Wildfire's closest code. */
export function fromDomain(e: DomainError): VendorError {
  switch (e.code) {
    case 'NOT_FOUND':
      return wildfireError('notExist', e.message);
    case 'CONFLICT':
      return wildfireError('invalidParameter', e.message);
    case 'INVALID_INPUT': {
      const field = e.details.field ?? '';
      // What the message says (text, url, payload) is the message's fault; anything else (a missing payload too) the call's.
      return /^(text|url|payload|type|size|fileName)$/.test(field) && e.details.reason !== 'required'
        ? wildfireError('invalidMessage', e.message)
        : wildfireError('invalidParameter', e.message);
    }
    case 'UNAUTHENTICATED':
      return wildfireError('authFailure', e.message);
    case 'FORBIDDEN':
      return e.details.reason === 'blocked' ? wildfireError('inBlacklist', e.message) : wildfireError('userForbidden', e.message);
    case 'RATE_LIMITED':
      return wildfireError('overFrequency', undefined, e.details.retryAfterSeconds ?? 1);
    case 'UNAVAILABLE':
      return wildfireError('serverError', e.message, e.details.retryAfterSeconds ?? 1);
  }
}

export function transport(kind: TransportFailure, message: string): VendorError {
  switch (kind) {
    case 'bad_body':
    case 'body_too_large':
    case 'unsupported_media_type':
      return wildfireError('invalidData', message);
    case 'no_route':
      return wildfireError('notExist', 'no such API');
    case 'internal':
      return wildfireError('serverError');
  }
}

export const JSON_UTF8 = { 'content-type': 'application/json; charset=utf-8' };

export function renderError(e: VendorError): Rendered {
  return { status: 200, body: { code: e.code, msg: e.message }, headers: JSON_UTF8 };
}
