import fs from 'node:fs';
import path from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from '../config/config';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded';

export interface DatabaseHandle {
  connection: Connection;
  uri: string;
  /** 'external' when MONGODB_URI was given, else the embedded engine that was started. */
  engine: 'external' | EmbeddedDatabase['engine'];
  close(): Promise<void>;
}

/** The file where a running `npm start` advertises its embedded database, so the CLI can share it. */
export const embeddedUriFile = (dataDir: string) => path.join(dataDir, 'embedded-db.json');

/**
 * Finds the database (DESIGN.md section 2) and opens a mongoose connection to `config.dbName`.
 * With `advertise`, an embedded database's URI is written under DATA_DIR for the operator CLI.
 */
export async function openDatabase(
  config: Config,
  log: Logger,
  opts: { advertise?: boolean; reuseRunning?: boolean } = {},
): Promise<DatabaseHandle> {
  let uri = config.mongodbUri;
  let embedded: EmbeddedDatabase | undefined;
  if (!uri && opts.reuseRunning) uri = await runningEmbeddedUri(config.dataDir);
  if (!uri) {
    embedded = await startEmbeddedDatabase({
      engine: config.dbEngine,
      dataDir: config.dataDir,
      ferretdbBin: config.ferretdbBin,
      log,
    });
    uri = embedded.uri;
    if (opts.advertise) {
      fs.writeFileSync(embeddedUriFile(config.dataDir), JSON.stringify({ uri, pid: process.pid, engine: embedded.engine }));
    }
  }
  try {
    const connection = await connect(uri, config.dbName);
    return {
      connection,
      uri,
      engine: embedded?.engine ?? 'external',
      async close() {
        await connection.close();
        if (embedded) {
          if (opts.advertise) fs.rmSync(embeddedUriFile(config.dataDir), { force: true });
          await embedded.stop();
        }
      },
    };
  } catch (e) {
    await embedded?.stop();
    throw e;
  }
}

export async function connect(uri: string, dbName: string): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    dbName,
    // Fail fast: /readyz and requests should report an outage in seconds, not after 30 s.
    serverSelectionTimeoutMS: 5_000,
    // Indexes are built explicitly at start-up (syncIndexes), not lazily per model.
    autoIndex: false,
    autoCreate: false,
    // Command events feed the per-process command counter (src/db/commands.ts) used by the
    // round-trip tests and the benchmarks; without listeners they cost next to nothing.
    monitorCommands: true,
  });
  await connection.asPromise();
  return connection;
}

async function runningEmbeddedUri(dataDir: string): Promise<string | undefined> {
  try {
    const info = JSON.parse(fs.readFileSync(embeddedUriFile(dataDir), 'utf8')) as { uri: string; pid: number };
    process.kill(info.pid, 0); // throws when that server is gone
    return info.uri;
  } catch {
    return undefined;
  }
}

/** Creates collections and builds the indexes declared with every registered model. */
export async function buildIndexes(connection: Connection): Promise<void> {
  for (const model of Object.values(connection.models)) {
    await model.createCollection().catch((e: { code?: number }) => {
      if (e.code !== 48) throw e; // 48: NamespaceExists
    });
    await model.createIndexes();
  }
}

/** Pings the database; resolves false on failure or after `timeoutMs`. */
export async function pingDatabase(connection: Connection, timeoutMs: number): Promise<boolean> {
  const db = connection.db;
  if (!db || connection.readyState !== 1) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      db.command({ ping: 1 }, { timeoutMS: timeoutMs }).then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
