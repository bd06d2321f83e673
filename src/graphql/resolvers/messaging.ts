import type { MemberRecord } from '../../conversations/records';
import type { RequestContext } from '../../domain/context';
import type { DomainEvent } from '../../events/catalog';
import { topicSource } from '../../events/live';
import { shared } from '../live/shared';
import type { Resolvers } from '../../generated/graphql';
import type { MessageType } from '../../messages/records';
import { encodeMessageCursor, fromMessagePayload, type MessageRecord } from '../../messages/records';
import type { LiveMessage } from '../../messages/stream';
import type { UserRecord } from '../../users/records';
import type { SurfacePort as Services } from '../../ports/surface';
import { pageInfo } from './connections';
import type { PresenceEventParent, ConversationEventParent } from './parents';

const upper = (v: string) => v.toUpperCase() as never;
const lower = <T extends string>(v: string) => v.toLowerCase() as T;

/** Subscription payloads are resolved with fresh loaders per event. */
const freshLoaders = (services: Services, ctx: RequestContext) => {
  ctx.loaders = services.newLoaders();
};

export function messagingResolvers(services: Services): Resolvers {
  const { contacts, conversations, messages, groups, presence, feeds, rooms } = services;

  return {
    Query: {
      conversations: (_p, { user, first, after }, ctx) => conversations.list(ctx, user, { first, after }),
      conversation: (_p, { id }, ctx) => conversations.get(ctx, id),
      messages: (_p, { conversationId, ...args }, ctx) => messages.history(ctx, conversationId, args),
      group: (_p, { groupId }, ctx) => groups.get(ctx, groupId),
      contacts: (_p, { user }, ctx) => contacts.listContacts(ctx, user),
      blockedUsers: (_p, { user }, ctx) => contacts.listBlocked(ctx, user),
      presence: (_p, { usernames }, ctx) => presence.statuses(ctx, usernames),
      offlineCounts: (_p, { user }, ctx) => conversations.offlineCounts(ctx, user),
      messageDeliveryStatus: (_p, { messageId }, ctx) => messages.deliveryStatus(ctx, messageId),
    },
    Mutation: {
      addContact: async (_p, { owner, contact }, ctx) => (await contacts.addContact(ctx, owner, contact)).user,
      removeContact: async (_p, { owner, contact }, ctx) => (await contacts.removeContact(ctx, owner, contact)).user,
      blockUsers: (_p, { owner, users }, ctx) => contacts.block(ctx, owner, users),
      unblockUser: async (_p, { owner, user }, ctx) => (await contacts.unblock(ctx, owner, user)).user,
      openDirectConversation: (_p, { from, peer }, ctx) => conversations.openDirect(ctx, from, peer),
      openSystemConversation: (_p, { user }, ctx) => conversations.openSystem(ctx, user),
      openCustomerServiceConversation: (_p, { store, customer }, ctx) => conversations.openCustomerService(ctx, store, customer),
      markConversationRead: (_p, { conversationId, seq }, ctx) => conversations.markRead(ctx, conversationId, seq),
      sendMessage: (_p, { input }, ctx) => messages.send(ctx, { ...input, type: lower<MessageType>(input.type) }),
      recallMessage: (_p, { messageId }, ctx) => messages.recall(ctx, messageId),
      enterRoom: (_p, { roomId }, ctx) => rooms.enter(ctx, roomId),
      leaveRoom: (_p, { roomId }, ctx) => conversations.setInRoom(ctx, roomId, false),
      createGroup: (_p, { input }, ctx) => groups.create(ctx, input),
      renameGroup: (_p, { groupId, name }, ctx) => groups.rename(ctx, groupId, name),
      dissolveGroup: (_p, { groupId }, ctx) => groups.dissolve(ctx, groupId),
      addGroupMembers: (_p, { groupId, members }, ctx) => groups.addMembers(ctx, groupId, members),
      removeGroupMembers: (_p, { groupId, members }, ctx) => groups.removeMembers(ctx, groupId, members),
      leaveGroup: (_p, { groupId, user }, ctx) => groups.leave(ctx, groupId, user),
      upgradeGroup: (_p, { groupId }, ctx) => groups.upgradeToSuper(ctx, groupId),
      updateGroupMember: (_p, { groupId, user, input }, ctx) =>
        groups.updateMember(ctx, groupId, user, { ...input, role: input.role ? lower<MemberRecord['role']>(input.role) : undefined }),
      disconnectUser: (_p, { user }, ctx) => presence.disconnect(ctx, user),
    },
    Subscription: {
      messageAdded: {
        subscribe: (_p, { conversationId, after }, ctx) => services.messageStream(ctx, conversationId, after) as never,
        resolve: shared((m: MessageRecord, _a: unknown, ctx: RequestContext) => {
          freshLoaders(services, ctx);
          return m;
        }),
      },
      messageRecalled: {
        subscribe: async (_p, { conversationId }, ctx) => {
          return topicSource<DomainEvent, LiveMessage>(await feeds.conversation(ctx, conversationId), (e) =>
            e.type === 'message.recalled' ? { ...fromMessagePayload(e.message), eventId: e.eventId } : undefined,
          ) as never;
        },
        resolve: shared((m: MessageRecord, _a: unknown, ctx: RequestContext) => (freshLoaders(services, ctx), m)),
      },
      conversationChanged: {
        subscribe: (_p, _a, ctx) => {
          return topicSource<DomainEvent, ConversationEventParent>(feeds.mine(ctx), (e) =>
            e.type === 'membership.changed' || e.type === 'conversation.updated' ? e : undefined,
          ) as never;
        },
        resolve: shared((e: ConversationEventParent, _a: unknown, ctx: RequestContext) => (freshLoaders(services, ctx), e)),
      },
      presenceChanged: {
        subscribe: async (_p, { usernames }, ctx) => {
          const subscribe = feeds.presence(ctx);
          const only = usernames?.length
            ? new Set((await presence.statuses(ctx, usernames)).flatMap((s) => (s.user ? [s.user.id] : [])))
            : undefined;
          return topicSource<DomainEvent, PresenceEventParent>(subscribe, (e) =>
            e.type === 'presence.changed' && (!only || only.has(e.userId)) ? e : undefined,
          ) as never;
        },
        resolve: shared((e: PresenceEventParent, _a: unknown, ctx: RequestContext) => (freshLoaders(services, ctx), e)),
      },
    },
    Conversation: {
      id: (v) => v.conversation.id,
      kind: (v) => upper(v.conversation.kind),
      group: (v, _a, ctx) => (v.conversation.kind === 'group' ? ctx.loaders.groupByConversation.load(v.conversation.id) : null),
      previouslyCreated: (v) => !!v.previouslyCreated,
      lastMessage: (v, _a, ctx) => (v.conversation.lastMessageId ? ctx.loaders.messageById.load(v.conversation.lastMessageId) : null),
      lastSeq: (v) => v.conversation.lastSeq,
      unreadCount: (v) => (v.member ? Math.max(0, v.conversation.lastSeq - v.member.readSeq) : 0),
      membership: (v) => v.member,
      lastActivityAt: (v) => v.conversation.lastMessageAt,
      createdAt: (v) => v.conversation.createdAt,
    },
    ConversationConnection: {
      nodes: (c) => c.edges.map((e) => e.node),
      pageInfo: (c) => pageInfo(c),
    },
    Member: {
      user: async (m, _a, ctx) => (await ctx.loaders.userById.load(m.userId))!,
      role: (m) => upper(m.role),
    },
    Message: {
      conversation: (m, _a, ctx) => conversations.access(ctx, m.conversationId),
      // Message.conversation checks the viewer (and shows their membership): computed per subscriber.
      sender: shared((m, _a, ctx) => (m.senderId ? ctx.loaders.userById.load(m.senderId) : null)),
      type: shared((m) => upper(m.type)),
      cursor: shared((m) => (m.seq == null ? null : encodeMessageCursor(m.seq))),
      recalled: shared((m) => !!m.recalledAt),
    },
    MessageConnection: {
      nodes: (c) => c.edges.map((e) => e.node),
      pageInfo: (c) => pageInfo(c),
    },
    Group: {
      owner: shared(async (g, _a, ctx) => (await ctx.loaders.userById.load(g.ownerId))!),
      conversation: async (g, _a, ctx) => conversations.get(ctx, g.conversationId),
    },
    DeliveryStatus: {
      user: shared(async (s, _a, ctx) => (await ctx.loaders.userById.load(s.userId))!),
    },
    PresenceEvent: {
      at: shared((e) => new Date(e.at)),
      user: shared(async (e, _a, ctx) => (await ctx.loaders.userById.load(e.userId))!),
    },
    ConversationEvent: {
      change: shared((e) =>
        e.type === 'membership.changed' ? (e.change === 'added' ? 'MEMBER_ADDED' : 'MEMBER_REMOVED') : upper(e.change),
      ),
      users: shared(async (e, _a, ctx) =>
        'userIds' in e ? ((await ctx.loaders.userById.loadMany(e.userIds)).filter((u) => u && !(u instanceof Error)) as UserRecord[]) : [],
      ),
    },
  };
}
