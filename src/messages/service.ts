import { findRecordsByIds } from '../db/ids';
import { Types } from 'mongoose';
import type { ContactService } from '../contacts/service';
import type { ConversationService } from '../conversations/service';
import type { ConversationRecord } from '../conversations/records';
import type { ConversationDoc, ConversationModel } from '../conversations/model';
import type { RequestContext } from '../domain/context';
import { isTransientDbError, retryTransient } from '../db/transient';
import { createSequencer } from './sequencer';
import { DomainError, unauthenticated, forbidden, invalidInput, isDuplicateKeyError, notFound } from '../domain/errors';
import { topics, type PubSub } from '../events/pubsub';
import { checkUrl } from '../users/rules';
import type { UserRef, UserService } from '../users/service';
import { MESSAGE_TYPES, type MessageDoc, type MessageModel, type MessageType, type SendKeyModel } from './model';
import { decodeMessageCursor, encodeMessageCursor, toMessageRecord, type MessageEvent, type MessageRecord } from './records';

export interface SendInput {
  conversationId?: string | null;
  /** Direct message to this user (the direct conversation is opened as needed). */
  to?: UserRef | null;
  /** App principals only: send as this user; omitted = a system message with no sender. */
  from?: UserRef | null;
  type: MessageType;
  text?: string | null;
  url?: string | null;
  fileName?: string | null;
  size?: number | null;
  payload?: string | null;
  clientMessageId?: string | null;
  /** Online-only: delivered to connected members, never stored (notifications). */
  persist?: boolean | null;
}

const MAX_TEXT = 5_000;
const MAX_PAYLOAD = 16_384;

/** Numeric ids below 2^53: milliseconds × 2048 plus a per-process counter (unique index backs it). */
let uidCounter = 0;
const nextUid = () => Date.now() * 2048 + (uidCounter++ % 2048);

export type MessageService = ReturnType<typeof createMessageService>;

