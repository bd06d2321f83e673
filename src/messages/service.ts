import { Types } from 'mongoose';
import type { ContactService } from '../contacts/service';
import type { ConversationService } from '../conversations/service';
import { retryTransient } from '../db/transient';
import { isAccount, type RequestContext } from '../domain/context';
import { forbidden, invalidInput, notFound, unauthenticated } from '../domain/errors';
import type { EventBus } from '../events/bus';
import type { GroupService } from '../groups/service';
import type { UserRef, UserService } from '../users/service';
import { decodeMessageCursor, encodeMessageCursor, toMessagePayload, toMessageRecord, type MessageRecord } from './records';
import {
  audienceOf,
  isTargetFailure,
  recordBookkeeping,
  resolveTarget,
  storedDocOf,
  transientMessage,
  validateContent,
  type SendInput,
  type SendTarget,
} from './send';
import { createRoomWindow } from './room-window';
import { createSequencer } from './sequencer';
import { createKeyedSerial } from './serial';
import { createSendOnce, type Begun } from './send-once';
import type { MessageStore } from './store';

export type { MessageContent, SendInput, SendTarget } from './send';
/** One target of a multi-target send and what happened: the message, or why that target could not receive. */
export interface SendOutcome {
  target: string;
  message?: MessageRecord;
  failure?: string;
}

export type MessageService = ReturnType<typeof createMessageService>;

