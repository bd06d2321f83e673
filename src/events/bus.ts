import crypto from 'node:crypto';
import { fanoutStart, metricsOn, observeBusLag, recordEvent } from '../observability/metrics';
import { currentTraceparent, inTraceOf } from '../observability/tracing';
import { isEventEnvelope, topics, type DomainEvent, type EventCatalog, type EventOf, type EventType } from './catalog';

/**
 * The project's event bus. Events are published only after the write they describe is stored, once
 * for all their topics; each is encoded once and decoded once per instance, and every handler of
 * every topic named receives the same decoded event. In-process by default; the Redis bus
 * (events/redis-bus.ts, several instances) implements the same interface.
 */
export interface EventBus {
  publish<T extends EventType>(type: T, payload: EventCatalog[T], audience: string[]): void;
  /** Returns the unsubscribe function. Handlers run synchronously in publish order. */
  subscribe(topic: string, handler: (event: DomainEvent) => void): () => void;
  /** Every event of one type, typed as that type (`subscribe(topics.all(type), …)` narrowed). */
  on<T extends EventType>(type: T, handler: (event: EventOf<T>) => void): () => void;
  /** Live handlers, all topics together: a leak shows as a count that only grows. */
  subscriptionCount(): number;
  /** Where events travel: `in-process`, or Redis `up` / `down` (then delivered on this instance only). */
  status(): 'in-process' | 'up' | 'down';
  /**
   * Called when events travel between instances again after an outage, with the time (epoch ms)
   * since when some may have been missed: subscribers catch up from the database. Never called
   * in-process. Returns the unsubscribe function.
   */
  onResume(handler: (missedSince: number) => void): () => void;
  close(): Promise<void>;
}

/** What travels between instances: the event, encoded once, and every topic it is for. */
export interface Envelope {
  targets: string[];
  event: DomainEvent;
  /** When it was published (epoch ms): the bus lag and fan-out latency count from here. */
  at?: number;
  /** The publishing request's trace, so that what the event causes (an outbox delivery) joins it. */
  tp?: string;
}

export function envelopeOf<T extends EventType>(type: T, payload: EventCatalog[T], audience: string[]): string {
  const event = { type, eventId: crypto.randomUUID(), ...payload };
  recordEvent(type);
  return JSON.stringify({ targets: [topics.all(type), ...audience], event, at: Date.now(), tp: currentTraceparent() });
}

/** What a bus does with a handler that throws, or an envelope that is not one (it is dropped). */
export type BusProblem = (problem: { err?: unknown; event?: string; reason: string }) => void;

/** The handlers of one instance, by topic. */
export function createLocalHandlers(problem: BusProblem = () => undefined) {
  const handlers = new Map<string, Set<(event: DomainEvent) => void>>();
  return {
    has: (topic: string) => handlers.has(topic),
    /**
     * Decodes once, checks the envelope (what arrives from Redis is not trusted to be ours), and
     * hands the same event to every handler of every target this instance has. A handler that
     * throws is reported and the others still run: one broken subscriber never starves the rest.
     */
    deliver(text: string) {
      let decoded: unknown;
      try {
        decoded = JSON.parse(text);
      } catch (err) {
        return problem({ err, reason: 'an event that is not JSON was dropped' });
      }
      if (!isEventEnvelope(decoded)) return problem({ reason: 'an event envelope of an unknown shape was dropped' });
      const { targets, event, at, tp } = decoded as Envelope;
      if (metricsOn() && typeof at === 'number') {
        observeBusLag((Date.now() - at) / 1000);
        fanoutStart(event.eventId, at);
      }
      inTraceOf(typeof tp === 'string' ? tp : undefined, () => {
        for (const topic of targets)
          for (const h of [...(handlers.get(topic) ?? [])]) {
            try {
              h(event);
            } catch (err) {
              problem({ err, event: event.type, reason: 'an event handler threw; the other handlers still ran' });
            }
          }
      });
    },
    on<T extends EventType>(type: T, handler: (event: EventOf<T>) => void) {
      return this.subscribe(topics.all(type), (e) => e.type === type && handler(e as EventOf<T>));
    },
    subscribe(topic: string, handler: (event: DomainEvent) => void) {
      let set = handlers.get(topic);
      if (!set) handlers.set(topic, (set = new Set()));
      set.add(handler);
      return () => {
        set.delete(handler);
        if (set.size === 0 && handlers.get(topic) === set) handlers.delete(topic);
      };
    },
    count() {
      let n = 0;
      for (const set of handlers.values()) n += set.size;
      return n;
    },
  };
}

export function createInProcessBus(problem?: BusProblem): EventBus {
  const local = createLocalHandlers(problem);
  return {
    publish(type, payload, audience) {
      if (!local.has(topics.all(type)) && !audience.some(local.has)) return recordEvent(type);
      // The JSON round trip a network hop makes: an event that does not survive it fails here first.
      local.deliver(envelopeOf(type, payload, audience));
    },
    subscribe: local.subscribe,
    on: local.on.bind(local),
    subscriptionCount: local.count,
    status: () => 'in-process',
    onResume: () => () => undefined,
    close: async () => undefined,
  };
}
