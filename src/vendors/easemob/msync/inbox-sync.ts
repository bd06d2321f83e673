import crypto from 'node:crypto';
import type { WebSocket } from 'ws';
import type { ConversationRecord } from '../../../conversations/records';
import type { RequestContext } from '../../../domain/context';
import { isDomainError } from '../../../domain/errors';
import type { DomainEvent } from '../../../events/catalog';
import { fromMessagePayload, type MessageRecord } from '../../../messages/records';
import type { UserRecord } from '../../../users/records';
import type { ChatType } from '../message-format';
import { conferenceJid, messageMeta, recallMeta, userJid } from './content';
import type { MsyncDeps } from './deps';
import { kickFrame, metasFrame, noticeFrame, unreadFrame, type OutMeta } from './frames';
import { Kick, type Jid } from './schema';

/** Messages per page of a queue. */
const PAGE = 50;
/** Queues named in one UNREAD answer (the next heartbeat names the rest). */
const MAX_QUEUES = 200;
const BOUND = 10_000;

type Heard = Extract<DomainEvent, { type: 'message.added' | 'message.recalled' }>;
interface Sink {
  write(bytes: Uint8Array): void;
  close(code: number, reason: string): void;
}

// A group's or room's message is the same frame for every member's socket: built once per event.
const sharedFrames = new WeakMap<object, Promise<Uint8Array | null>>();
// Every local socket hears the same decoded event: its message is converted once for all of them.
const records = new WeakMap<object, MessageRecord>();
const recordOf = (e: Heard) => {
  let m = records.get(e);
  if (!m) records.set(e, (m = fromMessagePayload(e.message)));
  return m;
};

const queueKey = (q: Jid) => `${q.domain ?? ''}/${(q.name ?? '').toLowerCase()}`;
const bounded = <K, V>(m: Map<K, V>, k: K, v: V) => (m.size >= BOUND && m.clear(), m.set(k, v));

/**
 * A socket's view of its user's inbox: one queue per conversation (the peer's JID, or the group's
 * in the conference domain), a cursor per conversation of what this socket delivered, pages read
 * from the delivery cursor, and live events pushed when they follow the cursor (a NOTICE otherwise,
 * so the SDK syncs the gap). Hence in order, nothing lost, nothing twice on this socket; delivery
 * cursors are written per page and, for live pushes, by the coalescing recorder and on close.
 */
