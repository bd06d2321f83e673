import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildIndexes, openDatabase, type DatabaseHandle } from '../db/database';
import { mountGraphql } from '../graphql/server';
import type { SurfacePort } from '../ports/surface';
import { surfaceOf } from './surface';
import { registerHealthRoutes } from '../http/health';
import { createDrain } from '../http/drain';
import { createBaseServer, listen, type BaseServerOptions } from '../http/server';
import { createCluster } from './cluster';
import { createTarpit, type Tarpit } from '../vendors/kit/tarpit';
import type { KitDeps } from '../vendors/kit/router';
import type { AdapterSettings } from '../vendors/kit/adapter';
import type { Connection } from 'mongoose';
import { createTokenBuckets, type TokenBuckets } from '../vendors/kit/token-bucket';
import { createRedisTokenBuckets } from '../vendors/kit/redis-token-buckets';
import { clientAddressKey } from '../vendors/kit/client-address';
import { builtInAdapters, type AdapterId, type AnyAdapter } from '../vendors';
import type { Config } from './config';
import { createServices, type Services } from './services';
import { settingsOf } from './plugins';
import { startObservability } from './observability';

type Telemetry = ReturnType<typeof startObservability>;

const SETTLE_QUIET_MS = 250;
const SETTLE_MAX_MS = 2_000;

export interface Application {
  config: Config;
  services: Services;
  db: DatabaseHandle;
  http: FastifyInstance;
  /** Adapters served at the root of a port of their own (`<ID>_PORT`), by adapter id. */
  adapterServers: Partial<Record<AdapterId, FastifyInstance>> & Record<string, FastifyInstance | undefined>;
  /** graphql-ws sockets, and the bytes written to them that their clients have not read yet. */
  liveStats(): { sockets: number; bufferedBytes: number; operations: number };
  /** The port of `/metrics` when METRICS_PORT is set (after listen()). */
  metricsPort(): number | undefined;
  /** Starts listening; resolves to the base URL. */
  listen(): Promise<string>;
  /**
   * The first step of a graceful shutdown: for `ms`, every request on every port is answered 503 +
   * `Retry-After` + `Connection: close` (see http/drain.ts) so that keep-alive clients and load
   * balancers move away before any socket is closed under them.
   */
  drain(ms: number): Promise<void>;
  /** Stops accepting, finishes in-flight requests, closes sockets, then the database. */
  close(): Promise<void>;
}

/**
 * Each adapter: its prefix on the main port and, when configured, the root of its own port,
 * sharing one set of rate limits so a second port is no way around them.
 */
async function mountAdapters(
  adapters: readonly AnyAdapter[],
  http: FastifyInstance,
  services: SurfacePort,
  config: Config,
  log: Logger,
  base: BaseServerOptions,
  shared: {
    anonymous: TokenBuckets;
    tarpit: Tarpit;
    buckets: (name: string, perSecond: number) => TokenBuckets;
    connection: Connection;
    telemetry: Telemetry;
  },
) {
  const adapterServers: Application['adapterServers'] = {};
  for (const adapter of adapters) {
    const settings = settingsOf(config, adapter);
    // Its own areas of state, once per process (both mounts share them).
    const state: unknown = adapter.state?.({ connection: shared.connection, log }, settings);
    const deps: KitDeps & { settings: AdapterSettings; state: unknown } = {
      services,
      settings,
      state,
      limits: { perApp: shared.buckets(adapter.id, settings.ratePerSecond), anonymous: shared.anonymous, tarpit: shared.tarpit },
      retryAfterSeconds: config.database.retryAfterSeconds,
      // Promised: an answer within DB_TIMEOUT_MS + 1 s as the client sees it; a quarter second is left for it to travel.
      deadlineMs: config.database.timeoutMs + 750,
    };
    await http.register((scope) => adapter.register(scope, deps), { prefix: adapter.prefix });
    if (settings.port !== undefined) {
      const own = createBaseServer(log, { ...base, notFound: false });
      shared.telemetry.mountAdapterPort(own, adapter.id);
      await own.register((scope) => adapter.register(scope, deps));
      adapterServers[adapter.id] = own;
    }
  }
  return adapterServers;
}

