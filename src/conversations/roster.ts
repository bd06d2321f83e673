/** Who is in a conversation and may they speak: what every send needs, and nothing that moves per message. */
export interface RosterEntry {
  userId: string;
  role: 'owner' | 'admin' | 'member';
  muted: boolean;
  /** When a timed mute ends; null when untimed or not muted. */
  mutedUntil: Date | null;
}

/**
 * Whether an admin of a group or room reaches past plain members: its owner and the other admins
 * are the owner's to manage (an admin may still act on themself).
 */
export function reachesAboveAdmin(roster: RosterEntry[], adminId: string, targetIds: string[]): boolean {
  const ranked = new Set(roster.filter((m) => m.role !== 'member' && m.userId !== adminId).map((m) => m.userId));
  return targetIds.some((id) => ranked.has(id));
}
