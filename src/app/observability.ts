import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Connection } from 'mongoose';
import { observeHttp } from '../observability/http';
import { enableMetrics, gauges } from '../observability/metrics';
import { registerMetricsRoute } from '../observability/endpoint';
import { monitorDatabase } from '../observability/stores';
import { inSpan, startTracing, tracingOn } from '../observability/tracing';
import { createBaseServer, listen, type BaseServerOptions } from '../http/server';
import { registerConsole } from '../http/console';
import type { AnyAdapter } from '../vendors';
import type { Config } from './config';

/**
 * Metrics, traces and the operator console, wired to one application: what is on follows the
 * `observability` config section; everything started here stops with `stop()`.
 */
export function startObservability(config: Config, connection: Connection, log: Logger) {
  const o = config.observability;
  if (o.metrics) enableMetrics();
  const stopTracing = o.tracing ? startTracing(o.tracing) : undefined;
  if (o.tracing) log.info({ url: o.tracing.url, ratio: o.tracing.ratio }, 'tracing: spans are exported over OTLP/HTTP');
  const stops: (() => unknown)[] = [monitorDatabase(connection)];
  let metricsServer: FastifyInstance | undefined;

  return {
    /** Main port: RED metrics and server spans, `/metrics` behind its token, the console. */
    mountMain(http: FastifyInstance, adapters: readonly AnyAdapter[], base: BaseServerOptions) {
      const prefixes = adapters.map((a) => ({ prefix: a.prefix, id: a.id }));
      observeHttp(http, (route) => {
        if (route === '/console' || route.startsWith('/console/')) return 'console';
        return prefixes.find((p) => route === p.prefix || route.startsWith(`${p.prefix}/`))?.id ?? 'system';
      });
      if (o.metricsToken) registerMetricsRoute(http, o.metricsToken);
      if (o.console) registerConsole(http);
      if (o.metricsPort !== undefined) {
        metricsServer = createBaseServer(log, { ...base, corsOrigins: [] });
        registerMetricsRoute(metricsServer, undefined);
      }
    },
    /** An adapter's own port: every route is that adapter's. */
    mountAdapterPort(own: FastifyInstance, adapterId: string) {
      observeHttp(own, () => adapterId);
    },
    /** The live server's figures, read at scrape time. */
    watchLive(stats: () => { sockets: number; operations: number }, busListeners: () => number) {
      stops.push(
        gauges.sockets(() => stats().sockets),
        gauges.subscriptions(() => stats().operations),
        gauges.busListeners(busListeners),
      );
    },
    /** A span around each checked service call, when tracing (the surface → service → database chain). */
    serviceWrapper(): ((name: string, fn: (...a: unknown[]) => unknown) => (...a: unknown[]) => unknown) | undefined {
      if (!tracingOn()) return undefined;
      return (name, fn) =>
        (...args) =>
          inSpan(name, () => fn(...args), { 'imfacade.service': name });
    },
    /** The metrics port actually bound (METRICS_PORT=0 picks one). */
    port(): number | undefined {
      const addr = metricsServer?.server.address();
      return typeof addr === 'object' && addr ? addr.port : undefined;
    },
    async listen(): Promise<string | undefined> {
      return metricsServer ? listen(metricsServer, config.http.host, o.metricsPort!) : undefined;
    },
    async stop() {
      await metricsServer?.close();
      for (const stop of stops) stop();
      await stopTracing?.();
    },
  };
}
