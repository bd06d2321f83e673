import { LRUCache } from 'lru-cache';

/**
 * A bounded, process-local cache of values that events keep right: whoever writes drops the key
 * at once on its own instance, and every instance drops it again when the write's event arrives
 * (through Redis, from anywhere). `ttlMs` bounds how long a change can go unseen when events do
 * not travel (Redis away). Loads in flight are shared; a failed load is not kept.
 */
export function createEventCache<V>(opts: { maxEntries?: number; ttlMs?: number; now?: () => number } = {}) {
  const maxEntries = opts.maxEntries ?? 10_000;
  const ttlMs = opts.ttlMs ?? 30_000;
  const now = opts.now ?? Date.now;
  // Past the bound the least recently used goes; past `ttlMs` an entry is not served.
  const entries = new LRUCache<string, Promise<V>>({ max: maxEntries, ttl: ttlMs, ttlResolution: 0, perf: { now } });
  const fresh = (key: string) => entries.get(key);
  const put = (key: string, value: Promise<V>) => {
    entries.set(key, value);
    value.catch(() => entries.peek(key) === value && entries.delete(key));
    return value;
  };
  return {
    get(key: string, load: () => Promise<V>): Promise<V> {
      return fresh(key) ?? put(key, load());
    },
    /** Many keys at once: the missing ones in one batch load, which answers in key order. */
    async getMany(keys: readonly string[], loadMany: (missing: string[]) => Promise<V[]>): Promise<V[]> {
      // Each key's promise is taken before anything is stored: storing may evict another key.
      const taken = new Map<string, Promise<V> | undefined>();
      for (const k of keys) if (!taken.has(k)) taken.set(k, fresh(k));
      const missing = [...taken].flatMap(([k, v]) => (v ? [] : [k]));
      if (missing.length) {
        const batch = loadMany(missing);
        missing.forEach((k, i) =>
          taken.set(
            k,
            put(
              k,
              batch.then((vs) => vs[i]!),
            ),
          ),
        );
      }
      return Promise.all(keys.map((k) => taken.get(k)!));
    },
    /** A value read some other way (a fuller query) that this cache can keep. */
    prime(key: string, value: V) {
      if (!fresh(key)) put(key, Promise.resolve(value));
    },
    forget(keys: Iterable<string>) {
      for (const k of keys) entries.delete(k);
    },
    /** Drops everything (events may have been missed: the bus was cut off). */
    clear: () => entries.clear(),
    size: () => entries.size,
  };
}

export type EventCache<V> = ReturnType<typeof createEventCache<V>>;
