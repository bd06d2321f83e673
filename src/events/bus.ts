import crypto from 'node:crypto';
import { topics, type DomainEvent, type EventCatalog, type EventType } from './catalog';

/**
 * The project's event bus. Events are published only after the write they describe is stored, once
 * for all their topics; each is encoded once and decoded once per instance, and every handler of
 * every topic named receives the same decoded event. In-process by default; a Redis bus (several
 * instances) implements the same interface.
 */
export interface EventBus {
  publish<T extends EventType>(type: T, payload: EventCatalog[T], audience: string[]): void;
  /** Returns the unsubscribe function. Handlers run synchronously in publish order. */
  subscribe(topic: string, handler: (event: DomainEvent) => void): () => void;
  /** Live handlers, all topics together: a leak shows as a count that only grows. */
  subscriptionCount(): number;
}

export function createInProcessBus(): EventBus {
  const handlers = new Map<string, Set<(event: DomainEvent) => void>>();
  return {
    publish(type, payload, audience) {
      const targets = [topics.all(type), ...audience].filter((t) => handlers.has(t));
      if (targets.length === 0) return;
      // The JSON round trip a network hop would make: an event that does not survive it fails here first.
      const event = JSON.parse(JSON.stringify({ type, eventId: crypto.randomUUID(), ...payload })) as DomainEvent;
      for (const topic of targets) for (const h of [...(handlers.get(topic) ?? [])]) h(event);
    },
    subscribe(topic, handler) {
      let set = handlers.get(topic);
      if (!set) handlers.set(topic, (set = new Set()));
      set.add(handler);
      return () => {
        set.delete(handler);
        if (set.size === 0 && handlers.get(topic) === set) handlers.delete(topic);
      };
    },
    subscriptionCount() {
      let n = 0;
      for (const set of handlers.values()) n += set.size;
      return n;
    },
  };
}
