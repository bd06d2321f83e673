/** Who is in a conversation and may they speak: what every send needs, and nothing that moves per message. */
export interface RosterEntry {
  userId: string;
  role: 'owner' | 'admin' | 'member';
  muted: boolean;
}

/**
 * Rosters of recently active conversations, kept in this process. Every membership write of this
 * process (add, remove, role, mute) drops the conversation's entry; entries also age out after
 * `ttlMs`, the longest a change made by another instance can go unseen here. Cursors (read,
 * delivered) are deliberately not in it: they change with every message.
 */
export function createRosterCache(maxEntries = 10_000, ttlMs = 30_000, now: () => number = Date.now) {
  const entries = new Map<string, { at: number; roster: Promise<RosterEntry[]> }>();
  return {
    get(conversationId: string, load: () => Promise<RosterEntry[]>): Promise<RosterEntry[]> {
      const hit = entries.get(conversationId);
      if (hit && now() - hit.at <= ttlMs) return hit.roster;
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      const roster = load();
      entries.set(conversationId, { at: now(), roster });
      roster.catch(() => entries.delete(conversationId));
      return roster;
    },
    forget(conversationId: string) {
      entries.delete(conversationId);
    },
  };
}
