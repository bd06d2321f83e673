import { z } from 'zod';
import { envVar, section } from './define';
import { bool, positiveInt } from './types';

/** Several instances as one (docs/DEPLOYMENT.md): Redis carries events between them. */
export const redisSection = section(
  'redis',
  {
    REDIS_URL: envVar(
      z
        .string()
        .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
        .optional(),
      'Redis for several instances: events travel between them through it (unset: one instance, in-process)',
    ),
    REDIS_KEY_PREFIX: envVar(
      z
        .string()
        .regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'letters, digits and : _ . - (at most 64)')
        .default('imfacade:'),
      'prefix of every Redis channel and key, so that deployments can share one Redis',
    ),
    REDIS_REQUIRED: envVar(bool.default(false), '`/readyz` answers 503 while Redis is away (default: 200, `degraded`)'),
    PRESENCE_TTL_SECONDS: envVar(
      positiveInt.min(2).max(3600).default(30),
      "with Redis: a crashed instance's users are reported offline within this time (instances beat every quarter of it)",
    ),
  },
  (v) => ({ url: v.REDIS_URL, prefix: v.REDIS_KEY_PREFIX, required: v.REDIS_REQUIRED, presenceTtlMs: v.PRESENCE_TTL_SECONDS * 1000 }),
);
