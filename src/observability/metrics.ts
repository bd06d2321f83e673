import client from 'prom-client';

/**
 * The process's Prometheus metrics (docs/OPERATIONS.md lists every name). One registry per
 * process, as Prometheus scrapes processes; nothing is recorded until `enableMetrics()` (metrics
 * exposed or the console on), so a server without them pays one boolean test per event.
 * Hot paths (frames written to sockets) only add to plain numbers that are read at scrape time.
 */
export const registry = new client.Registry();
let on = false;

export const metricsOn = () => on;

/** The bench only (bench/scenarios/observability.ts): recording off again, to measure on against off in one process. */
export function disableMetrics(): void {
  on = false;
}

export function enableMetrics(): void {
  if (on) return;
  on = true;
  if (registry.getSingleMetric('imfacade_process_cpu_seconds_total')) return;
  client.collectDefaultMetrics({ register: registry, prefix: 'imfacade_' });
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const requests = new client.Counter({
  name: 'imfacade_requests_total',
  help: 'Requests answered, by surface (graphql, graphql-ws, an adapter id, web, console, system), operation (GraphQL operation name or route template) and code (HTTP status, or the GraphQL error code / OK)',
  labelNames: ['surface', 'operation', 'code'] as const,
  registers: [registry],
});
const requestSeconds = new client.Histogram({
  name: 'imfacade_request_duration_seconds',
  help: 'Time from a request arriving to its answer, by surface and operation',
  labelNames: ['surface', 'operation'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});
const refusals = new client.Counter({
  name: 'imfacade_limit_refusals_total',
  help: 'Requests refused by a limit: rate, login_backoff, tarpit (a refusal held back), cost, depth, aliases, directives, tokens, heavy_queue, socket_rate',
  labelNames: ['limit'] as const,
  registers: [registry],
});
const events = new client.Counter({
  name: 'imfacade_events_published_total',
  help: 'Domain events published by this instance, by type (message.added counts messages sent)',
  labelNames: ['type'] as const,
  registers: [registry],
});

/** What a surface reports once it has answered. */
export function recordRequest(surface: string, operation: string, code: string, seconds: number): void {
  if (!on) return;
  requests.inc({ surface, operation, code });
  requestSeconds.observe({ surface, operation }, seconds);
}

export function recordRefusal(limit: string): void {
  if (on) refusals.inc({ limit });
}

export function recordEvent(type: string): void {
  if (on) events.inc({ type });
}

/**
 * GraphQL operation names as labels: the first MAX_NAMES distinct names of operations that ran
 * keep their own series, later ones are pooled as `other`, so a client inventing names cannot
 * grow the registry. A refused operation only uses a name already known (else `other`): junk
 * documents cannot take the places of the real ones.
 */
const MAX_NAMES = 200;
const names = new Set<string>();
export function operationLabel(name: string | null | undefined, ran = true): string {
  if (!name) return 'anonymous';
  if (names.has(name)) return name;
  if (!ran || names.size >= MAX_NAMES || name.length > 100) return 'other';
  names.add(name);
  return name;
}

/** A counter whose value lives in a plain number (read at scrape time). */
function countedAt(name: string, help: string, read: () => number) {
  return new client.Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/** Written by the live server on every frame: plain additions, nothing else on the hot path. */
export const liveCounts = { frames: 0, bytes: 0, backpressureCloses: 0 };
countedAt('imfacade_live_frames_total', 'WebSocket frames written (graphql-ws)', () => liveCounts.frames);
countedAt('imfacade_live_bytes_total', 'Payload bytes written to WebSockets', () => liveCounts.bytes);
countedAt(
  'imfacade_live_backpressure_closes_total',
  'WebSockets closed (1013) because their client did not read fast enough',
  () => liveCounts.backpressureCloses,
);

const fanout = new client.Histogram({
  name: 'imfacade_fanout_latency_seconds',
  help: "From an event's publication (right after its write committed) to its frame being ready for every local subscriber of one subscription shape",
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});
const busLag = new client.Histogram({
  name: 'imfacade_bus_lag_seconds',
  help: 'From an event published (on any instance) to this instance handling it',
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

/** Publication times of the events being delivered, by id (bounded: the oldest go first). */
const published = new Map<string, number>();
const MAX_PUBLISHED = 10_000;

export function fanoutStart(eventId: string, at: number): void {
  if (!on) return;
  published.set(eventId, at);
  if (published.size > MAX_PUBLISHED) published.delete(published.keys().next().value!);
}

/** A frame of `eventId` is ready for its sockets. */
export function fanoutDone(eventId: string): void {
  const at = on ? published.get(eventId) : undefined;
  if (at !== undefined) fanout.observe(Math.max(0, Date.now() - at) / 1000);
}

export function observeBusLag(seconds: number): void {
  if (on) busLag.observe(Math.max(0, seconds));
}

/** Gauges read from the running parts at scrape time; each part adds its reader and removes it when it stops. */
type Reader = () => number | Promise<number>;
function summedGauge(name: string, help: string) {
  const readers = new Set<Reader>();
  new client.Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      let total = 0;
      for (const r of readers) total += await r();
      this.set(total);
    },
  });
  return (read: Reader) => {
    readers.add(read);
    return () => readers.delete(read);
  };
}

export const gauges = {
  sockets: summedGauge('imfacade_live_sockets', 'Open graphql-ws sockets'),
  subscriptions: summedGauge('imfacade_live_subscriptions', 'Running operations on graphql-ws sockets'),
  busListeners: summedGauge('imfacade_bus_listeners', 'Handlers listening on the event bus (live streams, socket watches, workers)'),
  adapterSockets: summedGauge('imfacade_adapter_sockets', 'Open realtime sockets of vendor adapters (their own protocols)'),
  poolInUse: summedGauge('imfacade_db_pool_connections_in_use', 'Database connections checked out of the pool'),
};

/** Reads every series of one metric name: the console's figures come from the same numbers Prometheus sees. */
export async function metricValues(name: string): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return [];
  const data = await metric.get();
  return data.values.map((v) => ({ labels: v.labels as Record<string, string | number>, value: v.value }));
}
