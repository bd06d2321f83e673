import crypto from 'node:crypto';
import { topics, type DomainEvent, type EventCatalog, type EventType } from './catalog';

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
}

export function envelopeOf<T extends EventType>(type: T, payload: EventCatalog[T], audience: string[]): string {
  const event = { type, eventId: crypto.randomUUID(), ...payload };
  return JSON.stringify({ targets: [topics.all(type), ...audience], event });
}

/** The handlers of one instance, by topic. */
export function createLocalHandlers() {
  const handlers = new Map<string, Set<(event: DomainEvent) => void>>();
  return {
    has: (topic: string) => handlers.has(topic),
    /** Decodes once and hands the same event to every handler of every target this instance has. */
    deliver(text: string) {
      const { targets, event } = JSON.parse(text) as Envelope;
      for (const topic of targets) for (const h of [...(handlers.get(topic) ?? [])]) h(event);
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

export function createInProcessBus(): EventBus {
  const local = createLocalHandlers();
  return {
    publish(type, payload, audience) {
      if (!local.has(topics.all(type)) && !audience.some(local.has)) return;
      // The JSON round trip a network hop makes: an event that does not survive it fails here first.
      local.deliver(envelopeOf(type, payload, audience));
    },
    subscribe: local.subscribe,
    subscriptionCount: local.count,
    status: () => 'in-process',
    onResume: () => () => undefined,
    close: async () => undefined,
  };
}
