import path from 'node:path';
import { z } from 'zod';
import { envVar, section } from './define';
import { nonNegativeInt, positiveInt } from './types';

export const databaseSection = section(
  'database',
  {
    MONGODB_URI: envVar(
      z
        .string()
        .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
        .optional(),
      'use this database instead of an embedded one',
    ),
    MONGODB_DB_NAME: envVar(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,63}$/, 'letters, digits, _ and -, at most 63')
        .default('imfacade'),
      'database name',
    ),
    DB_ENGINE: envVar(
      z.enum(['auto', 'memory-server', 'ferretdb']).default('auto'),
      'embedded engine: `auto`, `memory-server` or `ferretdb`',
    ),
    DATA_DIR: envVar(z.string().min(1).default('./data'), 'where an embedded database keeps its files'),
    FERRETDB_BIN: envVar(z.string().min(1).optional(), 'path of the FerretDB binary'),
    DB_TIMEOUT_MS: envVar(
      positiveInt.default(5_000),
      'deadline of every database operation (no answer within it: the request is answered 503); also the longest a request waits for an unreachable database',
    ),
    DB_SUPERVISE_AFTER_MS: envVar(
      nonNegativeInt.default(15_000),
      'an embedded FerretDB that answers no query for this long is killed and restarted (logged as an error); `0` = never',
    ),
    DB_WRITE_BATCH: envVar(
      positiveInt.max(1_000).default(25),
      'most documents one write command touches; bigger writes go in slices of this size (FerretDB 1.24 wedged at 100, docs/DEPLOYMENT.md)',
    ),
    DB_RETRY_AFTER_SECONDS: envVar(positiveInt.default(5), '`Retry-After` of the 503 answered while the database is unreachable'),
  },
  (v) => ({
    uri: v.MONGODB_URI,
    name: v.MONGODB_DB_NAME,
    engine: v.DB_ENGINE,
    dataDir: path.resolve(v.DATA_DIR),
    ferretdbBin: v.FERRETDB_BIN,
    timeoutMs: v.DB_TIMEOUT_MS,
    writeBatch: v.DB_WRITE_BATCH,
    superviseAfterMs: v.DB_SUPERVISE_AFTER_MS,
    retryAfterSeconds: v.DB_RETRY_AFTER_SECONDS,
  }),
);