export function createInboxSync(deps: MsyncDeps, ctx: RequestContext, me: UserRecord, appKey: string, sink: Sink) {
  const services = deps.kit.services;
  const cursors = new Map<string, number>();
  const pushed = new Map<string, number>();
  const queues = new Map<string, string>();
  const jids = new Map<string, Jid>();
  const names = new Map<string, string>();
  const targets = new Map<string, string>();
  // Conversations this socket heard of, as checked (a member) when it first did.
  const seen = new Map<string, ConversationRecord>();
  // Conversations not synced yet on this socket: the seq before the first message it heard of.
  const floors = new Map<string, number>();
  const cleanup: (() => void)[] = [];
  const fresh = () => services.nextContext(ctx, deps.log, crypto.randomUUID());
  const ownJid = userJid(appKey, me.username);
  let rescan = true;

  async function nameOf(c: RequestContext, userId: string | null) {
    if (!userId) return 'admin';
    let name = names.get(userId);
    if (name === undefined) bounded(names, userId, (name = (await services.users.namesOf(c, [userId])).get(userId) ?? ''));
    return name;
  }

  async function queueOf(c: RequestContext, conversation: ConversationRecord): Promise<Jid> {
    let jid = jids.get(conversation.id);
    if (!jid) {
      if (conversation.kind === 'group') jid = conferenceJid(appKey, conversation.groupId!);
      else if (conversation.kind === 'room') jid = conferenceJid(appKey, conversation.roomId!);
      else {
        const other = (await services.conversations.rosterOf(c, conversation.id)).find((m) => m.userId !== me.id);
        jid = userJid(appKey, other ? await nameOf(c, other.userId) : 'admin');
      }
      bounded(jids, conversation.id, jid);
      // A room is never synced as a queue (and may share its number with a group).
      if (conversation.kind !== 'room') bounded(queues, queueKey(jid), conversation.id);
    }
    return jid;
  }

  const chatTypeOf = (c: ConversationRecord): ChatType => (c.kind === 'group' ? 'groupchat' : c.kind === 'room' ? 'chatroom' : 'chat');
  /** Seen by this user: from its sender, to the group or room, or (one-to-one) to this user. */
  async function addressing(c: RequestContext, m: MessageRecord, conversation: ConversationRecord) {
    const chatType = chatTypeOf(conversation);
    const to = chatType === 'chat' ? me.username : String(conversation.groupId ?? conversation.roomId);
    return { from: await nameOf(c, m.senderId), to, chatType };
  }
  const metaOf = async (c: RequestContext, m: MessageRecord, conversation: ConversationRecord): Promise<OutMeta> =>
    messageMeta(appKey, m, await addressing(c, m, conversation));

  /** The frame of a live event for any member's socket (the same bytes for all): null when it is not to be pushed. */
  function frameOf(e: Heard, m: MessageRecord, conversation: ConversationRecord): Promise<Uint8Array | null> {
    let frame = sharedFrames.get(e);
    if (!frame) {
      const c = fresh();
      frame = (async () => {
        const queue = await queueOf(c, conversation);
        const a = await addressing(c, m, conversation);
        const meta = e.type === 'message.added' ? messageMeta(appKey, m, a) : recallMeta(appKey, m, a, m.uid + 1);
        return metasFrame([meta], { queue, isLast: true });
      })().catch(() => null);
      // One-to-one frames name their recipient: shared only by that recipient's sockets.
      if (conversation.kind !== 'direct' && conversation.kind !== 'system') sharedFrames.set(e, frame);
    }
    return frame;
  }

  async function onMessage(e: Heard) {
    const m = recordOf(e);
    // Checked once per conversation on this socket, then kept until the user leaves it (below).
    let conversation = seen.get(m.conversationId);
    if (!conversation) {
      conversation = await services.conversations.watchable(fresh(), m.conversationId).catch((err: unknown) => {
        if (isDomainError(err)) return undefined; // no longer a member
        throw err;
      });
      if (!conversation) return;
      bounded(seen, m.conversationId, conversation);
    }
    const mine = m.senderId === me.id;
    if (e.type === 'message.recalled' || conversation.kind === 'room' || m.seq == null) {
      const frame = mine ? null : await frameOf(e, m, conversation);
      return frame ? sink.write(frame) : undefined;
    }
    const cursor = cursors.get(m.conversationId);
    if (cursor !== undefined && m.seq <= cursor) return;
    if (cursor !== undefined && m.seq === cursor + 1) {
      if (mine) return void cursors.set(m.conversationId, m.seq);
      // A frame that could not be made (a name unreadable just now) is not skipped: the notice below has it synced.
      const frame = await frameOf(e, m, conversation);
      if (frame) {
        cursors.set(m.conversationId, m.seq);
        sink.write(frame);
        services.inbox.pushed(ctx, m);
        bounded(pushed, m.conversationId, m.seq);
        return;
      }
    }
    // Not synced yet on this socket, or a gap: the SDK asks for the queue and gets it from its cursor.
    if (mine) return;
    if (cursor === undefined) bounded(floors, m.conversationId, Math.min(floors.get(m.conversationId) ?? m.seq - 1, m.seq - 1));
    sink.write(noticeFrame(await queueOf(fresh(), conversation)));
    rescan = true;
  }

  const api = {
    fresh,
    appKey,
    me,
    /**
     * UNREAD: the queues with messages this socket has not delivered. Also the SDK's heartbeat (every
     * 30 s): once an answer named nothing, nothing can be waiting that this socket did not hear of
     * (every message to the user is pushed or noticed), so the database is asked again only after a
     * notice, an answer that named queues, or the bus coming back.
     */
    async unread() {
      if (!rescan) return sink.write(unreadFrame([]));
      const c = fresh();
      const unread: { queue: Jid; n: number }[] = [];
      for (const { conversation, count } of await services.inbox.pending(c)) {
        if ((cursors.get(conversation.id) ?? -1) >= conversation.lastSeq) continue;
        unread.push({ queue: await queueOf(c, conversation), n: count });
        if (unread.length >= MAX_QUEUES) break;
      }
      sink.write(unreadFrame(unread));
      rescan = unread.length > 0;
    },

    /**
     * SYNC of a queue: the next page past what this socket delivered; on a first sync, past the
     * user's delivery cursor, or from a message this socket heard of if that is lower (another
     * device of the user may have taken it already). The client's `key` only repeats our `nextKey`.
     */
    async page(queue: Jid) {
      const id = queues.get(queueKey(queue));
      if (!id) return sink.write(metasFrame([], { queue, isLast: true }));
      const c = fresh();
      const cursor = cursors.get(id);
      const position = cursor !== undefined ? { after: cursor } : { atMost: floors.get(id) };
      const page = await services.inbox.undelivered(c, id, PAGE, position).catch((err: unknown) => {
        if (isDomainError(err) && err.code !== 'UNAVAILABLE') return null; // left the conversation meanwhile
        throw err;
      });
      if (!page) return sink.write(metasFrame([], { queue, isLast: true }));
      const metas = await Promise.all(page.messages.map((m) => metaOf(c, m, page.conversation)));
      sink.write(metasFrame(metas, { queue, nextKey: page.upTo, isLast: !page.more }));
      cursors.set(id, Math.max(cursor ?? 0, page.upTo));
      floors.delete(id);
      if (page.messages.length) await services.inbox.delivered(c, id, page.upTo);
    },

    /** The conversation this socket last sent to under this target (`chat`, `group` or `room` and a name), if any. */
    conversationOf: (target: string) => targets.get(target),

    /** A message this socket sent got its seq: the cursor passes it when it is next (its event is skipped either way). */
    sent(target: string, conversationId: string, seq: number | null) {
      bounded(targets, target, conversationId);
      if (seq != null && cursors.get(conversationId) === seq - 1) cursors.set(conversationId, seq);
    },

    start(enqueue: (step: () => void | Promise<void>) => void, socket: WebSocket) {
      const kick = (operation: number, code: number, reason: string) => () =>
        enqueue(() => (sink.write(kickFrame(operation, ownJid)), sink.close(code, reason)));
      cleanup.push(
        services.feeds.mine(ctx)((e) => {
          if (e.type === 'message.added' || e.type === 'message.recalled') return enqueue(() => onMessage(e));
          const left = e.type === 'membership.changed' && e.change === 'removed' && e.userIds.includes(me.id);
          // Left, removed, dissolved: the conversation is checked again at its next message.
          if (left || e.type === 'conversation.updated') seen.delete(e.conversationId);
          if (left) cursors.delete(e.conversationId);
        }),
        services.feeds.ownTokenRevoked(ctx, kick(Kick.CHANGED_PASSWORD, 4403, 'token revoked')),
        // Deactivated, deleted or sent offline by the app: the SDK hears it was removed, and stays out.
        services.feeds.online(ctx, { close: (code, reason) => kick(Kick.USER_REMOVED, code, reason)() }),
        // Events may have been missed while the bus was away: forget the cursors and tell the SDK what waits.
        services.feeds.onResume(() => enqueue(() => (cursors.clear(), (rescan = true), api.unread()))),
      );
      const expiresAt = ctx.principal.kind === 'user' ? ctx.principal.expiresAt : null;
      if (expiresAt) {
        const t = setTimeout(() => socket.close(4403, 'token expired'), Math.min(2 ** 31 - 1, expiresAt.getTime() - Date.now()));
        t.unref();
        cleanup.push(() => clearTimeout(t));
      }
    },

    /** Stops listening and writes the delivery cursors of what was pushed live (the recorder may not have yet). */
    stop() {
      for (const c of cleanup.splice(0)) c();
      const c = fresh();
      for (const [id, seq] of pushed) void services.inbox.delivered(c, id, seq).catch(() => undefined);
      pushed.clear();
    },
  };
  return api;
}

export type InboxSync = ReturnType<typeof createInboxSync>;
