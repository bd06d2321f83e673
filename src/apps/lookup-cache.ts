import type { AppRecord } from './service';

/**
 * Apps by a vendor key (Easemob path, GoBelieve appid, MCG client id, Imbee myAuth digest): every
 * vendor request names its app, and apps rarely change. Entries are trusted for `ttlMs` and dropped
 * at once when the app changes (`app.changed`); misses are not cached; at most 10,000 entries.
 */
export function createLookupCache<K, V extends { app: AppRecord }>(ttlMs: number) {
  const entries = new Map<K, { at: number; value: V }>();
  return {
    async get(key: K, load: () => Promise<V | undefined>): Promise<V | undefined> {
      const hit = entries.get(key);
      if (hit && Date.now() - hit.at < ttlMs) return hit.value;
      const value = await load();
      if (!value) return undefined;
      if (entries.size >= 10_000) entries.delete(entries.keys().next().value!);
      entries.set(key, { at: Date.now(), value });
      return value;
    },
    forget(appId: string) {
      for (const [k, v] of entries) if (v.value.app.id === appId) entries.delete(k);
    },
  };
}
