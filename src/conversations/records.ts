import type { ConversationDoc, MemberDoc } from './model';
import { CONVERSATION_KINDS, MEMBER_ROLES, type ConversationKind, type MemberRole } from './model';

export { CONVERSATION_KINDS, MEMBER_ROLES, type ConversationKind, type MemberRole };

export interface ConversationRecord {
  id: string;
  appId: string;
  kind: ConversationKind;
  groupId: number | null;
  /** A chat room's number (its key `r:{roomId}`); null for other kinds. */
  roomId: number | null;
  lastSeq: number;
  lastMessageId: string | null;
  lastMessageAt: Date | null;
  /** How many members, kept as a hint for paging (null for conversations made before it was kept). */
  memberCount: number | null;
  /** Only the owner and admins may speak. */
  mutedAll: boolean;
  createdAt: Date;
}

export interface MemberRecord {
  conversationId: string;
  userId: string;
  role: MemberRole;
  nickname: string | null;
  muted: boolean;
  /** When a timed mute ends (null: until lifted, or not muted). */
  mutedUntil: Date | null;
  doNotDisturb: boolean;
  deliveredSeq: number;
  readSeq: number;
  joinedAt: Date;
}

/** Whether a member may not speak now: muted, and the mute (if timed) has not run out. */
export const isMutedNow = (m: { muted: boolean; mutedUntil: Date | number | null }, now = Date.now()) =>
  m.muted && (m.mutedUntil === null || new Date(m.mutedUntil).getTime() > now);

export const toConversationRecord = (d: ConversationDoc): ConversationRecord => ({
  id: d._id.toHexString(),
  appId: d.appId.toHexString(),
  kind: d.kind,
  groupId: d.groupId ?? null,
  roomId: d.kind === 'room' ? Number(d.key.slice(2)) : null,
  lastSeq: d.lastSeq,
  lastMessageId: d.lastMessageId?.toHexString() ?? null,
  lastMessageAt: d.lastMessageAt ?? null,
  memberCount: d.memberCount ?? null,
  mutedAll: !!d.mutedAll,
  createdAt: d.createdAt,
});

export const toMemberRecord = (d: MemberDoc): MemberRecord => ({
  conversationId: d.conversationId.toHexString(),
  userId: d.userId.toHexString(),
  role: d.role,
  nickname: d.nickname ?? null,
  muted: d.muted,
  mutedUntil: d.mutedUntil ?? null,
  doNotDisturb: d.doNotDisturb,
  deliveredSeq: d.deliveredSeq,
  readSeq: d.readSeq,
  joinedAt: d.joinedAt,
});

/** A conversation as seen by one member: what list and detail views resolve against. */
export interface ConversationView {
  conversation: ConversationRecord;
  /** The viewing member; null when an app principal looks at it. */
  member: MemberRecord | null;
  previouslyCreated?: boolean;
}

export const encodeListCursor = (at: number, conversationId: string) => Buffer.from(`c:${at}:${conversationId}`).toString('base64url');
export function decodeListCursor(cursor: string): { at: Date; id: string } | undefined {
  const m = /^c:(\d+):([0-9a-f]{24})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return m ? { at: new Date(Number(m[1])), id: m[2]! } : undefined;
}
