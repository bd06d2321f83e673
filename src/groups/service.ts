import { Types } from 'mongoose';
import { nextValue, type CounterModel } from '../counters/counters';
import type { MemberRecord, MemberRole } from '../conversations/records';
import { reachesAboveAdmin } from '../conversations/roster';
import type { ConversationService } from '../conversations/service';
import type { RequestContext } from '../domain/context';
import { forbidden, invalidInput, notFound, unauthenticated } from '../domain/errors';
import { findRecordsByIds, isObjectIdHex, ONE_BATCH } from '../db/ids';
import { checkText } from '../domain/validators';
import type { UserRef, UserService } from '../users/service';
import type { GroupDoc, GroupModel } from './model';
import { checkGroupName, checkProfile, MAX_GROUP_MEMBERS, toGroupRecord, type GroupProfile, type GroupRecord } from './records';

export { MAX_GROUP_MEMBERS, type GroupRecord } from './records';

export type GroupService = ReturnType<typeof createGroupService>;

export function createGroupService(deps: {
  groups: GroupModel;
  counters: CounterModel;
  conversations: ConversationService;
  users: UserService;
}) {
  const { groups, conversations, users } = deps;

  const checkName = checkGroupName;

  /** Loads a live group of the caller's app; `manage` requires owner/admin (or an app principal). */
  async function load(ctx: RequestContext, groupId: number, manage: boolean) {
    const p = ctx.principal;
    if (p.kind !== 'app' && p.kind !== 'user') throw unauthenticated();
    const doc = Number.isInteger(groupId) ? await groups.findOne({ appId: p.appId, groupId }).lean<GroupDoc>() : null;
    if (!doc || doc.dissolvedAt) throw notFound('group', { field: 'groupId' });
    const group = toGroupRecord(doc);
    const { member } = await conversations.access(ctx, group.conversationId);
    if (manage && member && member.role === 'member') throw forbidden('only the owner or an admin can do this');
    return { group, member };
  }

  async function resolveUsers(ctx: RequestContext, refs: UserRef[], field: string) {
    return users.findManyInApp(ctx, refs, field);
  }

  const service = {
    /** A live group of the caller's app and the caller's membership; `manage` needs its owner or an admin (or the app). */
    access: load,

    /** An admin acts on plain members only: the owner and the other admins are the owner's to manage. */
    async checkRank(group: GroupRecord, caller: { userId: string; role: MemberRole } | null, targetIds: string[]) {
      if (caller?.role !== 'admin') return;
      if (reachesAboveAdmin(await conversations.roster(group.conversationId), caller.userId, targetIds))
        throw forbidden('an admin cannot do this to the owner or another admin');
    },

    async create(
      ctx: RequestContext,
      input: { name: string; owner?: UserRef | null; members?: UserRef[] | null; super?: boolean | null; profile?: Partial<GroupProfile> },
    ) {
      const owner = await users.actingUser(ctx, input.owner);
      const name = checkName(input.name);
      const profile = checkProfile(input.profile ?? {});
      const initial = (await resolveUsers(ctx, input.members ?? [], 'members')).filter((u) => u.id !== owner.id);
      const max = profile.maxUsers ?? MAX_GROUP_MEMBERS;
      if (initial.length + 1 > max) throw invalidInput(`at most ${max} members`, 'members', 'limit_exceeded');
      // The counter may hand out a value twice on FerretDB (non-atomic findAndModify): a group id
      // whose conversation already exists is taken, so draw again.
      let groupId = await nextValue(deps.counters, `group:${owner.appId}`, 1);
      let conv = await conversations.openGroup(owner.appId, groupId);
      for (let attempt = 0; conv.previouslyCreated && attempt < 20; attempt++) {
        groupId = await nextValue(deps.counters, `group:${owner.appId}`, 1);
        conv = await conversations.openGroup(owner.appId, groupId);
      }
      await conversations.addMembers(conv.conversation, [owner.id], 'owner');
      await conversations.addMembers(conv.conversation, [...new Set(initial.map((u) => u.id))]);
      const doc = await groups.create({
        appId: new Types.ObjectId(owner.appId),
        groupId,
        name,
        ownerId: new Types.ObjectId(owner.id),
        super: !!input.super,
        conversationId: new Types.ObjectId(conv.conversation.id),
        ...profile,
      });
      return toGroupRecord(doc.toObject() as GroupDoc);
    },

    /** Loader source: groups by id (dissolved ones included), in key order. */
    findManyByIds: (ids: readonly string[]) => findRecordsByIds(groups, ids, toGroupRecord),

    /** Loader source: the group of each conversation (dissolved ones included), in key order. */
    async findManyByConversationIds(ids: readonly string[]): Promise<(GroupRecord | null)[]> {
      const docs = await groups
        .find({ conversationId: { $in: ids.filter(isObjectIdHex) } })
        .batchSize(ONE_BATCH)
        .lean<GroupDoc[]>();
      const byConversation = new Map(docs.map((d) => [d.conversationId.toHexString(), toGroupRecord(d)]));
      return ids.map((id) => byConversation.get(id) ?? null);
    },

    /** Which of `groupIds` (decimal strings) are live groups of the app with `userId` as a member. */
    async memberGroupIds(ctx: RequestContext, appId: string, userId: string, groupIds: string[]): Promise<Set<string>> {
      const numbers = groupIds.filter((id) => /^[1-9][0-9]{0,14}$/.test(id)).map(Number);
      if (numbers.length === 0) return new Set();
      const docs = await groups
        .find({ appId, groupId: { $in: numbers } })
        .batchSize(ONE_BATCH)
        .lean<GroupDoc[]>();
      const live = docs.filter((d) => !d.dissolvedAt);
      const members = await ctx.loaders.memberOf.loadMany(live.map((d) => `${d.conversationId.toHexString()}:${userId}`));
      return new Set(live.filter((_, i) => members[i] && !(members[i] instanceof Error)).map((d) => String(d.groupId)));
    },

    async get(ctx: RequestContext, groupId: number) {
      return (await load(ctx, groupId, false)).group;
    },

    async rename(ctx: RequestContext, groupId: number, name: string) {
      const { group } = await load(ctx, groupId, true);
      const updated = await groups
        .findOneAndUpdate({ _id: group.id }, { $set: { name: checkName(name) } }, { returnDocument: 'after' })
        .lean<GroupDoc>();
      await conversations.announce(group.appId, group.conversationId, 'renamed');
      return toGroupRecord(updated!);
    },

    async dissolve(ctx: RequestContext, groupId: number) {
      const { group, member } = await load(ctx, groupId, true);
      if (member && member.role !== 'owner') throw forbidden('only the owner can dissolve a group');
      const updated = await groups
        .findOneAndUpdate({ _id: group.id }, { $set: { dissolvedAt: new Date() } }, { returnDocument: 'after' })
        .lean<GroupDoc>();
      const members = await conversations.membersOf(group.conversationId);
      await conversations.announce(group.appId, group.conversationId, 'dissolved');
      await conversations.removeMembers(
        (await conversations.access(ctx, group.conversationId)).conversation,
        members.map((m) => m.userId),
      );
      return toGroupRecord(updated!);
    },

    /** Adds members (any member where the group allows invites, else its owner or admins, or the app). */
    async addMembers(ctx: RequestContext, groupId: number, refs: UserRef[]) {
      const { group, member } = await load(ctx, groupId, false);
      if (member?.role === 'member' && !group.allowInvites) throw forbidden('only the owner or an admin can add members to this group');
      if (refs.length === 0) throw invalidInput('name at least one user', 'members');
      const added = await resolveUsers(ctx, refs, 'members');
      const blocked = added.findIndex((u) => group.blockedIds.includes(u.id));
      if (blocked >= 0)
        throw forbidden(`${added[blocked]!.username} is on the group's blocklist`, { field: `members.${blocked}`, reason: 'blocked' });
      const current = await conversations.membersOf(group.conversationId);
      const fresh = added.filter((u) => !current.some((m) => m.userId === u.id));
      const max = Math.min(group.maxUsers, MAX_GROUP_MEMBERS);
      if (current.length + fresh.length > max) throw invalidInput(`at most ${max} members`, 'members', 'limit_exceeded');
      const { conversation } = await conversations.access(ctx, group.conversationId);
      await conversations.addMembers(
        conversation,
        added.map((u) => u.id),
      );
      return group;
    },

    async removeMembers(ctx: RequestContext, groupId: number, refs: UserRef[]) {
      const { group, member } = await load(ctx, groupId, true);
      const removed = await resolveUsers(ctx, refs, 'members');
      if (removed.some((u) => u.id === group.ownerId))
        throw invalidInput('the owner cannot be removed; dissolve the group instead', 'members');
      await service.checkRank(
        group,
        member,
        removed.map((u) => u.id),
      );
      const { conversation } = await conversations.access(ctx, group.conversationId);
      await conversations.removeMembers(
        conversation,
        removed.map((u) => u.id),
      );
      return group;
    },

    /**
     * Leaves a group. The owner may leave only where the dialect says so (`owner:
     * 'hand-over'`): ownership then passes to the longest-serving admin, else the longest-standing
     * member; the last member leaving keeps the group (dissolving is explicit) under its last owner.
     */
    async leave(ctx: RequestContext, groupId: number, userRef?: UserRef | null, o: { owner?: 'refuse' | 'hand-over' } = {}) {
      const user = await users.actingUser(ctx, userRef);
      const { group } = await load(ctx, groupId, false);
      const owning = user.id === group.ownerId;
      if (owning && o.owner !== 'hand-over') throw invalidInput('the owner cannot leave; dissolve the group instead', 'groupId');
      const { conversation } = await conversations.access(ctx, group.conversationId);
      await conversations.removeMembers(conversation, [user.id]);
      if (!owning) return group;
      const rank = (m: MemberRecord) => (m.role === 'admin' ? 0 : 1);
      const heir = (await conversations.membersOf(group.conversationId))
        .filter((m) => m.userId !== user.id)
        .sort((a, b) => rank(a) - rank(b) || a.joinedAt.getTime() - b.joinedAt.getTime())[0];
      if (!heir) return group;
      await groups.updateOne({ _id: group.id }, { $set: { ownerId: new Types.ObjectId(heir.userId) } });
      await conversations.updateMember(conversation, heir.userId, { role: 'owner' });
      return { ...group, ownerId: heir.userId };
    },

    async upgradeToSuper(ctx: RequestContext, groupId: number) {
      const { group } = await load(ctx, groupId, true);
      const updated = await groups
        .findOneAndUpdate({ _id: group.id }, { $set: { super: true } }, { returnDocument: 'after' })
        .lean<GroupDoc>();
      await conversations.announce(group.appId, group.conversationId, 'upgraded');
      return toGroupRecord(updated!);
    },

    /** Role changes need owner/admin; a member may set their own nickname and do-not-disturb. */
    async updateMember(
      ctx: RequestContext,
      groupId: number,
      userRef: UserRef,
      set: { role?: MemberRole | null; nickname?: string | null; muted?: boolean | null; doNotDisturb?: boolean | null },
    ) {
      const { group, member } = await load(ctx, groupId, false);
      const target = await users.findInApp(ctx, userRef);
      const self = member?.userId === target.id;
      const managing = set.role != null || set.muted != null;
      if (member && member.role === 'member' && (managing || !self)) throw forbidden('only the owner or an admin can change other members');
      if (set.role === 'owner' || (target.id === group.ownerId && set.role)) throw invalidInput('ownership cannot be changed here', 'role');
      if (managing) await service.checkRank(group, member, [target.id]);
      const patch: Record<string, unknown> = {};
      if (set.role != null) patch.role = set.role;
      if (set.nickname != null) patch.nickname = checkText(set.nickname, 64, 'nickname');
      if (set.muted != null) patch.muted = set.muted;
      if (set.doNotDisturb != null) patch.doNotDisturb = set.doNotDisturb;
      if (Object.keys(patch).length === 0) throw invalidInput('nothing to update', 'input');
      const { conversation } = await conversations.access(ctx, group.conversationId);
      return conversations.updateMember(conversation, target.id, patch);
    },
  };
  return service;
}
