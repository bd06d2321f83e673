import { envVar, section } from './define';
import { nonNegativeInt, positiveInt } from './types';

/** graphql-ws on `/graphql` (src/graphql/live): what one socket may send, hold and leave unread. */
export const websocketSection = section(
  'websocket',
  {
    GRAPHQL_WS_MAX_PAYLOAD_BYTES: envVar(
      positiveInt.max(16 * 1024 * 1024).default(65_536),
      'largest graphql-ws message accepted; a larger one closes the socket (1009)',
    ),
    GRAPHQL_WS_MAX_SUBSCRIPTIONS: envVar(
      positiveInt.max(100_000).default(100),
      'subscriptions one WebSocket may hold at once; more are refused with `TOO_MANY_SUBSCRIPTIONS`',
    ),
    GRAPHQL_WS_SUBSCRIBE_RATE: envVar(
      nonNegativeInt.max(100_000).default(10),
      'subscribes per second one WebSocket may make once it has used a burst of `GRAPHQL_WS_MAX_SUBSCRIPTIONS`; more get `RATE_LIMITED` and the socket is not read until it may; `0` = unlimited',
    ),
    GRAPHQL_WS_MAX_BUFFERED_BYTES: envVar(
      positiveInt
        .min(1024)
        .max(1024 * 1024 * 1024)
        .default(1_048_576),
      'bytes written to one socket and not yet taken by its client; beyond it the socket is closed with 1013 (the client resumes with `after`)',
    ),
    GRAPHQL_WS_INIT_TIMEOUT_MS: envVar(
      positiveInt.max(600_000).default(3_000),
      'a socket that sends no `connection_init` within this time is closed with 4408',
    ),
    GRAPHQL_WS_KEEPALIVE_MS: envVar(
      nonNegativeInt.max(3_600_000).default(12_000),
      'WebSocket ping interval; a socket that does not answer within the next interval is dropped (`0` = no pings)',
    ),
  },
  (v) => ({
    maxPayloadBytes: v.GRAPHQL_WS_MAX_PAYLOAD_BYTES,
    maxSubscriptions: v.GRAPHQL_WS_MAX_SUBSCRIPTIONS,
    subscribeRate: v.GRAPHQL_WS_SUBSCRIBE_RATE,
    maxBufferedBytes: v.GRAPHQL_WS_MAX_BUFFERED_BYTES,
    initTimeoutMs: v.GRAPHQL_WS_INIT_TIMEOUT_MS,
    keepAliveMs: v.GRAPHQL_WS_KEEPALIVE_MS,
  }),
);
