import { isObjectIdHex, ONE_BATCH } from '../db/ids';
import type { MemberDoc, MemberModel } from './model';
import { toMemberRecord, type ConversationRecord, type MemberRecord } from './records';

/**
 * Conversations with at most this many members (by their member-count hint) are paged from one
 * query for the whole batch; larger ones, or ones without a hint, get a bounded query each, so a
 * room of 1,000 members is never loaded whole to show ten.
 */
export const SMALL_ROSTER = 64;

export interface MemberPage {
  members: MemberRecord[];
  hasNextPage: boolean;
}

interface PageKey {
  conversationId: string;
  first: number;
  after: { at: number; userId: string } | null;
  small: boolean;
}

// Members are ordered by joining time, then user id: both are on every membership and never change.
export const encodeMemberCursor = (m: MemberRecord) => Buffer.from(`m:${m.joinedAt.getTime()}:${m.userId}`).toString('base64url');
export function decodeMemberCursor(cursor: string): { at: number; userId: string } | undefined {
  const m = /^m:(\d{1,15}):([0-9a-f]{24})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return m ? { at: Number(m[1]), userId: m[2]! } : undefined;
}

/** The loader key of one page request (a string, so the request's DataLoader caches it). */
export const memberPageKey = (conversation: ConversationRecord, first: number, after: { at: number; userId: string } | undefined) =>
  [
    conversation.id,
    first,
    after ? `${after.at}:${after.userId}` : '',
    conversation.memberCount !== null && conversation.memberCount <= SMALL_ROSTER ? 1 : 0,
  ].join('|');

function parseKey(key: string): PageKey {
  const [conversationId = '', first, after = '', small] = key.split('|');
  const [at, userId] = after.split(':');
  return { conversationId, first: Number(first), after: after ? { at: Number(at), userId: userId! } : null, small: small === '1' };
}

const byJoining = (a: MemberRecord, b: MemberRecord) =>
  a.joinedAt.getTime() - b.joinedAt.getTime() || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0);

const isAfter = (m: MemberRecord, after: PageKey['after']) =>
  !after || m.joinedAt.getTime() > after.at || (m.joinedAt.getTime() === after.at && m.userId > after.userId);

function toPage(sorted: MemberRecord[], key: PageKey): MemberPage {
  const rest = sorted.filter((m) => isAfter(m, key.after));
  return { members: rest.slice(0, key.first), hasNextPage: rest.length > key.first };
}

/** Loader source of member pages: one query for the small conversations of a batch, one bounded query per large one. */
export function createMemberPages(members: MemberModel) {
  async function smallPages(keys: PageKey[]): Promise<MemberPage[]> {
    const ids = [...new Set(keys.map((k) => k.conversationId))].filter(isObjectIdHex);
    if (ids.length === 0) return keys.map(() => ({ members: [], hasNextPage: false }));
    const docs = await members
      .find({ conversationId: { $in: ids } })
      .batchSize(ONE_BATCH)
      .lean<MemberDoc[]>();
    const grouped = new Map<string, MemberRecord[]>();
    for (const d of docs) {
      const m = toMemberRecord(d);
      grouped.set(m.conversationId, [...(grouped.get(m.conversationId) ?? []), m]);
    }
    for (const list of grouped.values()) list.sort(byJoining);
    return keys.map((k) => toPage(grouped.get(k.conversationId) ?? [], k));
  }

  async function largePage(key: PageKey): Promise<MemberPage> {
    if (!isObjectIdHex(key.conversationId)) return { members: [], hasNextPage: false };
    const after = key.after
      ? { $or: [{ joinedAt: { $gt: new Date(key.after.at) } }, { joinedAt: new Date(key.after.at), userId: { $gt: key.after.userId } }] }
      : {};
    const docs = await members
      .find({ conversationId: key.conversationId, ...after })
      .sort({ joinedAt: 1, userId: 1 })
      .limit(key.first + 1)
      .lean<MemberDoc[]>();
    return toPage(docs.map(toMemberRecord), { ...key, after: null });
  }

  return async function memberPages(rawKeys: readonly string[]): Promise<MemberPage[]> {
    const keys = rawKeys.map(parseKey);
    const small = keys.flatMap((k, i) => (k.small ? [i] : []));
    const pages: MemberPage[] = new Array(keys.length);
    const fromSmall = small.length ? await smallPages(small.map((i) => keys[i]!)) : [];
    small.forEach((i, j) => (pages[i] = fromSmall[j]!));
    await Promise.all(keys.map(async (k, i) => (k.small ? undefined : (pages[i] = await largePage(k)))));
    return pages;
  };
}
