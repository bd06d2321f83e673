import { countPerApp } from '../db/counts';
import { Types } from 'mongoose';
import { deleteInBatches } from '../db/batches';
import { isDuplicateKeyError } from '../db/errors';
import { findRecordsByIds } from '../db/ids';
import { isTransientDbError } from '../db/transient';
import { DomainError } from '../domain/errors';
import type { MessageDoc, MessageModel, SendKeyDoc, SendKeyModel } from './model';
import { toMessageRecord, type MessageRecord } from './records';

/** Numeric ids below 2^53: milliseconds × 2048 plus a per-process counter (unique index backs it). */
let uidCounter = 0;
export const nextUid = () => Date.now() * 2048 + (uidCounter++ % 2048);

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A send key this old whose message was never stored belongs to a send that failed. */
export const STALE_SEND_KEY_MS = 60_000;

/** The only code that queries the messages and send-keys collections. */
export function createMessageStore(messages: MessageModel, sendKeys: SendKeyModel) {
  const inSeqOrder = async (filter: Record<string, unknown>, limit: number): Promise<MessageRecord[]> =>
    (await messages.find(filter).sort({ seq: 1 }).limit(limit).lean<MessageDoc[]>()).map(toMessageRecord);
  const findMessage = async (id: Types.ObjectId) => {
    const doc = await messages.findById(id).lean<MessageDoc>();
    return doc ? toMessageRecord(doc) : null;
  };
  return {
    /** Stored messages per app, for the operator's overview. */
    countPerApp: () => countPerApp(messages),
    /**
     * Stores the message at the conversation's next seq, starting from `knownLastSeq + 1`. The
     * unique (conversation, seq) index is the arbiter: a loser of a race re-reads the highest seq
     * and takes the next one. (An $inc counter is not atomic on FerretDB 1.x's findAndModify; an
     * insert against a unique index is, everywhere.) Seqs are only ever max + 1: none is skipped.
     */
    async insertNextSeq(doc: Omit<MessageDoc, 'seq' | 'createdAt'>, knownLastSeq: number, earlierAttempt = false): Promise<MessageDoc> {
      let seq = knownLastSeq + 1;
      // An earlier attempt (of this call, or a send that timed out) may have stored this id already.
      let ambiguous = earlierAttempt;
      for (let attempt = 0; attempt < 200; attempt++) {
        try {
          return (await messages.create({ ...doc, seq })).toObject() as MessageDoc;
        } catch (e) {
          if (isTransientDbError(e)) {
            ambiguous = true;
            await pause(Math.random() * 10 * Math.min(attempt + 1, 10));
            continue;
          }
          if (!isDuplicateKeyError(e)) throw e;
          // An earlier attempt may have been stored after all (an ambiguous failure): then it is ours.
          const stored = ambiguous ? await messages.findById(doc._id).lean<MessageDoc>() : null;
          if (stored) return stored;
          // FerretDB does not name the index at fault: assume either seq or uid and redraw both.
          doc.uid = nextUid();
          const top = await messages.findOne({ conversationId: doc.conversationId }, { seq: 1 }).sort({ seq: -1 }).lean<MessageDoc>();
          seq = (top?.seq ?? 0) + 1;
          await pause(Math.random() * 3 * Math.min(attempt, 10));
        }
      }
      throw new DomainError('UNAVAILABLE', 'the conversation is too busy; retry');
    },

    /**
     * Claims a (sender, clientMessageId) key for a message id; returns the id that already holds it,
     * if any. A key older than STALE_SEND_KEY_MS whose message was never stored was left by a send
     * that failed without releasing it (the database stalled): it is taken over, so a retry succeeds.
     */
    async claimSendKey(key: string, messageId: Types.ObjectId): Promise<Types.ObjectId | undefined> {
      try {
        await sendKeys.create({ _id: key, messageId });
        return undefined;
      } catch (e) {
        if (!isDuplicateKeyError(e)) throw e;
        const held = await sendKeys.findById(key).lean<SendKeyDoc>();
        if (!held) throw new DomainError('UNAVAILABLE', 'a send with this clientMessageId was just given up; retry');
        if (held.createdAt.getTime() < Date.now() - STALE_SEND_KEY_MS && !(await messages.exists({ _id: held.messageId }))) {
          const taken = await sendKeys.updateOne({ _id: key, messageId: held.messageId }, { $set: { messageId, createdAt: new Date() } });
          if (taken.modifiedCount === 1) return undefined;
        }
        return held.messageId;
      }
    },

    /** Gives a key back after its send failed and its message is not stored (so a retry is not refused). */
    async releaseSendKey(key: string, messageId: Types.ObjectId): Promise<void> {
      if (await messages.exists({ _id: messageId })) return;
      await sendKeys.deleteOne({ _id: key, messageId });
    },

    /** A stored message by id, or null. */
    findMessage,

    /** The message a concurrent send with the same key is storing, once it is stored. */
    async waitFor(id: Types.ObjectId): Promise<MessageRecord> {
      for (let i = 0; i < 50; i++) {
        const found = await findMessage(id);
        if (found) return found;
        await pause(20);
      }
      throw new DomainError('UNAVAILABLE', 'a send with this clientMessageId is still in progress; retry');
    },

    async markRecalled(id: string, at: Date): Promise<MessageRecord> {
      const updated = await messages
        .findOneAndUpdate({ _id: id }, { $set: { recalledAt: at } }, { returnDocument: 'after' })
        .lean<MessageDoc>();
      return toMessageRecord(updated!);
    },

    /** A page of a conversation's history in seq order (either direction), one more than asked. */
    async page(conversationId: string, range: { gt?: number; lt?: number }, forward: boolean, size: number): Promise<MessageRecord[]> {
      const seq: Record<string, number> = {};
      if (range.gt !== undefined) seq.$gt = range.gt;
      if (range.lt !== undefined) seq.$lt = range.lt;
      const filter = { conversationId, ...(Object.keys(seq).length ? { seq } : {}) };
      return (
        await messages
          .find(filter)
          .sort({ seq: forward ? 1 : -1 })
          .limit(size + 1)
          .lean<MessageDoc[]>()
      ).map(toMessageRecord);
    },

    /** An app's messages stored in [from, to), oldest first, read as one cursor (history export). */
    async *ofAppBetween(appId: string, from: Date, to: Date): AsyncGenerator<MessageRecord> {
      const cursor = messages
        .find({ appId, createdAt: { $gte: from, $lt: to } })
        .sort({ _id: 1 })
        .batchSize(500)
        .lean<MessageDoc[]>()
        .cursor();
      for await (const doc of cursor) yield toMessageRecord(doc as MessageDoc);
    },

    /**
     * A page of an app's messages in time order (either way) within time bounds, after the message
     * `after` (ties on the millisecond broken by id). One more than `size`, to say whether more follow.
     */
    async appPage(
      appId: string,
      bounds: { $gt?: Date; $gte?: Date; $lt?: Date; $lte?: Date },
      ascending: boolean,
      after: { at: Date; id: string } | null,
      size: number,
    ): Promise<MessageRecord[]> {
      const beyond = ascending ? '$gt' : '$lt';
      const clauses: Record<string, unknown>[] = [{ appId }];
      if (Object.keys(bounds).length) clauses.push({ createdAt: bounds });
      if (after)
        clauses.push({
          $or: [{ createdAt: { [beyond]: after.at } }, { createdAt: after.at, _id: { [beyond]: new Types.ObjectId(after.id) } }],
        });
      const order = ascending ? 1 : -1;
      const docs = await messages
        .find({ $and: clauses })
        .sort({ createdAt: order, _id: order })
        .limit(size + 1)
        .lean<MessageDoc[]>();
      return docs.map(toMessageRecord);
    },

    /** Deletes a conversation's messages up to `seq` (a chat room's window moving on). */
    async deleteUpTo(conversationId: string, seq: number) {
      await deleteInBatches(messages.collection, { conversationId: new Types.ObjectId(conversationId), seq: { $lte: seq } });
    },

    /** Stored messages after `seq`, in order (subscription replay and gap filling). */
    after: (conversationId: string, seq: number, limit: number) => inSeqOrder({ conversationId, seq: { $gt: seq } }, limit),

    /** A conversation's messages stored since `at`, in seq order (catching up after an outage of the bus). */
    createdSince: (conversationId: string, at: Date, limit: number) => inSeqOrder({ conversationId, createdAt: { $gte: at } }, limit),

    async idByUid(appId: string, uid: number): Promise<string | undefined> {
      if (!Number.isSafeInteger(uid)) return undefined;
      return (await messages.findOne({ appId, uid }, { _id: 1 }).lean<MessageDoc>())?._id.toHexString();
    },

    findManyByIds: (ids: readonly string[]) => findRecordsByIds(messages, ids, toMessageRecord),
  };
}

export type MessageStore = ReturnType<typeof createMessageStore>;
