/**
 * The project's pub/sub. Events are published only after the write they describe is stored.
 * In-process by default; a Redis implementation can replace it for several instances.
 */
export interface PubSub {
  publish(topic: string, event: unknown): void;
  /** Returns the unsubscribe function. Handlers run synchronously in publish order. */
  subscribe(topic: string, handler: (event: unknown) => void): () => void;
  /** Live handlers, all topics together: a leak shows as a count that only grows. */
  subscriptionCount(): number;
}

export function createInProcessPubSub(): PubSub {
  const topics = new Map<string, Set<(event: unknown) => void>>();
  return {
    publish(topic, event) {
      const handlers = topics.get(topic);
      if (!handlers) return;
      for (const h of [...handlers]) h(event);
    },
    subscribe(topic, handler) {
      let set = topics.get(topic);
      if (!set) topics.set(topic, (set = new Set()));
      set.add(handler);
      return () => {
        set.delete(handler);
        if (set.size === 0 && topics.get(topic) === set) topics.delete(topic);
      };
    },
    subscriptionCount() {
      let n = 0;
      for (const set of topics.values()) n += set.size;
      return n;
    },
  };
}

export const topics = {
  conversation: (conversationId: string) => `conv:${conversationId}`,
  user: (appId: string, userId: string) => `user:${appId}:${userId}`,
  token: (tokenId: string) => `token:${tokenId}`,
  presence: (appId: string) => `presence:${appId}`,
};
