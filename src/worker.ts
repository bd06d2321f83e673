import { createCluster } from './app/cluster';
import { loadConfig, ConfigError } from './app/config';
import { createServices } from './app/services';
import { buildIndexes, openDatabase } from './db/database';
import { createLogger } from './logger';

/**
 * `npm run worker`: an outbox worker alone, on the database of a running `npm start` (embedded) or
 * MONGODB_URI. Any number of these and of servers may run at once: claims keep every attempt to one.
 */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\nSee README.md, section Configuration.\n`);
      process.exit(2);
    }
    throw e;
  }
  const log = createLogger(config.core.logLevel);
  const db = await openDatabase(config.database, log, { reuseRunning: true });
  const cluster = await createCluster(config, log);
  const services = createServices(config, db.connection, log, cluster);
  await buildIndexes(db.connection);
  services.outboxWorker.start();
  log.info({ worker: services.outboxWorker.id, database: db.engine }, 'outbox worker running');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'worker stopping');
    setTimeout(() => process.exit(1), config.http.shutdownGraceMs).unref();
    services
      .stopOutbox()
      .then(() => services.stopPresence())
      .then(() => cluster.close())
      .then(() => db.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, 'worker stop failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
