import os from 'node:os';
import { z } from 'zod';
import { envVar, section } from './define';
import { bool, nonNegativeInt, port, positiveInt } from './types';
import { redisSection } from './redis-section';
import { websocketSection } from './websocket-section';
import { apiSection } from './api-section';
import { messagingSection } from './messaging-section';
import { databaseSection } from './database-section';
import { observabilitySection } from './observability-section';

/** The process: environment, logging, GraphQL exposure, first-run demo app. */
export const coreSection = section(
  'core',
  {
    NODE_ENV: envVar(
      z.enum(['development', 'production', 'test']).default('development'),
      '`production` hides the landing page and introspection; only `development` shows field suggestions and internal error messages',
    ),
    LOG_LEVEL: envVar(
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      '`fatal` … `trace`, or `silent`',
    ),
    GRAPHQL_INTROSPECTION: envVar(bool.optional(), 'force introspection on or off', 'on unless production'),
    DEMO_APP: envVar(bool.default(true), 'create the `demo` app on an empty database'),
    GRAPHQL_MAX_DEPTH: envVar(positiveInt.max(1_000).default(10), 'deepest field nesting an operation may have (HTTP and WebSocket)'),
    GRAPHQL_MAX_ALIASES: envVar(positiveInt.max(10_000).default(15), 'aliases per operation'),
    GRAPHQL_MAX_TOKENS: envVar(positiveInt.max(1_000_000).default(2_000), 'lexical tokens per document, checked while parsing'),
    GRAPHQL_MAX_DIRECTIVES: envVar(positiveInt.max(10_000).default(50), 'directives per operation'),
    GRAPHQL_MAX_COST: envVar(
      positiveInt.max(10_000_000).default(5_000),
      'cost per operation: 1 per field, list fields times their `first`/`last` (10 when unpaged)',
    ),
    GRAPHQL_HEAVY_COST: envVar(
      positiveInt.max(10_000_000).default(1_000),
      'queries and mutations costing at least this much are "heavy": they take turns (below)',
    ),
    GRAPHQL_HEAVY_CONCURRENCY: envVar(
      positiveInt.max(1_000).optional(),
      'heavy operations running at once per instance (HTTP and WebSocket together)',
      'half the CPU cores, at least 1',
    ),
    GRAPHQL_HEAVY_QUEUE: envVar(
      nonNegativeInt.max(100_000).default(64),
      'heavy operations that may wait for a turn; beyond it they are refused at once with 503 `UNAVAILABLE` and `Retry-After`',
    ),
  },
  (v) => ({
    env: v.NODE_ENV,
    logLevel: v.LOG_LEVEL,
    introspection: v.GRAPHQL_INTROSPECTION ?? v.NODE_ENV !== 'production',
    demoApp: v.DEMO_APP,
    limits: {
      depth: v.GRAPHQL_MAX_DEPTH,
      aliases: v.GRAPHQL_MAX_ALIASES,
      tokens: v.GRAPHQL_MAX_TOKENS,
      directives: v.GRAPHQL_MAX_DIRECTIVES,
      cost: v.GRAPHQL_MAX_COST,
    },
    heavy: {
      cost: v.GRAPHQL_HEAVY_COST,
      // More at once than half the cores only slows every other request down (bench: abuse).
      concurrency: v.GRAPHQL_HEAVY_CONCURRENCY ?? Math.max(1, Math.floor(os.availableParallelism() / 2)),
      queue: v.GRAPHQL_HEAVY_QUEUE,
    },
  }),
);

export const httpSection = section(
  'http',
  {
    PORT: envVar(port.default(4000), 'HTTP and WebSocket port'),
    HOST: envVar(z.string().min(1).default('127.0.0.1'), 'listen address (`0.0.0.0` to listen on all interfaces)'),
    BODY_LIMIT_BYTES: envVar(positiveInt.default(1_048_576), 'request bodies above this get 413'),
    SHUTDOWN_DRAIN_MS: envVar(
      nonNegativeInt.default(1_000),
      "after SIGTERM, how long every request gets 503 + `Retry-After` + `Connection: close` before the listeners close (cover your load balancer's deregistration delay)",
    ),
    SHUTDOWN_GRACE_MS: envVar(positiveInt.default(10_000), 'how long SIGTERM waits for the drain and in-flight work before exiting'),
    TRUST_PROXY: envVar(
      bool.default(false),
      'take the client address from `X-Forwarded-For` (behind a load balancer); it keys the anonymous rate limits',
    ),
  },
  (v) => ({
    host: v.HOST,
    port: v.PORT,
    bodyLimitBytes: v.BODY_LIMIT_BYTES,
    shutdownDrainMs: v.SHUTDOWN_DRAIN_MS,
    shutdownGraceMs: v.SHUTDOWN_GRACE_MS,
    trustProxy: v.TRUST_PROXY,
  }),
);

