import { z } from 'zod';
import { envVar } from '../../config/define';
import { nonNegativeInt, positiveInt } from '../../config/types';
import { adapterSection } from '../kit/config';

export const easemobConfig = adapterSection(
  'easemob',
  'Easemob',
  100,
  {
    EASEMOB_ORG_NAME: envVar(
      z
        .string()
        .regex(/^[a-z0-9]{1,32}$/, 'lowercase letters and digits, at most 32')
        .default('imfacade'),
      'Easemob `org_name` given to new apps',
    ),
    EASEMOB_MSYNC_MAX_FRAME_BYTES: envVar(
      positiveInt
        .min(1024)
        .max(16 * 1024 * 1024)
        .default(65_536),
      'largest frame the client SDKs’ realtime socket (`/easemob/ws`) accepts; a larger one closes the socket (1009)',
    ),
    EASEMOB_MSYNC_AUTH_TIMEOUT_MS: envVar(
      positiveInt.max(600_000).default(10_000),
      'an SDK socket that has not sent its login (PROVISION) within this time is closed (4408)',
    ),
    EASEMOB_MSYNC_SOCKETS_PER_USER: envVar(
      positiveInt.max(1_000).default(8),
      'SDK sockets one user may hold open on one instance; one more is refused with the SDK’s too-many-devices error',
    ),
    EASEMOB_MSYNC_SENDS_PER_SECOND: envVar(
      nonNegativeInt.max(100_000).default(20),
      'messages and acks per second one user may send over SDK sockets (bursts up to one second’s worth); more are refused with the SDK’s `traffic limit`; `0` = unlimited',
    ),
    EASEMOB_MSYNC_FRAMES_PER_SECOND: envVar(
      nonNegativeInt.max(100_000).default(50),
      'frames per second one SDK socket may send (bursts up to one second’s worth); beyond it the socket is not read until it may; `0` = unlimited',
    ),
    EASEMOB_MSYNC_MAX_BUFFERED_BYTES: envVar(
      positiveInt
        .min(1024)
        .max(1024 * 1024 * 1024)
        .default(1_048_576),
      'bytes written to one SDK socket and not yet taken by its client; beyond it the socket is closed with 1013 (the SDK reconnects and syncs what it missed)',
    ),
  },
  (v) => ({
    orgName: v.EASEMOB_ORG_NAME,
    msync: {
      maxFrameBytes: v.EASEMOB_MSYNC_MAX_FRAME_BYTES,
      authTimeoutMs: v.EASEMOB_MSYNC_AUTH_TIMEOUT_MS,
      socketsPerUser: v.EASEMOB_MSYNC_SOCKETS_PER_USER,
      sendsPerSecond: v.EASEMOB_MSYNC_SENDS_PER_SECOND,
      framesPerSecond: v.EASEMOB_MSYNC_FRAMES_PER_SECOND,
      maxBufferedBytes: v.EASEMOB_MSYNC_MAX_BUFFERED_BYTES,
    },
  }),
);

export type MsyncSettings = ReturnType<typeof easemobConfig.build>['msync'];
