import type { ConversationRecord } from '../conversations/records';
import type { ConversationService } from '../conversations/service';
import type { RequestContext, UserPrincipal } from '../domain/context';
import { forbidden, invalidInput, unauthenticated } from '../domain/errors';
import type { DeliveryRecorder } from '../messages/delivery';
import type { MessageRecord } from '../messages/records';
import type { MessageService } from '../messages/service';

/** The most messages one sync page may hold. */
export const INBOX_PAGE_MAX = 100;

/**
 * A user's inbox as a device syncs it (a client that keeps a queue per conversation and asks for
 * what it has not received): which conversations hold undelivered messages, the messages past the
 * user's delivery cursor, and delivery acknowledgments that move that cursor (the one GraphQL's
 * delivery status and the REST offline counts read). Chat rooms are not in it: their messages
 * reach members who are connected, as on the vendor platforms, and are never queued for a device.
 */
export function createInbox(deps: {
  conversations: Pick<ConversationService, 'access' | 'offlineCounts' | 'markDelivered'>;
  messages: Pick<MessageService, 'after'>;
  deliveries: DeliveryRecorder;
}) {
  const { conversations, messages, deliveries } = deps;
  const userOf = (ctx: RequestContext): UserPrincipal => {
    const p = ctx.principal;
    if (p.kind === 'anonymous') throw unauthenticated();
    if (p.kind !== 'user') throw forbidden('an inbox is a user’s');
    return p;
  };
  const memberOf = async (ctx: RequestContext, conversationId: string) => {
    userOf(ctx);
    const { conversation, member } = await conversations.access(ctx, conversationId);
    if (conversation.kind === 'room') throw invalidInput('chat rooms have no inbox queue', 'conversationId');
    return { conversation, deliveredSeq: member!.deliveredSeq };
  };

  return {
    /** The caller's conversations with undelivered messages, and how many each holds. */
    async pending(ctx: RequestContext): Promise<{ conversation: ConversationRecord; count: number }[]> {
      userOf(ctx);
      const { perConversation } = await conversations.offlineCounts(ctx, null);
      const found = await ctx.loaders.conversationById.loadMany(perConversation.map((c) => c.conversationId));
      return perConversation.flatMap((c, i) => {
        const conversation = found[i];
        return conversation && !(conversation instanceof Error) && conversation.kind !== 'room' ? [{ conversation, count: c.count }] : [];
      });
    },

    /**
     * Up to `limit` messages in seq order, skipping the caller's own and recalled ones, past the
     * caller's delivery cursor, or past `after` (a device's own position, which may be behind the
     * user's cursor when another device of theirs received those), or past whichever of the cursor
     * and `atMost` is lower (a device that has just heard of a message the user's other devices may
     * have taken already); `upTo` is the seq the page covers (what to acknowledge), `more` whether
     * more follow.
     */
    async undelivered(ctx: RequestContext, conversationId: string, limit: number, position: { after?: number; atMost?: number } = {}) {
      if (!Number.isInteger(limit) || limit < 1 || limit > INBOX_PAGE_MAX)
        throw invalidInput(`limit must be 1 to ${INBOX_PAGE_MAX}`, 'limit');
      for (const [field, v] of Object.entries(position))
        if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw invalidInput(`${field} must be a whole number`, field);
      const me = userOf(ctx);
      const { conversation, deliveredSeq } = await memberOf(ctx, conversationId);
      const from = position.after ?? Math.min(deliveredSeq, position.atMost ?? deliveredSeq);
      const page = await messages.after(conversationId, from, limit);
      const upTo = page.at(-1)?.seq ?? from;
      const list = page.filter((m) => m.senderId !== me.userId && !m.recalledAt);
      return { conversation, messages: list, upTo, more: page.length === limit };
    },

    /** Moves the caller's delivery cursor up to `seq` now (never backward). */
    async delivered(ctx: RequestContext, conversationId: string, seq: number): Promise<void> {
      const me = userOf(ctx);
      if (!Number.isSafeInteger(seq) || seq < 0) throw invalidInput('seq must be a whole number', 'seq');
      await memberOf(ctx, conversationId);
      await conversations.markDelivered(conversationId, [me.userId], seq);
    },

    /** A message pushed to one of the caller's sockets: recorded with the coalescing recorder (written within its interval). */
    pushed(ctx: RequestContext, message: MessageRecord): void {
      deliveries.record(userOf(ctx).userId, message);
    },
  };
}

export type Inbox = ReturnType<typeof createInbox>;
