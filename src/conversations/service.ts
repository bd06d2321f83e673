import { isObjectIdHex } from '../db/ids';
import { isAccount, type Principal, type RequestContext } from '../domain/context';
import { forbidden, invalidInput, notFound, unauthenticated } from '../domain/errors';
import type { EventBus } from '../events/bus';
import { createEventCache } from '../events/cache';
import { topics } from '../events/catalog';
import type { UserRecord } from '../users/records';
import type { UserRef, UserService } from '../users/service';
import { createMembership } from './membership';
import type { RosterEntry } from './roster';
import { decodeListCursor, encodeListCursor, type ConversationRecord, type ConversationView, type MemberRecord } from './records';
import type { ConversationStore } from './store';
import { createConversationOpeners } from './open';

export type ConversationService = ReturnType<typeof createConversationService>;

export function createConversationService(deps: { store: ConversationStore; users: UserService; events: EventBus }) {
  const { store, users } = deps;
  const membership = createMembership(deps);
  // What a send and a subscription check, which never changes once made: id, app, kind. (lastSeq and
  // lastMessage in these copies are stale: nothing reads them.) Dropped on any conversation change.
  const identities = createEventCache<ConversationRecord | null>({ maxEntries: 50_000 });
  deps.events.subscribe(
    topics.all('conversation.updated'),
    (e) => e.type === 'conversation.updated' && identities.forget([e.conversationId]),
  );
  deps.events.onResume(() => identities.clear());

  /** When a conversation last moved, for a member's list: its last message, else their joining. */
  const activityOf = (c: ConversationRecord, m: MemberRecord) => (c.lastMessageAt ?? m.joinedAt).getTime();

  /** A conversation of the caller's app; another app's, or none, is not found. */
  async function ofCallersApp(ctx: RequestContext, conversationId: string) {
    const p = ctx.principal;
    if (p.kind !== 'app' && !isAccount(p)) throw unauthenticated();
    const conversation = isObjectIdHex(conversationId) ? await ctx.loaders.conversationById.load(conversationId) : null;
    if (!conversation || !reachable(p, conversation)) throw notFound('conversation', { field: 'conversationId' });
    return { p, conversation };
  }

  /** Of the caller's app, and for a customer only customer service. */
  const reachable = (p: Principal, c: ConversationRecord) =>
    (p.kind === 'app' || isAccount(p)) && c.appId === p.appId && (p.kind !== 'customer' || c.kind === 'customer_service');

  /** The user whose conversations these are: named by an app principal, the caller for a user. */
  const listOwner = (ctx: RequestContext, ref: UserRef | null | undefined) =>
    ctx.principal.kind === 'app'
      ? users.findInApp(ctx, ref ?? {})
      : ctx.principal.kind === 'customer' && !ref
        ? users.self(ctx)
        : users.actingUser(ctx, ref);

  const service = {
    countPerApp: deps.store.countPerApp,
    /**
     * Loads a conversation the caller may see: a user must be a member; an app principal sees any
     * conversation of its app. Everything else is not found.
     */
    async access(ctx: RequestContext, conversationId: string): Promise<{ conversation: ConversationRecord; member: MemberRecord | null }> {
      const { p, conversation } = await ofCallersApp(ctx, conversationId);
      if (p.kind === 'app') return { conversation, member: null };
      const member = await ctx.loaders.memberOf.load(`${conversationId}:${p.userId}`);
      if (!member) throw notFound('conversation', { field: 'conversationId' });
      return { conversation, member };
    },

    /**
     * Like access(), from event-kept caches (the conversation's identity, its roster): what a send
     * and a subscription check, at no database cost when warm. A room's 1,000 subscriptions cost one
     * member query, not 1,000. Only id, appId, kind and groupId of the result are current.
     */
    async watchable(ctx: RequestContext, conversationId: string): Promise<ConversationRecord> {
      const p = ctx.principal;
      if (p.kind !== 'app' && !isAccount(p)) throw unauthenticated();
      const conversation = isObjectIdHex(conversationId)
        ? await identities.get(conversationId, async () => (await store.findManyByIds([conversationId]))[0] ?? null)
        : null;
      if (!conversation) identities.forget([conversationId]);
      if (!conversation || !reachable(p, conversation)) throw notFound('conversation', { field: 'conversationId' });
      if (isAccount(p) && !(await membership.roster(conversationId)).some((m) => m.userId === p.userId)) {
        throw notFound('conversation', { field: 'conversationId' });
      }
      return conversation;
    },

    async get(ctx: RequestContext, conversationId: string): Promise<ConversationView> {
      return service.access(ctx, conversationId);
    },

    /** A user's conversations, newest activity first. App principals name the user. */
    async list(ctx: RequestContext, userRef: UserRef | null | undefined, args: { first?: number | null; after?: string | null }) {
      const user = await listOwner(ctx, userRef);
      const first = args.first ?? 20;
      if (!Number.isInteger(first) || first < 1 || first > 100) throw invalidInput('first must be 1 to 100', 'first');
      const after = args.after ? decodeListCursor(args.after) : undefined;
      if (args.after && !after) throw invalidInput('after is not a valid cursor', 'after');
      // Ordered on read, by each conversation's last activity: a message then costs no write per member.
      const mine = await store.membershipsOf(user.id);
      const convs = await ctx.loaders.conversationById.loadMany(mine.map((m) => m.conversationId));
      const rows = mine
        .flatMap((member, i) => {
          const conversation = convs[i];
          return conversation && !(conversation instanceof Error) ? [{ member, conversation, at: activityOf(conversation, member) }] : [];
        })
        .sort((a, b) => b.at - a.at || (a.conversation.id < b.conversation.id ? 1 : -1))
        .filter((r) => !after || r.at < after.at.getTime() || (r.at === after.at.getTime() && r.conversation.id < after.id));
      const edges = rows
        .slice(0, first)
        .map(({ member, conversation, at }) => ({ cursor: encodeListCursor(at, conversation.id), node: { conversation, member } }));
      return { edges, hasNextPage: rows.length > first, hasPreviousPage: !!args.after };
    },

    /** Moves the caller's read (and delivered) cursor forward; never backward. */
    async markRead(ctx: RequestContext, conversationId: string, seq?: number | null): Promise<MemberRecord> {
      const { conversation, member } = await service.access(ctx, conversationId);
      if (!member) throw forbidden('only a member has a read cursor');
      const upTo = seq ?? conversation.lastSeq;
      if (!Number.isInteger(upTo) || upTo < 0 || upTo > conversation.lastSeq)
        throw invalidInput(`seq must be 0 to ${conversation.lastSeq}`, 'seq');
      const updated = await store.moveCursors(conversationId, member.userId, upTo);
      ctx.loaders.memberOf.clear(`${conversationId}:${member.userId}`);
      return updated;
    },

    /** Undelivered message counts of a user, per conversation and in total. */
    async offlineCounts(ctx: RequestContext, userRef: UserRef | null | undefined) {
      return service.offlineCountsOf(ctx, await listOwner(ctx, userRef));
    },

    /** System: the undelivered counts of an account the caller has already been allowed to read. */
    async offlineCountsOf(ctx: RequestContext, user: UserRecord) {
      const mine = await store.membershipsOf(user.id);
      const convs = await ctx.loaders.conversationById.loadMany(mine.map((m) => m.conversationId));
      const perConversation = mine.flatMap((m, i) => {
        const c = convs[i];
        const count = c && !(c instanceof Error) ? Math.max(0, c.lastSeq - m.deliveredSeq) : 0;
        return count > 0 ? [{ conversationId: m.conversationId, count }] : [];
      });
      return { user, total: perConversation.reduce((s, c) => s + c.count, 0), perConversation };
    },

    ...createConversationOpeners({ store, users, membership }),

    /** Ids of a user's conversations with a message since `at` (a live stream catching up). */
    async activeSince(userId: string, at: Date): Promise<string[]> {
      const mine = await store.membershipsOf(userId);
      const convs = await store.findManyByIds(mine.map((m) => m.conversationId));
      return convs.flatMap((c) => (c?.lastMessageAt && c.lastMessageAt >= at ? [c.id] : []));
    },

    /**
     * Checked: the members of a conversation of the caller's app, from the roster cache. A user
     * reads a group's or a room's (their own visibility is the group's or room's service's to
     * decide), or one they are a member of; a customer none.
     */
    async rosterOf(ctx: RequestContext, conversationId: string): Promise<RosterEntry[]> {
      const p = ctx.principal;
      const conversation = isObjectIdHex(conversationId) ? await ctx.loaders.conversationById.load(conversationId) : null;
      if (!conversation || p.kind === 'customer' || !reachable(p, conversation)) throw notFound('conversation');
      const roster = await membership.roster(conversationId);
      if (p.kind === 'user' && conversation.kind !== 'group' && conversation.kind !== 'room' && !roster.some((m) => m.userId === p.userId))
        throw notFound('conversation');
      return roster;
    },

    /** Checked: how many members a conversation the caller may see has (one count query). */
    async memberCount(ctx: RequestContext, conversationId: string): Promise<number> {
      await service.access(ctx, conversationId);
      return store.countMembers(conversationId);
    },

    /** System: members, roles and mutes, from this process's cache when recent (see roster.ts). */
    roster: membership.roster,
    async membersOf(conversationId: string): Promise<MemberRecord[]> {
      return (await store.findMembersByConversations([conversationId]))[0]!;
    },
    addMembers: membership.add,
    removeMembers: membership.remove,
    updateMember: membership.updateMember,
    setMutedAll: membership.setMutedAll,
    /** Every membership of a user (any kind of conversation). */
    membershipsOf: store.membershipsOf,
    announce: membership.announce,

    /** Message bookkeeping (the message service's only writes here). */
    lastSeq: store.lastSeq,
    recordLastMessage: store.recordLastMessage,
    /** A member's read and delivered cursors move up to `seq` (a sender has read their own message). */
    advanceCursors: store.advanceCursors,
    /** Records delivery up to `seq` for these members (called after a push reached them). */
    async markDelivered(conversationId: string, userIds: string[], seq: number) {
      if (userIds.length) await store.markDelivered(conversationId, userIds, seq);
    },

    /** Batch sources for the per-request loaders. */
    findManyByIds: store.findManyByIds,
    findMembersByKeys: store.findMembersByKeys,
    memberPages: store.memberPages,
    countMembers: store.countMembers,
  };
  return service;
}
