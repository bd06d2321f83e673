import pino from 'pino';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/db/embedded';

declare global {
  var __IMFACADE_TEST_DB__: EmbeddedDatabase | undefined;
}

/**
 * One database server for the whole run (MONGODB_URI, else an embedded one found the way
 * `npm start` finds it); every test file then works in a database of its own and drops it.
 */
export default async function globalSetup() {
  if (process.env.MONGODB_URI) {
    process.env.TEST_MONGODB_URI = process.env.MONGODB_URI;
    process.stdout.write(`\n[tests] database: MONGODB_URI\n`);
    return;
  }
  const engine = (process.env.DB_ENGINE as 'auto' | 'memory-server' | 'ferretdb' | undefined) ?? 'auto';
  const db = await startEmbeddedDatabase({ engine, log: pino({ level: 'error' }) });
  globalThis.__IMFACADE_TEST_DB__ = db;
  process.env.TEST_MONGODB_URI = db.uri;
  process.env.TEST_DB_ENGINE = db.engine;
  process.stdout.write(`\n[tests] database: embedded ${db.engine} at ${db.uri}\n`);
}
