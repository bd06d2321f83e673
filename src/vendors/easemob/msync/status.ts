import { isDatabaseUnavailable } from '../../../db/errors';
import { isDomainError } from '../../../domain/errors';
import { VendorError } from '../../kit/errors';
import { ErrorCode } from './schema';

export interface Status {
  errorCode: number;
  reason?: string;
}

export const OK: Status = { errorCode: ErrorCode.OK };

/**
 * The one table from domain errors to the status of an uploaded meta's answer (CommSyncDL), in the
 * words the SDK matches to its own error types: `blocked`, `not in group or chatroom`, `group not
 * found`, `username … doesn't exist!`, `user is mute`, `traffic limit`, `Sorry, data is too large`
 * and USER_MUTED. Anything else is FAIL with the domain's message (the SDK's unknown server error).
 */
export function statusOf(e: unknown, target?: { of: 'user' | 'group' | 'room'; name: string }): Status {
  if (e instanceof VendorError) return { errorCode: ErrorCode.FAIL, reason: e.message };
  if (isDatabaseUnavailable(e)) return { errorCode: ErrorCode.FAIL, reason: 'server busy, retry later' };
  if (!isDomainError(e)) throw e;
  const reason = e.details.reason;
  switch (e.code) {
    case 'FORBIDDEN':
      if (reason === 'muted') return { errorCode: ErrorCode.USER_MUTED, reason: 'you were muted' };
      if (reason === 'blocked') return { errorCode: ErrorCode.FAIL, reason: 'blocked' };
      if (reason === 'sender_forbidden') return { errorCode: ErrorCode.PERMISSION_DENIED, reason: 'user is mute' };
      return { errorCode: ErrorCode.FAIL, reason: target?.of === 'user' ? 'blocked' : 'not in group or chatroom' };
    case 'NOT_FOUND':
      if (target?.of === 'user') return { errorCode: ErrorCode.FAIL, reason: `username ${target.name} doesn't exist!` };
      if (target?.of === 'group') return { errorCode: ErrorCode.FAIL, reason: 'not in group or chatroom' };
      if (target?.of === 'room')
        return e.details.field === 'roomId'
          ? { errorCode: ErrorCode.FAIL, reason: `grpID ${target.name} does not exist!` }
          : { errorCode: ErrorCode.FAIL, reason: 'not in group or chatroom' };
      return { errorCode: ErrorCode.FAIL, reason: 'Sorry, message does not exist' };
    case 'RATE_LIMITED':
      return { errorCode: ErrorCode.PERMISSION_DENIED, reason: 'traffic limit' };
    case 'INVALID_INPUT':
      return /at most|too large|too long/.test(e.message)
        ? { errorCode: ErrorCode.PERMISSION_DENIED, reason: 'Sorry, data is too large' }
        : { errorCode: ErrorCode.FAIL, reason: e.message };
    default:
      return { errorCode: ErrorCode.FAIL, reason: e.message };
  }
}
