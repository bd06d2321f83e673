import { z } from 'zod';
import { envVar, section } from './define';
import { bool, nonNegativeInt } from './types';

// An origin is scheme://host[:port], as a browser sends it; `*` allows any.
const origin = z.string().regex(/^(\*|https?:\/\/[a-z0-9.-]+(:\d{1,5})?)$/i, 'an origin like https://app.example.com, or *');
const origins = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((o) => o.trim().replace(/\/$/, ''))
      .filter(Boolean),
  )
  .pipe(z.array(origin).max(100));

/** How the GraphQL API is exposed: to supergraphs (federation), to browsers (CORS), to unknown operations. */
export const apiSection = section(
  'api',
  {
    GRAPHQL_FEDERATION: envVar(
      bool.default(false),
      '`true` serves `/graphql` as an Apollo Federation 2 subgraph: the same schema plus `_service`, `_entities` and the federation directives (docs/GRAPHQL.md)',
    ),
    GRAPHQL_GATEWAY_TOKEN: envVar(
      z.string().min(24, 'must be at least 24 characters').optional(),
      'bearer token a supergraph gateway (or `rover`) sends to read the subgraph schema (`_service { sdl }`) while introspection is off; the operator token works too',
    ),
    CORS_ORIGINS: envVar(
      origins.optional(),
      'comma-separated origins whose browser pages may call `/graphql` and the vendor adapters (`*` = any); empty = none',
      'any in `development`, none otherwise',
    ),
    GRAPHQL_APQ_CACHE_BYTES: envVar(
      nonNegativeInt.max(1024 * 1024 * 1024).default(8 * 1024 * 1024),
      'memory for automatic persisted queries (APQ) per instance, least recently used dropped first; `0` turns APQ off',
    ),
    PERSISTED_OPERATIONS: envVar(
      z.string().min(1).optional(),
      'path of a persisted-operations manifest (Apollo `persisted-query-manifest.json`, or `{ "id": "query" }`): only its operations run, over HTTP and WebSocket',
      'unset: any operation runs',
    ),
  },
  (v) => ({
    federation: v.GRAPHQL_FEDERATION,
    gatewayToken: v.GRAPHQL_GATEWAY_TOKEN,
    /** undefined: the environment's default (coreSection.env). */
    corsOrigins: v.CORS_ORIGINS,
    apqCacheBytes: v.GRAPHQL_APQ_CACHE_BYTES,
    persistedOperationsFile: v.PERSISTED_OPERATIONS,
  }),
);
