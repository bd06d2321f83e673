import { findRecordsByIds, isObjectIdHex as isObjectId, ONE_BATCH } from '../db/ids';
import { Types } from 'mongoose';
import type { RequestContext } from '../domain/context';
import { forbidden, invalidInput, isDuplicateKeyError, notFound, unauthenticated } from '../domain/errors';
import { topics, type PubSub } from '../events/pubsub';
import type { UserRef, UserService } from '../users/service';
import { createRosterCache, type RosterEntry } from './roster';
import type { ConversationDoc, ConversationKind, ConversationModel, MemberDoc, MemberModel, MemberRole } from './model';
import {
  decodeListCursor,
  encodeListCursor,
  toConversationRecord,
  toMemberRecord,
  type ConversationRecord,
  type ConversationView,
  type MemberRecord,
} from './records';

export type ConversationEvent =
  | { type: 'member_added'; conversationId: string; userIds: string[] }
  | { type: 'member_removed'; conversationId: string; userIds: string[] }
  | { type: 'updated'; conversationId: string; change: 'renamed' | 'dissolved' | 'upgraded' | 'member_settings' };

export type ConversationService = ReturnType<typeof createConversationService>;

export function createConversationService(deps: {
  conversations: ConversationModel;
  members: MemberModel;
  users: UserService;
  pubsub: PubSub;
}) {
  const { conversations, members, users, pubsub } = deps;

  /** Finds or creates the conversation with this natural key; reports whether it existed. */
  async function openByKey(appId: string, kind: ConversationKind, key: string, extra: Partial<ConversationDoc> = {}) {
    const existing = await conversations.findOne({ appId, key }).lean<ConversationDoc>();
    if (existing) return { doc: existing, previouslyCreated: true };
    try {
      const created = await conversations.create({ appId: new Types.ObjectId(appId), kind, key, lastSeq: 0, ...extra });
      return { doc: created.toObject() as ConversationDoc, previouslyCreated: false };
    } catch (e) {
      if (!isDuplicateKeyError(e)) throw e;
      return { doc: (await conversations.findOne({ appId, key }).lean<ConversationDoc>())!, previouslyCreated: true };
    }
  }

  async function addMemberships(conv: ConversationDoc, userIds: string[], role: MemberRole = 'member'): Promise<string[]> {
    const now = new Date();
    const added: string[] = [];
    for (const userId of userIds) {
      try {
        await members.create({
          appId: conv.appId,
          conversationId: conv._id,
          userId: new Types.ObjectId(userId),
          role,
          // New members start at the current end: history before joining is not "unread" to them.
          deliveredSeq: conv.lastSeq,
          readSeq: conv.lastSeq,
          joinedAt: now,
        });
        added.push(userId);
      } catch (e) {
        if (!isDuplicateKeyError(e)) throw e;
      }
    }
    rosters.forget(conv._id.toHexString());
    if (added.length) {
      // Everyone in the conversation hears about it, the newcomers included.
      const everyone = await members.find({ conversationId: conv._id }, { userId: 1 }).lean<MemberDoc[]>();
      publish(
        { type: 'member_added', conversationId: conv._id.toHexString(), userIds: added },
        conv.appId.toHexString(),
        everyone.map((m) => m.userId.toHexString()),
      );
    }
    return added;
  }

  function publish(event: ConversationEvent, appId: string, alsoNotify: string[] = []) {
    pubsub.publish(topics.conversation(event.conversationId), event);
    for (const userId of alsoNotify) pubsub.publish(topics.user(appId, userId), event);
  }

  async function view(ctx: RequestContext, doc: ConversationDoc, previouslyCreated?: boolean): Promise<ConversationView> {
    const p = ctx.principal;
    const member = p.kind === 'user' ? await members.findOne({ conversationId: doc._id, userId: p.userId }).lean<MemberDoc>() : null;
    return { conversation: toConversationRecord(doc), member: member ? toMemberRecord(member) : null, previouslyCreated };
  }

  /** When a conversation last moved, for a member's list: its last message, else their joining. */
  const activityOf = (c: ConversationRecord, m: MemberRecord) => (c.lastMessageAt ?? m.joinedAt).getTime();

  /** A conversation of the caller's app; another app's, or none, is not found. */
  async function ofCallersApp(ctx: RequestContext, conversationId: string) {
    const p = ctx.principal;
    if (p.kind !== 'app' && p.kind !== 'user') throw unauthenticated();
    const conversation = isObjectId(conversationId) ? await ctx.loaders.conversationById.load(conversationId) : null;
    if (!conversation || conversation.appId !== p.appId) throw notFound('conversation', { field: 'conversationId' });
    return { p, conversation };
  }

  const rosters = createRosterCache();
  // Direct conversations by pair (`appId:d:a:b`): the pair → id mapping never changes once made.
  const directIds = new Map<string, string>();

  const service = {
    openByKey,
    addMemberships,
    publish,

    /** Publishes a change to the conversation and to every current member's own topic. */
    async announce(event: ConversationEvent, appId: string) {
      const current = await members.find({ conversationId: event.conversationId }, { userId: 1 }).lean<MemberDoc[]>();
      publish(
        event,
        appId,
        current.map((m) => m.userId.toHexString()),
      );
    },

    /** The direct conversation of two users; opening it again returns the same one. */
    async openDirect(ctx: RequestContext, fromRef: UserRef | null | undefined, peerRef: UserRef): Promise<ConversationView> {
      const me = await users.actingUser(ctx, fromRef);
      const peer = await users.findInApp(ctx, peerRef, 'peer');
      if (peer.id === me.id) throw invalidInput('a direct conversation needs two different users', 'peer');
      const [a, b] = [me.id, peer.id].sort();
      const key = `${me.appId}:d:${a}:${b}`;
      // Known pair with both members on its roster: no lookup by key (a scan on FerretDB).
      const knownId = directIds.get(key);
      const known = knownId ? await ctx.loaders.conversationById.load(knownId) : null;
      if (known) {
        const roster = await service.roster(known.id);
        if (roster.some((m) => m.userId === a) && roster.some((m) => m.userId === b)) {
          const member = ctx.principal.kind === 'user' ? await ctx.loaders.memberOf.load(`${known.id}:${ctx.principal.userId}`) : null;
          return { conversation: known, member, previouslyCreated: true };
        }
      }
      const opened = await openByKey(me.appId, 'direct', `d:${a}:${b}`);
      if (directIds.size >= 50_000) directIds.delete(directIds.keys().next().value!);
      directIds.set(key, opened.doc._id.toHexString());
      if (!opened.previouslyCreated || (await members.countDocuments({ conversationId: opened.doc._id })) < 2) {
        await addMemberships(opened.doc, [me.id, peer.id]);
      }
      return view(ctx, opened.doc, opened.previouslyCreated);
    },

    /** A user's system-notice conversation (one per user). */
    async openSystem(ctx: RequestContext, userRef: UserRef | null | undefined): Promise<ConversationView> {
      const user = await users.actingUser(ctx, userRef);
      const opened = await openByKey(user.appId, 'system', `s:${user.id}`);
      await addMemberships(opened.doc, [user.id]);
      return view(ctx, opened.doc, opened.previouslyCreated);
    },

    /** A store ↔ customer service conversation (one per pair). */
    async openCustomerService(ctx: RequestContext, storeRef: UserRef, customerRef: UserRef | null | undefined): Promise<ConversationView> {
      const customer = await users.actingUser(ctx, customerRef);
      const store = await users.findInApp(ctx, storeRef, 'store');
      if (store.id === customer.id) throw invalidInput('store and customer must differ', 'store');
      const opened = await openByKey(customer.appId, 'customer_service', `c:${store.id}:${customer.id}`);
      await addMemberships(opened.doc, [store.id, customer.id]);
      return view(ctx, opened.doc, opened.previouslyCreated);
    },

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
     * May the caller watch this conversation's events? Like access(), but membership comes from the
     * roster cache: a room's 1,000 subscriptions then cost one member query, not 1,000.
     */
    async watchable(ctx: RequestContext, conversationId: string): Promise<ConversationRecord> {
      const { p, conversation } = await ofCallersApp(ctx, conversationId);
      if (p.kind === 'user' && !(await service.roster(conversationId)).some((m) => m.userId === p.userId)) {
        throw notFound('conversation', { field: 'conversationId' });
      }
      return conversation;
    },

    async get(ctx: RequestContext, conversationId: string): Promise<ConversationView> {
      return service.access(ctx, conversationId);
    },

    /** A user's conversations, newest activity first. App principals name the user. */
    async list(ctx: RequestContext, userRef: UserRef | null | undefined, args: { first?: number | null; after?: string | null }) {
      const user = ctx.principal.kind === 'app' ? await users.findInApp(ctx, userRef ?? {}) : await users.actingUser(ctx, userRef);
      const first = args.first ?? 20;
      if (!Number.isInteger(first) || first < 1 || first > 100) throw invalidInput('first must be 1 to 100', 'first');
      const after = args.after ? decodeListCursor(args.after) : undefined;
      if (args.after && !after) throw invalidInput('after is not a valid cursor', 'after');
      // Ordered on read, by each conversation's last activity: a message then costs no write per
      // member (a room of 1,000 would otherwise rewrite 1,000 memberships per message).
      const mine = (await members.find({ userId: user.id }).batchSize(ONE_BATCH).lean<MemberDoc[]>()).map(toMemberRecord);
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
      const updated = await members
        .findOneAndUpdate(
          { conversationId, userId: member.userId },
          { $max: { readSeq: upTo, deliveredSeq: upTo } },
          { returnDocument: 'after' },
        )
        .lean<MemberDoc>();
      ctx.loaders.memberOf.clear(`${conversationId}:${member.userId}`);
      return toMemberRecord(updated!);
    },

    /** After a message is stored: the sender has read their own message. */
    async touch(conversationId: string, senderId: string | null, seq: number) {
      if (senderId) await members.updateOne({ conversationId, userId: senderId }, { $max: { readSeq: seq, deliveredSeq: seq } });
    },

    /** Records delivery up to `seq` for these members (called after a push reached them). */
    async markDelivered(conversationId: string, userIds: string[], seq: number) {
      if (userIds.length === 0) return;
      await members.updateMany({ conversationId, userId: { $in: userIds }, deliveredSeq: { $lt: seq } }, { $set: { deliveredSeq: seq } });
    },

    /** Undelivered message counts of a user, per conversation and in total. */
    async offlineCounts(ctx: RequestContext, userRef: UserRef | null | undefined) {
      const user = ctx.principal.kind === 'app' ? await users.findInApp(ctx, userRef ?? {}) : await users.actingUser(ctx, userRef);
      const mine = await members.find({ userId: user.id }).lean<MemberDoc[]>();
      const convs = await ctx.loaders.conversationById.loadMany(mine.map((m) => m.conversationId.toHexString()));
      const perConversation = mine.flatMap((m, i) => {
        const c = convs[i];
        const count = c && !(c instanceof Error) ? Math.max(0, c.lastSeq - m.deliveredSeq) : 0;
        return count > 0 ? [{ conversationId: m.conversationId.toHexString(), count }] : [];
      });
      return { user, total: perConversation.reduce((s, c) => s + c.count, 0), perConversation };
    },

    /** Members, roles and mutes, from this process's cache when recent (see roster.ts). */
    roster(conversationId: string): Promise<RosterEntry[]> {
      return rosters.get(conversationId, async () =>
        (await members.find({ conversationId }, { userId: 1, role: 1, muted: 1 }).batchSize(ONE_BATCH).lean<MemberDoc[]>()).map((m) => ({
          userId: m.userId.toHexString(),
          role: m.role,
          muted: m.muted,
        })),
      );
    },

    async membersOf(conversationId: string): Promise<MemberRecord[]> {
      return (await members.find({ conversationId }).sort({ joinedAt: 1, _id: 1 }).lean<MemberDoc[]>()).map(toMemberRecord);
    },

    async removeMemberships(conv: ConversationRecord, userIds: string[]) {
      if (userIds.length === 0) return;
      // Those removed and those who stay hear about it.
      const everyone = await members.find({ conversationId: conv.id }, { userId: 1 }).lean<MemberDoc[]>();
      await members.deleteMany({ conversationId: conv.id, userId: { $in: userIds } });
      rosters.forget(conv.id);
      publish({ type: 'member_removed', conversationId: conv.id, userIds }, conv.appId, [
        ...new Set([...everyone.map((m) => m.userId.toHexString()), ...userIds]),
      ]);
    },

    async updateMember(
      conversationId: string,
      userId: string,
      set: Partial<Pick<MemberDoc, 'role' | 'nickname' | 'muted' | 'doNotDisturb'>>,
    ) {
      const updated = await members
        .findOneAndUpdate({ conversationId, userId }, { $set: set }, { returnDocument: 'after' })
        .lean<MemberDoc>();
      rosters.forget(conversationId);
      if (!updated) throw notFound('member');
      return toMemberRecord(updated);
    },

    /** Batch sources for the per-request loaders. */
    findManyByIds: (ids: readonly string[]) => findRecordsByIds(conversations, ids, toConversationRecord),
    async findMembersByKeys(keys: readonly string[]) {
      const pairs = keys.map((k) => k.split(':') as [string, string]);
      const docs = await members
        .find({ conversationId: { $in: [...new Set(pairs.map((p) => p[0]))] }, userId: { $in: [...new Set(pairs.map((p) => p[1]))] } })
        .batchSize(ONE_BATCH)
        .lean<MemberDoc[]>();
      const byKey = new Map(docs.map((d) => [`${d.conversationId.toHexString()}:${d.userId.toHexString()}`, toMemberRecord(d)]));
      return keys.map((k) => byKey.get(k) ?? null);
    },
    async findMembersByConversations(ids: readonly string[]) {
      const docs = await members
        .find({ conversationId: { $in: ids.filter(isObjectId) } })
        .sort({ joinedAt: 1, _id: 1 })
        .batchSize(ONE_BATCH)
        .lean<MemberDoc[]>();
      const grouped = new Map<string, MemberRecord[]>(ids.map((id) => [id, []]));
      for (const d of docs) grouped.get(d.conversationId.toHexString())?.push(toMemberRecord(d));
      return ids.map((id) => grouped.get(id) ?? []);
    },
  };
  return service;
}