export const authSection = section(
  'auth',
  {
    OPERATOR_TOKEN: envVar(
      z.string().min(24, 'must be at least 24 characters').optional(),
      'bearer token for app management over GraphQL (at least 24 characters); unset = no operator over HTTP',
    ),
    TOKEN_TTL_SECONDS: envVar(positiveInt.default(5_184_000), 'lifetime of issued tokens when the client asks for none (60 days)'),
    ANONYMOUS_RATE_LIMIT: envVar(
      nonNegativeInt.default(20),
      'requests per second per client address (GraphQL and every adapter together) that carry no credentials known good: token grants, open registration, failed authentication; `0` = unlimited',
    ),
    ANONYMOUS_FAILURE_COST: envVar(
      positiveInt.max(1_000).default(5),
      'how many anonymous requests one failed authentication (unknown, expired or revoked token) costs its address: a token scanner gets `ANONYMOUS_RATE_LIMIT` ÷ this guesses a second',
    ),
    ANONYMOUS_TARPIT_MAX: envVar(
      nonNegativeInt.max(1_000_000).default(1_000),
      'rate-limit refusals of an address that failed to authenticate in the last minute are answered after up to 2 s, at most this many held at once; `0` = answer at once',
    ),
    LOGIN_FREE_FAILURES: envVar(
      positiveInt.max(1_000).default(5),
      'failed logins per account (app + username) before back-off starts; an address gets four times as many',
    ),
    LOGIN_BACKOFF_BASE_MS: envVar(positiveInt.default(1_000), 'first login back-off; it doubles with each further failure'),
    LOGIN_BACKOFF_MAX_MS: envVar(positiveInt.default(900_000), 'longest login back-off (and how long a quiet account keeps its count)'),
    GRAPHQL_RATE_LIMIT: envVar(
      nonNegativeInt.default(50),
      "GraphQL requests per second per app or user principal (bursts up to one second's worth); over it: 429 `RATE_LIMITED` with `Retry-After`; `0` = unlimited",
    ),
  },
  (v) => ({
    operatorToken: v.OPERATOR_TOKEN,
    tokenTtlSeconds: v.TOKEN_TTL_SECONDS,
    anonymousPerSecond: v.ANONYMOUS_RATE_LIMIT,
    anonymousFailureCost: v.ANONYMOUS_FAILURE_COST,
    anonymousTarpitMax: v.ANONYMOUS_TARPIT_MAX,
    graphqlPerSecond: v.GRAPHQL_RATE_LIMIT,
    loginThrottle: { freeFailures: v.LOGIN_FREE_FAILURES, baseDelayMs: v.LOGIN_BACKOFF_BASE_MS, maxDelayMs: v.LOGIN_BACKOFF_MAX_MS },
  }),
);

/** Outbound delivery: the worker, its limits, the SSRF rule, the key sealing stored secrets. */
export const outboxSection = section(
  'outbox',
  {
    OUTBOX_WORKER: envVar(bool.default(true), 'run the delivery worker inside the server (`npm run worker` runs one alone)'),
    OUTBOX_ALLOW_PRIVATE: envVar(
      bool.default(false),
      'allow destinations on loopback, private, link-local and other non-public addresses (tests, private networks)',
    ),
    OUTBOX_TIMEOUT_MS: envVar(positiveInt.default(5_000), 'per-attempt limit: connect, send and answer'),
    OUTBOX_MAX_ATTEMPTS: envVar(positiveInt.default(8), 'attempts before a delivery is dead'),
    OUTBOX_BACKOFF_BASE_MS: envVar(positiveInt.default(1_000), 'first retry delay; each retry doubles it (with jitter)'),
    OUTBOX_BACKOFF_MAX_MS: envVar(positiveInt.default(3_600_000), 'longest retry delay'),
    OUTBOX_RESPONSE_LIMIT_BYTES: envVar(positiveInt.default(65_536), "bytes of a receiver's answer read at most"),
    OUTBOX_CONCURRENCY: envVar(positiveInt.default(32), 'attempts in flight per worker'),
    OUTBOX_POLL_MS: envVar(positiveInt.default(1_000), 'how often a worker looks for due retries and work left by other instances'),
    SECRETS_KEY: envVar(
      z.string().min(16, 'must be at least 16 characters').optional(),
      'key sealing stored signing secrets (robots, webhooks, gateways); several instances must share it',
      'generated once into `DATA_DIR/secrets.key`',
    ),
  },
  (v) => ({
    worker: v.OUTBOX_WORKER,
    allowPrivate: v.OUTBOX_ALLOW_PRIVATE,
    timeoutMs: v.OUTBOX_TIMEOUT_MS,
    maxAttempts: v.OUTBOX_MAX_ATTEMPTS,
    backoffBaseMs: v.OUTBOX_BACKOFF_BASE_MS,
    backoffMaxMs: v.OUTBOX_BACKOFF_MAX_MS,
    maxResponseBytes: v.OUTBOX_RESPONSE_LIMIT_BYTES,
    concurrency: v.OUTBOX_CONCURRENCY,
    pollMs: v.OUTBOX_POLL_MS,
    secretsKey: v.SECRETS_KEY,
  }),
);

/** What one user can grow: each is a list kept on (or beside) the user's record. */
export const userLimitsSection = section(
  'userLimits',
  {
    USER_MAX_CONTACTS: envVar(positiveInt.max(100_000).default(1_000), 'contacts per user (the vendor documents say 1,000)'),
    USER_MAX_BLOCKS: envVar(positiveInt.max(100_000).default(500), 'blocked users per user (the vendor documents say 500)'),
    USER_MAX_GROUP_MUTES: envVar(positiveInt.max(10_000).default(500), 'per-group push mutes per user (only groups the user belongs to)'),
    USER_MAX_PEER_DND: envVar(positiveInt.max(10_000).default(1_000), 'per-peer do-not-disturb entries per user'),
  },
  (v) => ({
    contacts: v.USER_MAX_CONTACTS,
    blocks: v.USER_MAX_BLOCKS,
    groupMutes: v.USER_MAX_GROUP_MUTES,
    peerDoNotDisturb: v.USER_MAX_PEER_DND,
  }),
);

/** Sections of the core, in README order; each adapter adds its own (src/vendors/index.ts). */
export const coreSections = [
  coreSection,
  apiSection,
  websocketSection,
  httpSection,
  databaseSection,
  authSection,
  userLimitsSection,
  messagingSection,
  outboxSection,
  redisSection,
  observabilitySection,
] as const;
