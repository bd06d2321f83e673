import path from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Every environment variable the server reads, with its default. README documents the same list. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .optional(),
  MONGODB_DB_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/, 'letters, digits, _ and -, at most 63')
    .default('imfacade'),
  DB_ENGINE: z.enum(['auto', 'memory-server', 'ferretdb']).default('auto'),
  DATA_DIR: z.string().min(1).default('./data'),
  FERRETDB_BIN: z.string().min(1).optional(),
  OPERATOR_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  TOKEN_TTL_SECONDS: positiveInt.default(5_184_000),
  BODY_LIMIT_BYTES: positiveInt.default(1_048_576),
  SHUTDOWN_GRACE_MS: positiveInt.default(10_000),
  EASEMOB_PORT: port.optional(),
  EASEMOB_RATE_LIMIT: z.coerce.number().int().min(0).default(100),
  EASEMOB_ORG_NAME: z
    .string()
    .regex(/^[a-z0-9]{1,32}$/, 'lowercase letters and digits, at most 32')
    .default('imfacade'),
  DEMO_APP: bool.default(true),
  GRAPHQL_INTROSPECTION: bool.optional(),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  logLevel: string;
  mongodbUri?: string;
  dbName: string;
  dbEngine: 'auto' | 'memory-server' | 'ferretdb';
  dataDir: string;
  ferretdbBin?: string;
  operatorToken?: string;
  tokenTtlSeconds: number;
  bodyLimitBytes: number;
  shutdownGraceMs: number;
  easemobOrgName: string;
  /** Serve the Easemob adapter at the root of this port too (clients whose paths cannot change). */
  easemobPort?: number;
  /** Requests per second per app on the vendor adapters; 0 = unlimited. */
  easemobRateLimit: number;
  demoApp: boolean;
  introspection: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment; throws one ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "unset", as most shells and .env files intend.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    mongodbUri: e.MONGODB_URI,
    dbName: e.MONGODB_DB_NAME,
    dbEngine: e.DB_ENGINE,
    dataDir: path.resolve(e.DATA_DIR),
    ferretdbBin: e.FERRETDB_BIN,
    operatorToken: e.OPERATOR_TOKEN,
    tokenTtlSeconds: e.TOKEN_TTL_SECONDS,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    easemobOrgName: e.EASEMOB_ORG_NAME,
    easemobPort: e.EASEMOB_PORT,
    easemobRateLimit: e.EASEMOB_RATE_LIMIT,
    demoApp: e.DEMO_APP,
    introspection: e.GRAPHQL_INTROSPECTION ?? e.NODE_ENV !== 'production',
  };
}
