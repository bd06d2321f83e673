import { countPerApp } from '../db/counts';
import { Types } from 'mongoose';
import { inChunks } from '../db/batches';
import { isDuplicateKeyError } from '../db/errors';
import { findRecordsByIds, isObjectIdHex, ONE_BATCH } from '../db/ids';
import { notFound } from '../domain/errors';
import { createMemberPages } from './member-pages';
import type { ConversationDoc, ConversationModel, MemberDoc, MemberModel } from './model';
import {
  toConversationRecord,
  toMemberRecord,
  type ConversationKind,
  type ConversationRecord,
  type MemberRecord,
  type MemberRole,
} from './records';

/** The only code that queries the conversations and members collections. */
export function createConversationStore(conversations: ConversationModel, members: MemberModel) {
  // Only where the hint is kept from the start: adding to an absent one would make it too low.
  const countMembers = (conversationId: string, by: number) =>
    conversations.updateOne({ _id: conversationId, memberCount: { $exists: true } }, { $inc: { memberCount: by } });
  return {
    /** Conversations per app, for the operator's overview. */
    countPerApp: () => countPerApp(conversations),
    /** Finds or creates the conversation with this natural key; reports whether it existed. */
    async openByKey(appId: string, kind: ConversationKind, key: string, extra: { groupId?: number } = {}) {
      const existing = await conversations.findOne({ appId, key }).lean<ConversationDoc>();
      if (existing) return { conversation: toConversationRecord(existing), previouslyCreated: true };
      try {
        const created = await conversations.create({ appId: new Types.ObjectId(appId), kind, key, lastSeq: 0, memberCount: 0, ...extra });
        return { conversation: toConversationRecord(created.toObject() as ConversationDoc), previouslyCreated: false };
      } catch (e) {
        if (!isDuplicateKeyError(e)) throw e;
        return {
          conversation: toConversationRecord((await conversations.findOne({ appId, key }).lean<ConversationDoc>())!),
          previouslyCreated: true,
        };
      }
    },

    /** The highest seq recorded on the conversation, read past every cache. */
    async lastSeq(conversationId: string): Promise<number> {
      return (await conversations.findById(conversationId, { lastSeq: 1 }).lean<ConversationDoc>())?.lastSeq ?? 0;
    },

    /**
     * A stored message becomes the conversation's last (its seq, for the next sender; id and time,
     * for list order), unless a higher seq got there first: one update per message. A lagging
     * lastSeq (a crash in between) only costs the next sender one duplicate-key retry.
     */
    async recordLastMessage(m: { id: string; conversationId: string; seq: number; createdAt: Date }) {
      await conversations.updateOne(
        { _id: m.conversationId, lastSeq: { $lt: m.seq } },
        { $set: { lastSeq: m.seq, lastMessageId: new Types.ObjectId(m.id), lastMessageAt: m.createdAt } },
      );
    },

    /** The sender has read what they sent. */
    async advanceCursors(conversationId: string, userId: string, seq: number) {
      await members.updateOne({ conversationId, userId }, { $max: { readSeq: seq, deliveredSeq: seq } });
    },

    /** Inserts memberships (existing ones are kept); returns the users actually added. */
    async insertMembers(conv: ConversationRecord, userIds: string[], role: MemberRole): Promise<string[]> {
      const added: string[] = [];
      const now = new Date();
      for (const userId of userIds) {
        try {
          // New members start at the current end: history before joining is not "unread" to them.
          await members.create({
            appId: new Types.ObjectId(conv.appId),
            conversationId: new Types.ObjectId(conv.id),
            userId: new Types.ObjectId(userId),
            role,
            deliveredSeq: conv.lastSeq,
            readSeq: conv.lastSeq,
            joinedAt: now,
          });
          added.push(userId);
        } catch (e) {
          if (!isDuplicateKeyError(e)) throw e;
        }
      }
      if (added.length) await countMembers(conv.id, added.length);
      return added;
    },

    async deleteMembers(conversationId: string, userIds: string[]) {
      let deleted = 0;
      await inChunks(userIds, async (chunk) => {
        deleted += (await members.deleteMany({ conversationId, userId: { $in: chunk } })).deletedCount ?? 0;
      });
      if (deleted) await countMembers(conversationId, -deleted);
    },

    async memberIds(conversationId: string): Promise<string[]> {
      return (await members.find({ conversationId }, { userId: 1 }).batchSize(ONE_BATCH).lean<MemberDoc[]>()).map((m) =>
        m.userId.toHexString(),
      );
    },

    async countMembers(conversationId: string): Promise<number> {
      return members.countDocuments({ conversationId });
    },

    async roster(conversationId: string) {
      const docs = await members
        .find({ conversationId }, { userId: 1, role: 1, muted: 1, mutedUntil: 1 })
        .batchSize(ONE_BATCH)
        .lean<MemberDoc[]>();
      return docs.map((m) => ({ userId: m.userId.toHexString(), role: m.role, muted: m.muted, mutedUntil: m.mutedUntil ?? null }));
    },

    async setMutedAll(conversationId: string, on: boolean) {
      await conversations.updateOne({ _id: conversationId }, { $set: { mutedAll: on } });
    },

    async updateMember(
      conversationId: string,
      userId: string,
      set: Partial<Pick<MemberDoc, 'role' | 'nickname' | 'muted' | 'mutedUntil' | 'doNotDisturb'>>,
    ) {
      const updated = await members
        .findOneAndUpdate({ conversationId, userId }, { $set: set }, { returnDocument: 'after' })
        .lean<MemberDoc>();
      if (!updated) throw notFound('member');
      return toMemberRecord(updated);
    },

    async moveCursors(conversationId: string, userId: string, upTo: number): Promise<MemberRecord> {
      const updated = await members
        .findOneAndUpdate({ conversationId, userId }, { $max: { readSeq: upTo, deliveredSeq: upTo } }, { returnDocument: 'after' })
        .lean<MemberDoc>();
      return toMemberRecord(updated!);
    },

    async markDelivered(conversationId: string, userIds: string[], seq: number) {
      await inChunks(userIds, (chunk) =>
        members.updateMany({ conversationId, userId: { $in: chunk }, deliveredSeq: { $lt: seq } }, { $set: { deliveredSeq: seq } }),
      );
    },

    async membershipsOf(userId: string): Promise<MemberRecord[]> {
      return (await members.find({ userId }).batchSize(ONE_BATCH).lean<MemberDoc[]>()).map(toMemberRecord);
    },

    async findMembersByKeys(keys: readonly string[]): Promise<(MemberRecord | null)[]> {
      const pairs = keys.map((k) => k.split(':') as [string, string]);
      const docs = await members
        .find({
          conversationId: { $in: [...new Set(pairs.map((p) => p[0]))].filter(isObjectIdHex) },
          userId: { $in: [...new Set(pairs.map((p) => p[1]))].filter(isObjectIdHex) },
        })
        .batchSize(ONE_BATCH)
        .lean<MemberDoc[]>();
      const byKey = new Map(docs.map((d) => [`${d.conversationId.toHexString()}:${d.userId.toHexString()}`, toMemberRecord(d)]));
      return keys.map((k) => byKey.get(k) ?? null);
    },

    async findMembersByConversations(ids: readonly string[]): Promise<MemberRecord[][]> {
      const docs = await members
        .find({ conversationId: { $in: ids.filter(isObjectIdHex) } })
        .sort({ joinedAt: 1, _id: 1 })
        .batchSize(ONE_BATCH)
        .lean<MemberDoc[]>();
      const grouped = new Map<string, MemberRecord[]>(ids.map((id) => [id, []]));
      for (const d of docs) grouped.get(d.conversationId.toHexString())?.push(toMemberRecord(d));
      return ids.map((id) => grouped.get(id) ?? []);
    },

    findManyByIds: (ids: readonly string[]) => findRecordsByIds(conversations, ids, toConversationRecord),
    memberPages: createMemberPages(members),
  };
}

export type ConversationStore = ReturnType<typeof createConversationStore>;
