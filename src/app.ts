import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/config';
import { buildIndexes, openDatabase, type DatabaseHandle } from './db/database';
import { buildEasemobPortServer, buildHttpServer } from './http/server';
import { createRateLimiter } from './http/rate-limit';
import { createServices, type Services } from './services';

export interface Application {
  config: Config;
  services: Services;
  db: DatabaseHandle;
  http: FastifyInstance;
  /** The Easemob adapter at the root of EASEMOB_PORT, when configured. */
  easemobHttp?: FastifyInstance;
  /** Starts listening; resolves to the base URL. */
  listen(): Promise<string>;
  /** Stops accepting, finishes in-flight requests, closes sockets, then the database. */
  close(): Promise<void>;
}

/** Wires database, services and transports. Used by `npm start`, the CLI's tests and the test harness. */
export async function createApplication(
  config: Config,
  log: Logger,
  opts: { db?: DatabaseHandle; advertiseEmbedded?: boolean } = {},
): Promise<Application> {
  const db = opts.db ?? (await openDatabase(config, log, { advertise: opts.advertiseEmbedded }));
  try {
    const services = createServices(config, db.connection);
    await buildIndexes(db.connection);
    // One limiter for every surface of a vendor dialect, so a second port is no way around it.
    const limiter = createRateLimiter(config.easemobRateLimit);
    const http = await buildHttpServer({ config, services, db, log, limiter });
    const easemobHttp = config.easemobPort !== undefined ? await buildEasemobPortServer({ config, services, log, limiter }) : undefined;
    let closing: Promise<void> | undefined;
    return {
      config,
      services,
      db,
      http,
      easemobHttp,
      async listen() {
        await http.listen({ host: config.host, port: config.port });
        if (easemobHttp) await easemobHttp.listen({ host: config.host, port: config.easemobPort });
        const addr = http.server.address();
        const port = typeof addr === 'object' && addr ? addr.port : config.port;
        const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
        return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      },
      close() {
        closing ??= (async () => {
          await Promise.all([http.close(), easemobHttp?.close()]);
          await services.deliveries.stop();
          await db.close();
        })();
        return closing;
      },
    };
  } catch (e) {
    await db.close();
    throw e;
  }
}