export function createMessageService(deps: {
  messages: MessageModel;
  sendKeys: SendKeyModel;
  conversationModel: ConversationModel;
  conversations: ConversationService;
  contacts: ContactService;
  users: UserService;
  pubsub: PubSub;
}) {
  const { messages, sendKeys, conversationModel, conversations, contacts, users, pubsub } = deps;

  function validate(input: SendInput) {
    if (!MESSAGE_TYPES.includes(input.type)) throw invalidInput('unknown message type', 'type');
    const text = input.text ?? undefined;
    if (text !== undefined && text.length > MAX_TEXT) throw invalidInput(`text must be at most ${MAX_TEXT} characters`, 'text');
    if (input.type === 'text' && !text) throw invalidInput('a text message needs text', 'text');
    if ((input.type === 'image' || input.type === 'file') && !input.url) throw invalidInput(`an ${input.type} message needs a url`, 'url');
    if (input.url) checkUrl(input.url, 'url');
    if (input.size != null && (!Number.isInteger(input.size) || input.size < 0))
      throw invalidInput('size must be a non-negative integer', 'size');
    if (input.payload != null) {
      if (input.payload.length > MAX_PAYLOAD) throw invalidInput(`payload must be at most ${MAX_PAYLOAD} characters`, 'payload');
      try {
        JSON.parse(input.payload);
      } catch {
        throw invalidInput('payload must be JSON text', 'payload');
      }
    }
    if (input.type === 'custom' && input.payload == null) throw invalidInput('a custom message needs a payload', 'payload');
    if (input.clientMessageId != null && !/^[\x21-\x7e]{1,128}$/.test(input.clientMessageId)) {
      throw invalidInput('clientMessageId must be 1 to 128 printable ASCII characters', 'clientMessageId');
    }
  }

  /** Who sends, and into which conversation, after every authorization rule of every surface. */
  async function resolveTarget(ctx: RequestContext, input: SendInput) {
    const p = ctx.principal;
    if (p.kind === 'user' && input.from) throw forbidden('a user token sends only as its own user');
    const sender = p.kind === 'user' || input.from ? await users.actingUser(ctx, p.kind === 'user' ? null : input.from) : null;
    if (!!input.conversationId === !!input.to) throw invalidInput('give exactly one of conversationId or to', 'conversationId');
    let conversation: ConversationRecord;
    if (input.to) {
      if (!sender) throw invalidInput('a direct message needs a sender (from)', 'from');
      conversation = (await conversations.openDirect(ctx, p.kind === 'user' ? null : { id: sender.id }, input.to)).conversation;
    } else {
      conversation = (await conversations.access(ctx, input.conversationId!)).conversation;
    }
    if (!sender) {
      if (input.type !== 'system' && input.type !== 'notification')
        throw invalidInput('messages without a sender must be system or notification', 'type');
      return { sender, conversation, memberIds: (await conversations.roster(conversation.id)).map((m) => m.userId) };
    }
    if (conversation.kind === 'system' && p.kind === 'user') throw forbidden('system conversations carry notices from the app only');
    const members = await conversations.roster(conversation.id);
    const me = members.find((m) => m.userId === sender.id);
    if (!me) throw notFound('conversation', { field: 'conversationId' });
    if (me.muted) throw new DomainError('FORBIDDEN', 'you are muted in this conversation', { reason: 'muted' });
    if (conversation.kind === 'direct') {
      const peer = members.find((m) => m.userId !== sender.id);
      if (peer && (await contacts.isBlocked(peer.userId, sender.id))) {
        throw new DomainError('FORBIDDEN', 'the recipient has blocked you', { reason: 'blocked' });
      }
    }
    return { sender, conversation, memberIds: members.map((m) => m.userId) };
  }

  async function waitForMessage(id: Types.ObjectId): Promise<MessageRecord> {
    for (let i = 0; i < 50; i++) {
      const doc = await messages.findById(id).lean<MessageDoc>();
      if (doc) return toMessageRecord(doc);
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new DomainError('UNAVAILABLE', 'a send with this clientMessageId is still in progress; retry');
  }

  /**
   * Stores the message at the conversation's next seq. The unique (conversation, seq) index is the
   * arbiter: a loser of a race re-reads the highest seq and takes the next one. (An $inc counter
   * is not atomic on FerretDB 1.x's findAndModify; an insert against a unique index is, everywhere.)
   * Seqs are only ever max + 1, so none is skipped.
   */
  async function insertNextSeq(conversation: ConversationRecord, doc: Omit<MessageDoc, 'seq' | 'createdAt'>) {
    let seq = ((await conversationModel.findById(conversation.id, { lastSeq: 1 }).lean<ConversationDoc>())?.lastSeq ?? 0) + 1;
    for (let attempt = 0; attempt < 200; attempt++) {
      let created: MessageDoc;
      try {
        created = (await messages.create({ ...doc, seq })).toObject() as MessageDoc;
      } catch (e) {
        if (isTransientDbError(e)) {
          await new Promise((r) => setTimeout(r, Math.random() * 10 * Math.min(attempt + 1, 10)));
          continue;
        }
        if (!isDuplicateKeyError(e)) throw e;
        // An earlier attempt may have been stored after all (an ambiguous failure): then it is ours.
        const stored = await messages.findById(doc._id).lean<MessageDoc>();
        if (stored) return stored;
        // FerretDB does not name the index at fault: assume either seq or uid and redraw both.
        doc.uid = nextUid();
        const top = await messages.findOne({ conversationId: conversation.id }, { seq: 1 }).sort({ seq: -1 }).lean<MessageDoc>();
        seq = (top?.seq ?? 0) + 1;
        await new Promise((r) => setTimeout(r, Math.random() * 3 * Math.min(attempt, 10)));
        continue;
      }
      // Best effort: a lagging lastSeq only costs the next sender one duplicate-key retry.
      await retryTransient(() => conversationModel.updateOne({ _id: conversation.id }, { $max: { lastSeq: seq } })).catch(() => undefined);
      return created;
    }
    throw new DomainError('UNAVAILABLE', 'the conversation is too busy; retry');
  }

  /** A stored message in a conversation the caller may see; anything else is not found. */
  async function visibleMessage(ctx: RequestContext, messageId: string): Promise<MessageRecord> {
    const message = await ctx.loaders.messageById.load(messageId);
    if (!message) throw notFound('message', { field: 'messageId' });
    await conversations.access(ctx, message.conversationId);
    return message;
  }

  const sequencer = createSequencer();

  function announce(message: MessageRecord, memberIds: string[]) {
    const event: MessageEvent = { type: 'message', message };
    const publish = () => {
      pubsub.publish(topics.conversation(message.conversationId), event);
      for (const userId of memberIds) pubsub.publish(topics.user(message.appId, userId), event);
    };
    if (message.seq == null)
      publish(); // online-only: no place in the order
    else sequencer.publish(message.conversationId, message.seq, publish);
  }

  const service = {
    /**
     * Sends a message. With a clientMessageId, a retry returns the stored original. The seq is the
     * next one after the conversation's highest, arbitrated by the unique (conversation, seq) index
     * (insertNextSeq), so concurrent senders never share or skip one.
     */
    async send(ctx: RequestContext, input: SendInput): Promise<MessageRecord> {
      validate(input);
      const { sender, conversation, memberIds } = await resolveTarget(ctx, input);
      const now = new Date();
      if (input.persist === false) {
        if (input.type !== 'notification') throw invalidInput('only notifications can be online-only', 'persist');
        const transient: MessageRecord = {
          id: new Types.ObjectId().toHexString(),
          appId: conversation.appId,
          conversationId: conversation.id,
          seq: null,
          uid: nextUid(),
          senderId: sender?.id ?? null,
          type: input.type,
          text: input.text ?? null,
          url: input.url ?? null,
          fileName: input.fileName ?? null,
          size: input.size ?? null,
          payload: input.payload ?? null,
          clientMessageId: input.clientMessageId ?? null,
          recalledAt: null,
          createdAt: now,
          transient: true,
        };
        announce(transient, memberIds);
        return transient;
      }

      const id = new Types.ObjectId();
      if (input.clientMessageId) {
        const key = `${conversation.appId}:${sender?.id ?? 'app'}:${input.clientMessageId}`;
        try {
          await sendKeys.create({ _id: key, messageId: id });
        } catch (e) {
          if (!isDuplicateKeyError(e)) throw e;
          const prior = await sendKeys.findById(key).lean();
          return waitForMessage(prior!.messageId);
        }
      }
      const created = await insertNextSeq(conversation, {
        _id: id,
        appId: new Types.ObjectId(conversation.appId),
        conversationId: new Types.ObjectId(conversation.id),
        uid: nextUid(),
        senderId: sender ? new Types.ObjectId(sender.id) : undefined,
        type: input.type,
        text: input.text ?? undefined,
        url: input.url ?? undefined,
        fileName: input.fileName ?? undefined,
        size: input.size ?? undefined,
        payload: input.payload ?? undefined,
        clientMessageId: input.clientMessageId ?? undefined,
      });
      const message = toMessageRecord(created);
      // Stored: announce now. What follows is bookkeeping (list order, the sender's read cursor);
      // its failure must not turn a stored message into an error the client would resend.
      announce(message, memberIds);
      try {
        await retryTransient(() =>
          conversationModel.updateOne(
            { _id: conversation.id, $or: [{ lastMessageAt: { $exists: false } }, { lastMessageAt: { $lte: message.createdAt } }] },
            { $set: { lastMessageId: id, lastMessageAt: message.createdAt } },
          ),
        );
        await retryTransient(() => conversations.touch(conversation.id, sender?.id ?? null, message.seq!));
      } catch (e) {
        ctx.log.warn({ err: e, messageId: message.id }, 'message stored and announced; list bookkeeping failed');
      }
      return message;
    },

    /** The sender, or an app principal, recalls a message; it stays in history marked recalled. */
    async recall(ctx: RequestContext, messageId: string): Promise<MessageRecord> {
      const doc = await visibleMessage(ctx, messageId);
      const p = ctx.principal;
      if (p.kind === 'user' && doc.senderId !== p.userId) throw forbidden('only the sender or the app can recall a message');
      const updated = await messages
        .findOneAndUpdate({ _id: doc.id }, { $set: { recalledAt: doc.recalledAt ?? new Date() } }, { returnDocument: 'after' })
        .lean<MessageDoc>();
      const message = toMessageRecord(updated!);
      ctx.loaders.messageById.clear(message.id);
      const event: MessageEvent = { type: 'recalled', message };
      pubsub.publish(topics.conversation(message.conversationId), event);
      return message;
    },

    /** History as a Relay connection over the (conversation, seq) index. */
    async history(
      ctx: RequestContext,
      conversationId: string,
      args: { first?: number | null; after?: string | null; last?: number | null; before?: string | null },
    ) {
      await conversations.access(ctx, conversationId);
      const parse = (c: string | null | undefined, field: string) => {
        if (c == null) return undefined;
        const seq = decodeMessageCursor(c);
        if (seq === undefined) throw invalidInput(`${field} is not a valid cursor`, field);
        return seq;
      };
      const after = parse(args.after, 'after');
      const before = parse(args.before, 'before');
      if (args.first != null && args.last != null) throw invalidInput('give first or last, not both', 'first');
      const size = args.first ?? args.last ?? 20;
      if (!Number.isInteger(size) || size < 1 || size > 100)
        throw invalidInput('page size must be 1 to 100', args.first != null ? 'first' : 'last');
      const range: Record<string, number> = {};
      if (after !== undefined) range.$gt = after;
      if (before !== undefined) range.$lt = before;
      const filter = { conversationId, ...(Object.keys(range).length ? { seq: range } : {}) };
      // Forward from `after` (or the start) with `first`; otherwise backward from `before` (or the end).
      const forward = args.first != null || (args.last == null && after !== undefined);
      const docs = await messages
        .find(filter)
        .sort({ seq: forward ? 1 : -1 })
        .limit(size + 1)
        .lean<MessageDoc[]>();
      const more = docs.length > size;
      const page = docs.slice(0, size).map(toMessageRecord);
      if (!forward) page.reverse();
      return {
        edges: page.map((node) => ({ cursor: encodeMessageCursor(node.seq!), node })),
        hasNextPage: forward ? more : before !== undefined,
        hasPreviousPage: forward ? after !== undefined && after > 0 : more,
      };
    },

    /** Stored messages after `seq`, in order, for subscription replay. */
    async after(conversationId: string, seq: number, limit: number): Promise<MessageRecord[]> {
      return (
        await messages
          .find({ conversationId, seq: { $gt: seq } })
          .sort({ seq: 1 })
          .limit(limit)
          .lean<MessageDoc[]>()
      ).map(toMessageRecord);
    },

    /** Delivery status of one message for each recipient (members other than the sender). */
    async deliveryStatus(ctx: RequestContext, messageId: string) {
      const doc = await visibleMessage(ctx, messageId);
      const members = await conversations.membersOf(doc.conversationId);
      return members
        .filter((m) => m.userId !== doc.senderId)
        .map((m) => ({ userId: m.userId, delivered: m.deliveredSeq >= doc.seq!, read: m.readSeq >= doc.seq! }));
    },

    /** A stored message of the caller's app by its numeric uid (vendor msg_id), if the caller may see it. */
    async findByUid(ctx: RequestContext, uid: number): Promise<MessageRecord> {
      const p = ctx.principal;
      if (p.kind !== 'app' && p.kind !== 'user') throw unauthenticated();
      const doc = Number.isSafeInteger(uid) ? await messages.findOne({ appId: p.appId, uid }, { _id: 1 }).lean<MessageDoc>() : null;
      if (!doc) throw notFound('message', { field: 'msg_id' });
      return visibleMessage(ctx, doc._id.toHexString());
    },

    findManyByIds: (ids: readonly string[]) => findRecordsByIds(messages, ids, toMessageRecord),
  };
  return service;
}
