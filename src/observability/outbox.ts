import client from 'prom-client';
import { metricsOn, registry } from './metrics';

/** Outbox metrics: attempts and their outcomes as they happen, the backlog read from the store at scrape time. */

const attempts = new client.Counter({
  name: 'imfacade_outbox_attempts_total',
  help: 'Delivery attempts, by destination kind (webhook, robot, gateway, im) and outcome (delivered, failed, dead)',
  labelNames: ['kind', 'outcome'] as const,
  registers: [registry],
});
const failures = new client.Counter({
  name: 'imfacade_outbox_failures_total',
  help: 'Failed attempts by kind and reason (http_4xx, http_5xx, redirect, timeout, blocked, network, no_endpoint, error)',
  labelNames: ['kind', 'reason'] as const,
  registers: [registry],
});
const dead = new client.Counter({
  name: 'imfacade_outbox_dead_letters_total',
  help: 'Deliveries that became dead (every attempt failed, or the destination is gone), by kind',
  labelNames: ['kind'] as const,
  registers: [registry],
});

/** WEBHOOK, ROBOT and IM are the outbox's own channels; any other is a gateway's (SMS, EMAIL, …). */
export function destinationKind(channel: string): string {
  return channel === 'WEBHOOK' ? 'webhook' : channel === 'ROBOT' ? 'robot' : channel === 'IM' ? 'im' : 'gateway';
}

function failureReason(error: { status?: number; message: string } | undefined, endpointMissing: boolean): string {
  if (endpointMissing) return 'no_endpoint';
  if (error?.status !== undefined)
    return error.status >= 300 && error.status < 400 ? 'redirect' : `http_${Math.floor(error.status / 100)}xx`;
  const m = error?.message ?? '';
  if (/time(d)? ?out/i.test(m)) return 'timeout';
  if (/not allowed|private|blocked/i.test(m)) return 'blocked';
  if (/ECONN|ENOTFOUND|EAI_AGAIN|socket|network/i.test(m)) return 'network';
  return 'error';
}

export function recordAttempt(
  channel: string,
  state: 'delivered' | 'failed' | 'dead',
  error?: { status?: number; message: string },
  endpointMissing = false,
): void {
  if (!metricsOn()) return;
  const kind = destinationKind(channel);
  attempts.inc({ kind, outcome: state });
  if (state !== 'delivered') failures.inc({ kind, reason: failureReason(error, endpointMissing) });
  if (state === 'dead') dead.inc({ kind });
}

const KINDS = ['webhook', 'robot', 'gateway', 'im'];
const PENDING_STATES = ['queued', 'sending', 'failed', 'dead'];

/** The backlog as the store counts it: deliveries by kind and state, and the oldest pending one's age. */
export interface OutboxBacklog {
  counts: { kind: string; state: string; n: number }[];
  oldestPendingSeconds: Record<string, number>;
}

const readers = new Set<() => Promise<OutboxBacklog>>();
/** The store is asked at most once per interval, however often Prometheus and the console scrape. */
const CACHE_MS = 5_000;
let cached: { at: number; value: Promise<OutboxBacklog[]> } | undefined;
async function backlog(): Promise<OutboxBacklog[]> {
  if (!cached || Date.now() - cached.at > CACHE_MS) {
    const value = Promise.all([...readers].map((r) => r().catch(() => ({ counts: [], oldestPendingSeconds: {} }))));
    cached = { at: Date.now(), value };
  }
  return cached.value;
}

new client.Gauge({
  name: 'imfacade_outbox_deliveries',
  help: 'Deliveries stored, by destination kind and state (queued, sending, failed, dead; delivered ones are not counted)',
  labelNames: ['kind', 'state'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    // Every series is present, at 0 when empty: a dashboard shows 0, not "no data".
    for (const kind of KINDS) for (const state of PENDING_STATES) this.set({ kind, state }, 0);
    for (const b of await backlog()) for (const c of b.counts) this.inc({ kind: c.kind, state: c.state }, c.n);
  },
});
new client.Gauge({
  name: 'imfacade_outbox_oldest_pending_age_seconds',
  help: 'Age of the oldest delivery still queued, sending or failed, by destination kind',
  labelNames: ['kind'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    for (const kind of KINDS) this.set({ kind }, 0);
    for (const b of await backlog()) for (const [kind, s] of Object.entries(b.oldestPendingSeconds)) this.set({ kind }, s);
  },
});

/** Adds a backlog reader (an outbox store); returns its removal. */
export function addBacklogReader(read: () => Promise<OutboxBacklog>): () => void {
  readers.add(read);
  cached = undefined;
  return () => readers.delete(read);
}

/** Forgets the cached backlog (a test that just changed it). */
export const refreshBacklog = () => void (cached = undefined);
