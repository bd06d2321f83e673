import { envVar, section } from './define';
import { nonNegativeInt, positiveInt } from './types';

/** What the server keeps of messages beyond conversations' own history, and how history leaves it. */
export const messagingSection = section(
  'messaging',
  {
    ROOM_HISTORY_MESSAGES: envVar(
      nonNegativeInt.max(100_000).default(200),
      'recent messages kept per chat room (older ones are deleted as new ones arrive); `0` keeps none: room messages are then online-only',
    ),
    EXPORT_LINK_TTL_SECONDS: envVar(positiveInt.max(7 * 24 * 3600).default(3600), 'how long a history-export download link stays valid'),
    FILE_MAX_BYTES: envVar(
      positiveInt.max(1024 * 1024 * 1024).default(10 * 1024 * 1024),
      'largest chat file one upload may store; larger uploads are refused with 413',
    ),
    FILE_APP_QUOTA_BYTES: envVar(
      positiveInt.max(Number.MAX_SAFE_INTEGER).default(1024 * 1024 * 1024),
      'total bytes of chat files (thumbnails included) one app may store; an upload past it is refused',
    ),
  },
  (v) => ({
    roomHistory: v.ROOM_HISTORY_MESSAGES,
    exportLinkTtlSeconds: v.EXPORT_LINK_TTL_SECONDS,
    files: { maxBytes: v.FILE_MAX_BYTES, appQuotaBytes: v.FILE_APP_QUOTA_BYTES },
  }),
);