export function createMessageService(deps: {
  store: MessageStore;
  conversations: ConversationService;
  contacts: ContactService;
  users: UserService;
  groups: GroupService;
  events: EventBus;
  /** Recent messages kept per chat room; 0: room messages are online-only. */
  roomHistory: number;
  /** Longest a send waits for earlier sends of its conversation; 0 = none (a healthy burst queues longer). */
  queueWaitMs?: number;
}) {
  const { store, conversations, users, events, roomHistory } = deps;
  const sequencer = createSequencer();
  const oneAtATime = createKeyedSerial(deps.queueWaitMs ?? 0);
  const once = createSendOnce(store);
  // The highest seq seen per conversation (own sends, every instance's events): the next send starts there, not reading the conversation.
  const seqHints = new Map<string, number>();
  const hint = (conversationId: string, seq: number) => {
    if ((seqHints.get(conversationId) ?? 0) >= seq) return;
    if (seqHints.size >= 50_000 && !seqHints.has(conversationId)) seqHints.delete(seqHints.keys().next().value!);
    seqHints.set(conversationId, seq);
  };
  events.on('message.added', (e) => {
    if (e.message.seq == null) return;
    hint(e.message.conversationId, e.message.seq);
    sequencer.seen(e.message.conversationId, e.message.seq);
  });

  /** Publishes in seq order per conversation, to the conversation and to each member. */
  function announce(message: MessageRecord, memberIds: string[]) {
    const publish = () => events.publish('message.added', { message: toMessagePayload(message) }, audienceOf(message, memberIds));
    // Online-only messages have no place in the order.
    return message.seq == null ? publish() : sequencer.publish(message.conversationId, message.seq, publish);
  }

  /** A stored message in a conversation the caller may see; anything else is not found. */
  async function visibleMessage(ctx: RequestContext, messageId: string): Promise<MessageRecord> {
    const message = await ctx.loaders.messageById.load(messageId);
    if (!message) throw notFound('message', { field: 'messageId' });
    await conversations.access(ctx, message.conversationId);
    return message;
  }

  const trimRoom = createRoomWindow(store, roomHistory);

  /** Sends checked content: resolves the target, stores (unless online-only), announces. */
  async function deliver(ctx: RequestContext, input: SendInput): Promise<MessageRecord> {
    const { sender, conversation, memberIds } = await resolveTarget(deps, ctx, input);
    // Chat rooms keep a recent window only (or nothing): their messages reach connected members.
    const room = conversation.kind === 'room';
    if (input.persist === false || (room && roomHistory === 0)) {
      if (input.type !== 'notification' && conversation.kind !== 'room')
        throw invalidInput('only notifications can be online-only', 'persist');
      const transient = transientMessage(conversation, sender, input);
      announce(transient, memberIds);
      return transient;
    }
    const sendKey = input.clientMessageId ? `${conversation.appId}:${sender?.id ?? 'app'}:${input.clientMessageId}` : null;
    const begun: Begun = sendKey ? await once.begin(sendKey, new Types.ObjectId()) : { id: new Types.ObjectId(), ambiguous: false };
    // Stored by an earlier attempt: it announced the message, unless it failed before it could.
    if ('done' in begun && !begun.announce) return begun.done;
    const message =
      'done' in begun
        ? begun.done
        : await oneAtATime(conversation.id, async () => {
            const doc = await store.insertNextSeq(
              storedDocOf(begun.id, conversation, sender, input),
              seqHints.get(conversation.id) ?? (await conversations.lastSeq(conversation.id)),
              begun.ambiguous,
            );
            hint(conversation.id, doc.seq);
            return toMessageRecord(doc);
          }).catch(async (e: unknown) => {
            // The key goes back when nothing was written, so a retry with the same clientMessageId is not refused.
            if (sendKey) await once.failed(sendKey, begun.id, e);
            throw e;
          });
    // Best effort: a lagging lastSeq only costs a sender without a hint one duplicate-key retry.
    await retryTransient(() => conversations.recordLastMessage({ ...message, seq: message.seq! })).catch((e: unknown) =>
      ctx.log.warn({ err: e, messageId: message.id }, 'message stored; the conversation was not told (list order lags)'),
    );
    // Stored: announce now. What follows must not turn a stored message into an error the client would resend.
    announce(message, memberIds);
    await recordBookkeeping(conversations, ctx, message);
    if (room) await trimRoom(ctx, message);
    return message;
  }

  const service = {
    countPerApp: store.countPerApp,
    /**
     * Sends a message. With a clientMessageId, a retry returns the stored original. The seq is the
     * next one after the conversation's highest, arbitrated by the unique (conversation, seq) index.
     */
    async send(ctx: RequestContext, input: SendInput): Promise<MessageRecord> {
      validateContent(input);
      return deliver(ctx, input);
    },

    /** The same content (checked once) to each target in turn; a target that cannot receive is reported, content errors fail the call. */
    async sendToEach(ctx: RequestContext, base: SendInput, targets: (SendTarget & { key: string })[]): Promise<SendOutcome[]> {
      validateContent(base);
      // The sender once, by id from then on (the request's loader has it): not one lookup per target.
      const from = base.from && ctx.principal.kind === 'app' ? { id: (await users.actingUser(ctx, base.from)).id } : base.from;
      const outcomes: SendOutcome[] = [];
      for (const { key, ...target } of targets) {
        try {
          outcomes.push({
            target: key,
            message: await deliver(ctx, { ...base, from, conversationId: null, to: null, groupId: null, ...target }),
          });
        } catch (e) {
          if (!isTargetFailure(e)) throw e;
          outcomes.push({ target: key, failure: e.message });
        }
      }
      return outcomes;
    },

    /** The sender, or an app principal, recalls a message; it stays in history marked recalled. */
    async recall(ctx: RequestContext, messageId: string): Promise<MessageRecord> {
      const doc = await visibleMessage(ctx, messageId);
      const p = ctx.principal;
      if (isAccount(p) && doc.senderId !== p.userId) throw forbidden('only the sender or the app can recall a message');
      const message = await store.markRecalled(doc.id, doc.recalledAt ?? new Date());
      ctx.loaders.messageById.clear(message.id);
      const members = (await conversations.roster(message.conversationId)).map((m) => m.userId);
      events.publish('message.recalled', { message: toMessagePayload(message) }, audienceOf(message, members));
      return message;
    },

    /** Recall by the numeric uid vendors use as message id. */
    async recallByUid(ctx: RequestContext, uid: number): Promise<MessageRecord> {
      return service.recall(ctx, (await service.findByUid(ctx, uid)).id);
    },

    /** History as a Relay connection over the (conversation, seq) index. */
    async history(
      ctx: RequestContext,
      conversationId: string,
      args: { first?: number | null; after?: string | null; last?: number | null; before?: string | null },
    ) {
      await conversations.watchable(ctx, conversationId); // event-kept caches: a page costs its one query
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
      // Forward from `after` (or the start) with `first`; otherwise backward from `before` (or the end).
      const forward = args.first != null || (args.last == null && after !== undefined);
      const rows = await store.page(conversationId, { gt: after, lt: before }, forward, size);
      const more = rows.length > size;
      const page = rows.slice(0, size);
      if (!forward) page.reverse();
      return {
        edges: page.map((node) => ({ cursor: encodeMessageCursor(node.seq!), node })),
        hasNextPage: forward ? more : before !== undefined,
        hasPreviousPage: forward ? after !== undefined && after > 0 : more,
      };
    },

    /** Stored messages after `seq`, in order, for subscription replay. */
    after: store.after,
    createdSince: store.createdSince,

    /** Delivery status of one message for each recipient (members other than the sender). */
    async deliveryStatus(ctx: RequestContext, messageId: string) {
      const doc = await visibleMessage(ctx, messageId);
      const members = await conversations.membersOf(doc.conversationId);
      return members
        .filter((m) => m.userId !== doc.senderId)
        .map((m) => ({ userId: m.userId, delivered: m.deliveredSeq >= doc.seq!, read: m.readSeq >= doc.seq! }));
    },

    /** A user's delivery status of a message by uid (unknown: not found); nothing of it is pending for a non-recipient. */
    async deliveryStatusByUid(ctx: RequestContext, recipient: UserRef, uid: number) {
      const user = await users.findInApp(ctx, recipient);
      const message = await service.findByUid(ctx, uid);
      const mine = (await service.deliveryStatus(ctx, message.id)).find((s) => s.userId === user.id);
      return mine ?? { userId: user.id, delivered: true, read: false };
    },

    /** A stored message of the caller's app by its numeric uid (vendor msg_id), if the caller may see it. */
    async findByUid(ctx: RequestContext, uid: number): Promise<MessageRecord> {
      const p = ctx.principal;
      if (p.kind !== 'app' && !isAccount(p)) throw unauthenticated();
      const id = await store.idByUid(p.appId, uid);
      if (!id) throw notFound('message', { field: 'msg_id' });
      return visibleMessage(ctx, id);
    },

    findManyByIds: store.findManyByIds,
  };
  return service;
}
