/** Who is in a conversation and may they speak: what every send needs, and nothing that moves per message. */
export interface RosterEntry {
  userId: string;
  role: 'owner' | 'admin' | 'member';
  muted: boolean;
  /** When a timed mute ends; null when untimed or not muted. */
  mutedUntil: Date | null;
}
