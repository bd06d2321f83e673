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
  const entries = new Map<string, { at: number; value: Promise<V> }>();
  const fresh = (key: string) => {
    const hit = entries.get(key);
    return hit && now() - hit.at <= ttlMs ? hit.value : undefined;
  };
  const put = (key: string, value: Promise<V>) => {
    // Insertion order is age order: past the bound, the oldest goes.
    if (entries.size >= maxEntries && !entries.has(key)) entries.delete(entries.keys().next().value!);
    const entry = { at: now(), value };
    entries.set(key, entry);
    value.catch(() => entries.get(key) === entry && entries.delete(key));
    return value;
  };
  return {
    get(key: string, load: () => Promise<V>): Promise<V> {
      return fresh(key) ?? put(key, load());
    },
    /** Many keys at once: the missing ones in one batch load, which answers in key order. */
    async getMany(keys: readonly string[], loadMany: (missing: string[]) => Promise<V[]>): Promise<V[]> {
      const missing = [...new Set(keys.filter((k) => !fresh(k)))];
      if (missing.length) {
        const batch = loadMany(missing);
        missing.forEach(
          (k, i) =>
            void put(
              k,
              batch.then((vs) => vs[i]!),
            ),
        );
      }
      return Promise.all(keys.map((k) => fresh(k) ?? entries.get(k)!.value));
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
