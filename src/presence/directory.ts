/**
 * Where presence is known: which users have live connections, and how many. The connection
 * registry of each instance reports its own users' counts here; the directory answers for the
 * whole deployment and announces `presence.changed` when a user's first connection anywhere opens
 * or their last one anywhere closes. In-process (one instance) or in Redis (presence/redis-directory.ts).
 */
export interface PresenceDirectory {
  /** This instance now holds `count` live connections of the user (0: none). */
  report(appId: string, userId: string, count: number): void;
  /** Live connections of each user across the deployment, in order. */
  counts(appId: string, userIds: string[]): Promise<number[]>;
  close(): Promise<void>;
}

export type PresenceAnnounce = (appId: string, userId: string, online: boolean) => void;

/** One instance: its own registry is the whole truth. */
export function createLocalDirectory(announce: PresenceAnnounce): PresenceDirectory {
  const live = new Map<string, number>();
  const key = (appId: string, userId: string) => `${appId}:${userId}`;
  return {
    report(appId, userId, count) {
      const k = key(appId, userId);
      const before = live.get(k) ?? 0;
      if (count > 0) live.set(k, count);
      else live.delete(k);
      if (before > 0 !== count > 0) announce(appId, userId, count > 0);
    },
    counts: async (appId, userIds) => userIds.map((u) => live.get(key(appId, u)) ?? 0),
    close: async () => undefined,
  };
}
