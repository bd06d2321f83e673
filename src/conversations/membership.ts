import { topics, type ConversationChange } from '../events/catalog';
import type { EventBus } from '../events/bus';
import type { ConversationRecord, MemberRecord, MemberRole } from './records';
import { createEventCache } from '../events/cache';
import type { RosterEntry } from './roster';
import type { ConversationStore } from './store';

/**
 * Who is in a conversation: joining, leaving, roles and mutes, and the cached roster every send
 * reads. Every change is an event to the conversation and to every member, before and after; the
 * cached roster is dropped by those events, so it holds on every instance that hears them; the
 * instance that writes also drops it at once, before the reads that precede its event.
 */
export function createMembership(deps: { store: ConversationStore; events: EventBus }) {
  const { store, events } = deps;
  // Cursors (read, delivered) are deliberately not in it: they change with every message.
  const rosters = createEventCache<RosterEntry[]>();
  const audience = (appId: string, conversationId: string, userIds: string[]) => [
    topics.conversation(conversationId),
    ...userIds.map((u) => topics.user(appId, u)),
  ];
  const forget = (e: { conversationId: string }) => rosters.forget([e.conversationId]);
  events.on('membership.changed', forget);
  events.on('conversation.updated', forget);
  events.onResume(() => rosters.clear()); // changes made elsewhere meanwhile were not heard

  /** Publishes a change of the conversation (or its group) to the conversation and every current member. */
  async function announce(appId: string, conversationId: string, change: ConversationChange) {
    const everyone = await store.memberIds(conversationId);
    events.publish('conversation.updated', { appId, conversationId, change }, audience(appId, conversationId, everyone));
  }

  return {
    /** Adds members (existing ones are kept); everyone in the conversation hears about it, the newcomers included. */
    async add(conv: ConversationRecord, userIds: string[], role: MemberRole = 'member'): Promise<string[]> {
      const added = await store.insertMembers(conv, userIds, role);
      if (added.length) {
        // Here at once (the event follows another read); other instances through the event.
        rosters.forget([conv.id]);
        const everyone = await store.memberIds(conv.id);
        events.publish(
          'membership.changed',
          { appId: conv.appId, conversationId: conv.id, change: 'added', userIds: added },
          audience(conv.appId, conv.id, everyone),
        );
      }
      return added;
    },

    /** Removes members; those removed and those who stay hear about it. */
    async remove(conv: ConversationRecord, userIds: string[]) {
      if (userIds.length === 0) return;
      const everyone = await store.memberIds(conv.id);
      await store.deleteMembers(conv.id, userIds);
      rosters.forget([conv.id]);
      const notify = [...new Set([...everyone, ...userIds])];
      events.publish(
        'membership.changed',
        { appId: conv.appId, conversationId: conv.id, change: 'removed', userIds },
        audience(conv.appId, conv.id, notify),
      );
    },

    announce,

    async updateMember(
      conv: ConversationRecord,
      userId: string,
      set: { role?: MemberRole; nickname?: string; muted?: boolean; mutedUntil?: Date | null; doNotDisturb?: boolean },
    ): Promise<MemberRecord> {
      const updated = await store.updateMember(conv.id, userId, set);
      rosters.forget([conv.id]);
      await announce(conv.appId, conv.id, 'member_settings');
      return updated;
    },

    /** Only the owner and admins may speak (true), or everyone again; every instance drops its cached identity. */
    async setMutedAll(conv: ConversationRecord, on: boolean) {
      await store.setMutedAll(conv.id, on);
      await announce(conv.appId, conv.id, 'member_settings');
    },

    /** Members, roles and mutes, from this process's event-kept cache (events/cache.ts). */
    roster(conversationId: string): Promise<RosterEntry[]> {
      return rosters.get(conversationId, () => store.roster(conversationId));
    },
  };
}

export type Membership = ReturnType<typeof createMembership>;
