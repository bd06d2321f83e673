import client from 'prom-client';
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { activeSpan, failSpan, SpanKind, startSpan, tracingOn, type Span } from './tracing';
import { gauges, metricsOn, registry } from './metrics';

/** Metrics and spans of what the server talks to: the database and Redis. */

const dbOps = new client.Counter({
  name: 'imfacade_db_operations_total',
  help: 'Database commands sent, by collection and command (find, insert, update, aggregate …)',
  labelNames: ['collection', 'command'] as const,
  registers: [registry],
});
const dbSeconds = new client.Histogram({
  name: 'imfacade_db_operation_duration_seconds',
  help: 'Database command latency, by command',
  labelNames: ['command'] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});
const dbFailures = new client.Counter({
  name: 'imfacade_db_operation_failures_total',
  help: 'Database commands that failed, by command and kind (timeout, network, server)',
  labelNames: ['command', 'kind'] as const,
  registers: [registry],
});
const redisCommands = new client.Counter({
  name: 'imfacade_redis_commands_total',
  help: 'Redis commands sent, by connection role (commands, publisher)',
  labelNames: ['role'] as const,
  registers: [registry],
});
const redisReconnects = new client.Counter({
  name: 'imfacade_redis_reconnects_total',
  help: 'Redis reconnection attempts, by connection role (commands, publisher, subscriber)',
  labelNames: ['role'] as const,
  registers: [registry],
});

interface CommandEvent {
  requestId: number;
  connectionId?: string | number;
  commandName: string;
  command?: Record<string, unknown>;
  duration?: number;
  failure?: unknown;
}

const failureKind = (failure: unknown) => {
  const e = failure as { name?: string; code?: number } | undefined;
  if (e?.code === 50 || /Timeout/.test(e?.name ?? '')) return 'timeout';
  return /Network/.test(e?.name ?? '') ? 'network' : 'server';
};

/** Command monitoring of a connection: counts, latencies and failures, and a span per command inside a traced request. */
export function monitorDatabase(connection: Connection): () => void {
  const client = connection.getClient();
  const open = new Map<string, { command: string; span?: Span }>();
  const key = (e: CommandEvent) => `${e.connectionId ?? ''}:${e.requestId}`;
  const started = (e: CommandEvent) => {
    // Every command passes here: with metrics and tracing off it costs two tests and no more.
    if (!metricsOn() && !tracingOn()) return;
    const target = e.command?.[e.commandName];
    const collection = typeof target === 'string' ? target : '';
    if (metricsOn()) dbOps.inc({ collection, command: e.commandName });
    // Only inside a traced request: the workers' polling would otherwise fill the collector.
    const span = activeSpan()
      ? startSpan(`mongodb ${e.commandName} ${collection}`.trim(), SpanKind.CLIENT, {
          'db.system': 'mongodb',
          'db.operation.name': e.commandName,
          'db.collection.name': collection,
        })
      : undefined;
    if (span || metricsOn()) open.set(key(e), { command: e.commandName, span });
  };
  const ended = (e: CommandEvent) => {
    const entry = open.get(key(e));
    if (!entry) return;
    open.delete(key(e));
    if (metricsOn()) {
      dbSeconds.observe({ command: entry.command }, (e.duration ?? 0) / 1000);
      if (e.failure) dbFailures.inc({ command: entry.command, kind: failureKind(e.failure) });
    }
    if (entry.span) {
      if (e.failure) failSpan(entry.span, String((e.failure as Error).message ?? e.failure));
      entry.span.end();
    }
  };
  let inUse = 0;
  const out = () => inUse++;
  const back = () => (inUse = Math.max(0, inUse - 1));
  const stopGauge = gauges.poolInUse(() => inUse);
  client.on('commandStarted', started);
  client.on('commandSucceeded', ended);
  client.on('commandFailed', ended);
  client.on('connectionCheckedOut', out);
  client.on('connectionCheckedIn', back);
  return () => {
    stopGauge();
    client.off('commandStarted', started);
    client.off('commandSucceeded', ended);
    client.off('commandFailed', ended);
    client.off('connectionCheckedOut', out);
    client.off('connectionCheckedIn', back);
  };
}

type Sendable = { sendCommand(command: { name: string; promise: Promise<unknown> }, ...rest: unknown[]): unknown };

/** Counts a Redis connection's commands and reconnects; a span per command inside a traced request. */
export function monitorRedis(redis: Redis, role: string): void {
  redis.on('reconnecting', () => metricsOn() && redisReconnects.inc({ role }));
  const target = redis as unknown as Sendable;
  const send = target.sendCommand.bind(redis);
  // ioredis has no command hook: this instance's own method is wrapped (never the prototype).
  target.sendCommand = (command, ...rest) => {
    if (metricsOn()) redisCommands.inc({ role });
    const span = activeSpan() ? startSpan(`redis ${command.name}`, SpanKind.CLIENT, { 'db.system': 'redis' }) : undefined;
    if (span)
      command.promise.then(
        () => span.end(),
        (e: unknown) => (failSpan(span, String((e as Error)?.message ?? e)), span.end()),
      );
    return send(command, ...rest);
  };
}
