import fs from 'node:fs';
import path from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from 'pino';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded';
import { superviseEmbedded } from './supervisor';

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
/** What opening a database needs: the `database` section of the configuration. */
export interface DatabaseSettings {
  uri?: string;
  name: string;
  engine: 'auto' | 'memory-server' | 'ferretdb';
  dataDir: string;
  ferretdbBin?: string;
  timeoutMs: number;
}

export async function openDatabase(
  config: DatabaseSettings,
  log: Logger,
  opts: { advertise?: boolean; reuseRunning?: boolean; superviseAfterMs?: number } = {},
): Promise<DatabaseHandle> {
  let uri = config.uri;
  let embedded: EmbeddedDatabase | undefined;
  if (!uri && opts.reuseRunning) uri = await runningEmbeddedUri(config.dataDir);
  if (!uri) {
    embedded = await startEmbeddedDatabase({
      engine: config.engine,
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
    const connection = await connect(uri, config.name, config.timeoutMs);
    const db = embedded;
    const supervisor =
      db?.restart && opts.superviseAfterMs
        ? superviseEmbedded({
            connection,
            db: {
              restart: () => db.restart!(),
              get pid() {
                return db.pid;
              },
            },
            restartAfterMs: opts.superviseAfterMs,
            log,
          })
        : undefined;
    return {
      connection,
      uri,
      engine: embedded?.engine ?? 'external',
      async close() {
        supervisor?.stop();
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

export async function connect(uri: string, dbName: string, timeoutMs = 5_000): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    dbName,
    // Fail fast: /readyz and requests should report an outage in seconds (503), not after 30 s,
    // and no operation waits in mongoose's buffer for a connection that is gone.
    serverSelectionTimeoutMS: timeoutMs,
    // A deadline on every operation, client side (driver 7 has no operation-wide timeoutMS any
    // more): a socket that brings no answer within `timeoutMs`, or a connection that cannot be
    // made in that time, fails the operation. A database that accepts connections but stops
    // answering mid-command (a wedged FerretDB, a SIGSTOPped process) is noticed, the request is
    // answered 503, and the connection it used is discarded. The server side gets maxTimeMS on
    // every query (below), which MongoDB and FerretDB honour, so a slow query also stops there.
    socketTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    // One attempt within the deadline: a retried read would wait it out a second time. Reads are
    // retried, where it is safe, by the client that got the 503 (Retry-After).
    retryReads: false,
    bufferCommands: false,
    // Indexes are built explicitly at start-up (syncIndexes), not lazily per model.
    autoIndex: false,
    autoCreate: false,
    // Command events feed the per-process command counter (src/db/commands.ts) used by the
    // round-trip tests and the benchmarks; without listeners they cost next to nothing.
    monitorCommands: true,
  });
  connection.set('maxTimeMS', timeoutMs);
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
