import crypto from 'node:crypto';
import os from 'node:os';
import type { Log } from '../domain/context';
import { isDomainError } from '../domain/errors';
import type { Endpoint, EndpointDirectory } from './endpoints';
import type { HttpPoster } from './http-post';
import type { DeliveryDoc } from './model';
import { postDelivery } from './post-delivery';
import type { AttemptOutcome, DeliveryStore } from './store';
import { recordAttempt } from '../observability/outbox';
import { inSpan, inTraceOf, SpanKind } from '../observability/tracing';

export interface WorkerSettings {
  concurrency: number;
  pollMs: number;
  timeoutMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export interface WorkerDeps {
  store: DeliveryStore;
  endpoints: EndpointDirectory;
  poster: HttpPoster;
  settings: WorkerSettings;
  log: Log;
  /** The in-app channel: stores a system message for the destination (idempotent by delivery id). */
  deliverInApp(doc: DeliveryDoc): Promise<void>;
  /** Every state a delivery enters, for `deliveryChanged`. */
  changed(doc: DeliveryDoc): void;
}

/** Exponential with "equal jitter": attempt n waits between half and all of base·2^(n-1), so delays never shrink. */
export function backoffMs(n: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(n - 1, 30));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** How long an outcome write is retried while the database is away (then the lease decides). */
const RECORD_RETRY_MS = 10 * 60_000;

/**
 * Claims due deliveries, posts them and records outcomes. New work enqueued in this process is
 * handed over in memory (no scan); the periodic scan finds retries, other instances' work and
 * whatever a crashed worker left `sending` past its lease. Database writes are batched per round.
 */
export function createOutboxWorker(deps: WorkerDeps) {
  const { store, endpoints, poster, settings, log } = deps;
  const id = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  // Long enough for the post and its outcome write; a lease that runs out means the worker is gone.
  const leaseMs = settings.timeoutMs * 2 + 2_000;
  // Handed over at enqueueing, attempt 1 already this process's (store.enqueue with a lease).
  const ready: DeliveryDoc[] = [];
  const pending: AttemptOutcome[] = [];
  // Deliveries attempted whose outcome is not written yet: the scan leaves them alone, so that an
  // attempt delivered while the database was away is not delivered again when its lease runs out.
  const unrecorded = new Set<string>();
  let inFlight = 0;
  let running = false;
  let pumping = false;
  // A round asked for while one runs is run right after it (a scan if any asker wanted one).
  let again: { scan: boolean } | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let wakeTimer: NodeJS.Timeout | undefined;
  let wakeAt = Infinity;
  let writing: Promise<void> | undefined;
  let idle: (() => void) | undefined;

  type Why = AttemptOutcome['lastError'];
  const outcome = (doc: DeliveryDoc, ok: boolean, error?: Why, o: { permanent?: boolean; noEndpoint?: boolean } = {}): AttemptOutcome => {
    const used = doc.attempts - (doc.budgetFrom ?? 0);
    const state = ok ? 'delivered' : o.permanent || used >= settings.maxAttempts ? 'dead' : 'failed';
    recordAttempt(doc.channel, state, error, o.noEndpoint);
    if (ok) return { id: doc._id, attempt: doc.attempts, state: 'delivered', dueAt: new Date() };
    if (state === 'dead') return { id: doc._id, attempt: doc.attempts, state: 'dead', dueAt: new Date(), lastError: error };
    const dueAt = new Date(Date.now() + backoffMs(used, settings.backoffBaseMs, settings.backoffMaxMs));
    scheduleWake(dueAt.getTime());
    return { id: doc._id, attempt: doc.attempts, state: 'failed', dueAt, lastError: error };
  };

  async function attempt(doc: DeliveryDoc, endpoint: Endpoint): Promise<AttemptOutcome> {
    if (endpoint.kind === 'gone') return outcome(doc, false, { message: endpoint.reason }, { permanent: true, noEndpoint: true });
    if (endpoint.kind === 'wait') return outcome(doc, false, { message: endpoint.reason }, { noEndpoint: true });
    if (endpoint.kind === 'in-app') {
      try {
        await deps.deliverInApp(doc);
        return outcome(doc, true);
      } catch (e) {
        const permanent = isDomainError(e) && e.code !== 'UNAVAILABLE' && e.code !== 'RATE_LIMITED';
        return outcome(doc, false, { message: e instanceof Error ? e.message : String(e) }, { permanent });
      }
    }
    // The delivery joins the trace of the request that caused it; the receiver may join it too.
    const attrs = { 'imfacade.delivery.id': doc._id.toHexString() };
    return inTraceOf(doc.traceparent, () =>
      inSpan(
        `outbox deliver ${doc.channel}`,
        async () => {
          const error = await postDelivery(poster, doc, endpoint);
          return error ? outcome(doc, false, error) : outcome(doc, true);
        },
        attrs,
        SpanKind.CLIENT,
      ),
    );
  }

  function scheduleWake(at: number) {
    if (!running || at >= wakeAt) return;
    clearTimeout(wakeTimer);
    wakeAt = at;
    const due = () => ((wakeAt = Infinity), void pump(true));
    wakeTimer = setTimeout(due, Math.max(0, at - Date.now()));
  }

  /** Writes pending outcomes; while a write runs, new outcomes gather for the next one (one command per batch). */
  function flush(): Promise<void> {
    writing ??= (async () => {
      while (pending.length) {
        // The store writes them a DB_WRITE_BATCH at a time. A failed write (a stalled database) is
        // tried again, for up to RECORD_RETRY_MS, while the scan leaves those deliveries alone: an
        // attempt delivered but not recorded would be delivered twice. A late write for an attempt
        // claimed again since (by another worker) changes nothing.
        const batch = pending.splice(0);
        const since = Date.now();
        for (let attempt = 0; ; attempt++) {
          try {
            await store.record(batch);
            break;
          } catch (e) {
            if (Date.now() - since >= RECORD_RETRY_MS || !running) {
              log.error({ err: e }, 'outbox: recording outcomes failed; their leases will expire and they will be retried');
              break;
            }
            await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * 2 ** attempt)));
          }
        }
        for (const o of batch) unrecorded.delete(o.id.toHexString());
      }
    })().finally(() => {
      writing = undefined;
      if (pending.length) void flush();
    });
    return writing;
  }

  /** One round: take work (handed over, or scanned when asked), resolve, claim, post. */
  async function pump(scan = false): Promise<void> {
    if (!running) return;
    if (pumping) {
      again = { scan: scan || !!again?.scan };
      return;
    }
    pumping = true;
    try {
      for (;;) {
        const room = settings.concurrency - inFlight;
        if (room <= 0) break;
        // A handed-over attempt whose lease is nearly over is left to the scan, which takes the next attempt.
        const safe = Date.now() + settings.timeoutMs + 1_000;
        const owned = ready.splice(0, room).filter((d) => d.dueAt.getTime() > safe);
        let batch = owned;
        if (batch.length === 0 && scan) {
          scan = false;
          batch = (await store.findDue(room)).filter((d) => !unrecorded.has(d._id.toHexString()));
        }
        if (batch.length === 0) {
          if (ready.length > 0) continue;
          break;
        }
        const isOwned = batch === owned;
        const resolved = await Promise.all(batch.map(async (doc) => ({ doc, endpoint: await endpoints.resolve(doc) })));
        const waiting = resolved.flatMap((r) =>
          r.endpoint.kind === 'wait' ? [{ doc: r.doc, reason: r.endpoint.reason, owned: isOwned }] : [],
        );
        await store.setWaiting(waiting);
        const byId = new Map(resolved.map((r) => [r.doc._id.toHexString(), r.endpoint]));
        const attemptable = resolved.filter((r) => r.endpoint.kind !== 'wait').map((r) => r.doc);
        const claimed = isOwned ? attemptable : await store.claim(attemptable, id, leaseMs);
        for (const doc of claimed) {
          inFlight++;
          if (!isOwned) deps.changed(doc);
          void attempt(doc, byId.get(doc._id.toHexString())!).then((o) => {
            unrecorded.add(doc._id.toHexString());
            pending.push(o);
            deps.changed({ ...doc, state: o.state, dueAt: o.dueAt, lastError: o.lastError ?? doc.lastError });
            inFlight--;
            void flush();
            if (inFlight === 0) idle?.();
            void pump();
          });
        }
        if (claimed.length === 0 && ready.length === 0) break;
      }
    } catch (e) {
      log.error({ err: e }, 'outbox: a round failed; the next scan retries');
    } finally {
      pumping = false;
      const next = again;
      again = undefined;
      if (next) void pump(next.scan);
    }
  }

  return {
    id,
    start() {
      if (running) return;
      running = true;
      pollTimer = setInterval(() => void pump(true), settings.pollMs);
      void pump(true);
    },
    /** The lease new deliveries are inserted with when this worker will take them (undefined when it is not running). */
    handOverLease: () => (running ? leaseMs : undefined),
    /** New deliveries inserted with handOverLease(): attempt 1 is this worker's, taken without a scan or a claim. */
    handOver(docs: DeliveryDoc[]) {
      if (!running) return;
      ready.push(...docs.filter((d) => d.state === 'sending' && d.attempts === 1));
      void pump();
    },
    /** Due work elsewhere (a replay, a gateway that appeared): scan now. */
    wake() {
      void pump(true);
    },
    /** Takes no new work, lets attempts in flight finish and records them. */
    async stop() {
      if (!running) return;
      running = false;
      clearInterval(pollTimer);
      clearTimeout(wakeTimer);
      ready.length = 0;
      // Attempts end within their timeout; past it (a post that never settles) stopping goes on: the lease decides.
      let timer: NodeJS.Timeout | undefined;
      if (inFlight > 0)
        await Promise.race([
          new Promise<void>((resolve) => (idle = resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, settings.timeoutMs + 2_000))),
        ]);
      clearTimeout(timer);
      await flush();
    },
  };
}

export type OutboxWorker = ReturnType<typeof createOutboxWorker>;