/** Wires database, services and transports. Used by `npm start`, the CLI's tests and the test harness. */
export async function createApplication(
  config: Config,
  log: Logger,
  opts: {
    db?: DatabaseHandle;
    advertiseEmbedded?: boolean;
    adapters?: readonly AnyAdapter[];
    /** The clock of the in-process rate budgets (tests advance it instead of waiting for a refill). */
    now?: () => number;
  } = {},
): Promise<Application> {
  const adapters = opts.adapters ?? builtInAdapters;
  const db =
    opts.db ??
    (await openDatabase(config.database, log, { advertise: opts.advertiseEmbedded, superviseAfterMs: config.database.superviseAfterMs }));
  let started: Telemetry | undefined;
  try {
    const telemetry = (started = startObservability(config, db.connection, log));
    const cluster = await createCluster(config, log);
    const { events } = cluster;
    const services = createServices(config, db.connection, log, cluster, adapters);
    await buildIndexes(db.connection);
    const drain = createDrain(config.database.retryAfterSeconds);
    const base = {
      bodyLimitBytes: config.http.bodyLimitBytes,
      trustProxy: config.http.trustProxy,
      retryAfterSeconds: config.database.retryAfterSeconds,
      drain,
      corsOrigins: config.api.corsOrigins ?? (config.core.env === 'development' ? ['*'] : []),
    };
    const http = createBaseServer(log, base);
    telemetry.mountMain(http, adapters, base);
    registerHealthRoutes(http, db.connection, { events, redisRequired: config.redis.required });
    // With Redis every budget is one for the whole deployment (kit/redis-token-buckets.ts), else this instance's.
    const { redis, prefix } = cluster;
    const buckets = (name: string, perSecond: number, o: { failureCost?: number } = {}): TokenBuckets =>
      redis
        ? createRedisTokenBuckets(redis, `${prefix}rate:${name}:`, perSecond, o)
        : createTokenBuckets(perSecond, { ...o, now: opts.now });
    // One anonymous budget per client address for every surface: GraphQL and each adapter.
    const anonymous = buckets('anonymous', config.auth.anonymousPerSecond, { failureCost: config.auth.anonymousFailureCost });
    const tarpit = createTarpit(config.auth.anonymousTarpitMax);
    const { subscribeRate: rate, maxSubscriptions } = config.websocket;
    const rateLimits = {
      perPrincipal: buckets('graphql', config.auth.graphqlPerSecond),
      // A socket may open all the subscriptions it is allowed at once, then subscribes at `rate`.
      perSocket: () => {
        const own = createTokenBuckets(rate, { burst: Math.max(maxSubscriptions, rate), now: opts.now });
        return { take: () => own.takeNow('socket') };
      },
      anonymous,
      addressKey: clientAddressKey,
      tarpit,
    };
    const surface = surfaceOf(services, telemetry.serviceWrapper());
    const graphql = await mountGraphql(http, surface, log, {
      ...config.core,
      api: config.api,
      ws: config.websocket,
      rateLimits,
      retryAfterSeconds: config.database.retryAfterSeconds,
      trustProxy: config.http.trustProxy,
      drain,
      extensions: adapters.flatMap((a) => (a.graphql ? [a.graphql] : [])),
    });

    telemetry.watchLive(graphql.liveStats, () => services.events.subscriptionCount());
    const adapterServers = await mountAdapters(adapters, http, surface, config, log, base, {
      telemetry,
      anonymous,
      tarpit,
      buckets,
      connection: db.connection,
    });
    if (config.outbox.worker) services.outboxWorker.start();

    let closing: Promise<void> | undefined;
    return {
      config,
      services,
      db,
      http,
      adapterServers,
      liveStats: graphql.liveStats,
      metricsPort: telemetry.port,
      async listen() {
        const url = await listen(http, config.http.host, config.http.port);
        for (const adapter of adapters) {
          const own = adapterServers[adapter.id];
          if (own) await listen(own, config.http.host, settingsOf(config, adapter).port!);
        }
        await telemetry.listen();
        return url;
      },
      async drain(ms) {
        drain.begin();
        await sleep(ms);
        // A request on a just-accepted socket arrives within milliseconds; an idle socket has none coming.
        await drain.settle(SETTLE_QUIET_MS, SETTLE_MAX_MS);
      },
      close() {
        closing ??= (async () => {
          drain.begin();
          await Promise.all([http.close(), ...Object.values(adapterServers).map((s) => s?.close())]);
          await services.stopOutbox();
          await services.deliveries.stop();
          await services.stopPresence();
          await cluster.close();
          await telemetry.stop();
          await db.close();
        })();
        return closing;
      },
    };
  } catch (e) {
    await started?.stop();
    await db.close();
    throw e;
  }
}
