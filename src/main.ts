import { loadConfig, ConfigError } from './app/config';
import { createApplication } from './app/index';
import { NoDatabaseError } from './db/embedded';
import { createLogger } from './logger';
import { ensureDemoApp } from './cli/demo';

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
  let app;
  try {
    app = await createApplication(config, log, { advertiseEmbedded: true });
  } catch (e) {
    if (e instanceof NoDatabaseError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(3);
    }
    throw e;
  }
  if (config.core.demoApp) await ensureDemoApp(app.services, log, (text) => process.stdout.write(text));
  const url = await app.listen();
  log.info({ url: `${url}/graphql`, database: app.db.engine }, 'imfacade listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('graceful shutdown timed out; exiting');
      process.exit(1);
    }, config.http.shutdownGraceMs);
    force.unref();
    app
      .drain(config.http.shutdownDrainMs)
      .then(() => app.close())
      .then(
        () => {
          log.info('shutdown complete');
          process.exit(0);
        },
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
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
