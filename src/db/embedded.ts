import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { locateFerretDb, startFerretDb } from './ferretdb';

export type EmbeddedEngine = 'memory-server' | 'ferretdb';

export interface EmbeddedDatabase {
  uri: string;
  engine: EmbeddedEngine;
  /** The database process (faults are injected into it in tests; the supervisor restarts it). */
  readonly pid?: number;
  /** FerretDB only: kill and start again on the same address and data (db/supervisor.ts). */
  restart?(): Promise<void>;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  engine: 'auto' | EmbeddedEngine;
  /** Persistent data directory; omitted means a throw-away directory removed on stop. */
  dataDir?: string;
  ferretdbBin?: string;
  /** Listen on this port (a restart on the same address, as the outage tests do); a free one otherwise. */
  port?: number;
  log: Logger;
}

export class NoDatabaseError extends Error {
  constructor(reasons: string[]) {
    super(
      [
        'no database available. Provide one of:',
        '  1. MONGODB_URI=mongodb://… pointing at MongoDB (or any MongoDB-compatible server);',
        '  2. a mongod that mongodb-memory-server can download or find (MONGOMS_SYSTEM_BINARY);',
        '  3. FerretDB 1.24 with SQLite: run `npm run db:install` (needs Go), or set FERRETDB_BIN.',
        'What was tried:',
        ...reasons.map((r) => `  - ${r}`),
      ].join('\n'),
    );
    this.name = 'NoDatabaseError';
  }
}

/**
 * Starts an embedded database as DESIGN.md section 2 orders it: mongodb-memory-server first, then
 * FerretDB with SQLite, else a NoDatabaseError naming the three ways. Never an in-memory fake.
 */
export async function startEmbeddedDatabase(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const ephemeral = !opts.dataDir;
  const root = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'imfacade-db-'));
  const cleanup = () => {
    if (ephemeral) fs.rmSync(root, { recursive: true, force: true });
  };
  const reasons: string[] = [];

  if (opts.engine !== 'ferretdb') {
    try {
      const db = await startMemoryServer(path.join(root, 'mongod'), ephemeral, opts.log, opts.port);
      return { ...db, stop: async () => (await db.stop(), cleanup()) };
    } catch (e) {
      reasons.push(`mongodb-memory-server: ${firstLine(e)}`);
      opts.log.warn({ err: firstLine(e) }, 'mongodb-memory-server unavailable, trying FerretDB');
    }
  }
  if (opts.engine !== 'memory-server') {
    const bin = locateFerretDb(opts.ferretdbBin);
    if (!bin) {
      reasons.push(
        `FerretDB: no binary in ${opts.ferretdbBin ? `FERRETDB_BIN (${opts.ferretdbBin})` : 'FERRETDB_BIN, PATH or $(go env GOPATH)/bin'}`,
      );
    } else {
      try {
        const fdb = await startFerretDb(bin, path.join(root, 'ferretdb'), opts.log, opts.port);
        return {
          uri: fdb.uri,
          engine: 'ferretdb',
          get pid() {
            return fdb.pid;
          },
          restart: () => fdb.restart(),
          stop: async () => (await fdb.stop(), cleanup()),
        };
      } catch (e) {
        reasons.push(`FerretDB (${bin}): ${firstLine(e)}`);
      }
    }
  }
  cleanup();
  throw new NoDatabaseError(reasons);
}

async function startMemoryServer(dbPath: string, ephemeral: boolean, log: Logger, port?: number) {
  // Imported lazily: the package is heavy and unused when MONGODB_URI is set.
  const { MongoMemoryServer } = await import('mongodb-memory-server-core');
  fs.mkdirSync(dbPath, { recursive: true });
  // The library prints a full stack through console.warn when it cannot download mongod; we log
  // one line ourselves and fall back, so keep its output at debug level.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => log.debug({ args: args.map(String) }, 'mongodb-memory-server');
  let server;
  try {
    server = await MongoMemoryServer.create({ instance: { dbPath, storageEngine: 'wiredTiger', ip: '127.0.0.1', port } });
  } finally {
    console.warn = warn;
  }
  log.info({ engine: 'memory-server', dbPath }, 'embedded mongod started');
  return {
    uri: server.getUri(),
    engine: 'memory-server' as const,
    pid: server.instanceInfo?.instance.mongodProcess?.pid,
    stop: async () => {
      await server.stop({ doCleanup: ephemeral, force: false });
    },
  };
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim().slice(0, 300);
}
