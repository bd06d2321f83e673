import { Types } from 'mongoose';
import type { MemberRecord } from '../conversations/records';
import type { ConversationService } from '../conversations/service';
import type { RequestContext } from '../domain/context';
import { forbidden, invalidInput } from '../domain/errors';
import { isObjectIdHex, ONE_BATCH } from '../db/ids';
import type { UserRecord } from '../users/records';
import type { UserRef, UserService } from '../users/service';
import type { GroupDoc, GroupModel } from './model';
import { checkGroupName, checkProfile, toGroupRecord, type GroupProfile, type GroupRecord } from './records';
import type { GroupService } from './service';

const encodeCursor = (id: string) => Buffer.from(`g:${id}`).toString('base64url');
const decodeCursor = (c: string) => /^g:([0-9a-f]{24})$/.exec(Buffer.from(c, 'base64url').toString())?.[1];

/**
 * Running a group beyond its membership: settings, announcement, ownership, admins, mutes, the
 * blocklist, and the app-wide lists (the chat-group admin APIs; every surface sees the result).
 */
export function createGroupAdmin(deps: {
  groups: GroupModel;
  service: GroupService;
  conversations: ConversationService;
  users: UserService;
}) {
  const { groups, service, conversations, users } = deps;
  const save = async (group: GroupRecord, set: Record<string, unknown>) =>
    toGroupRecord((await groups.findOneAndUpdate({ _id: group.id }, set, { returnDocument: 'after' }).lean<GroupDoc>())!);
  const conversationOf = async (ctx: RequestContext, group: GroupRecord) =>
    (await conversations.access(ctx, group.conversationId)).conversation;
  const ownerOnly = (member: MemberRecord | null) => {
    if (member && member.role !== 'owner') throw forbidden('only the owner can do this');
  };
  const membersOf = async (ctx: RequestContext, groupId: number) => {
    const { group } = await service.access(ctx, groupId, false);
    return { group, members: await conversations.membersOf(group.conversationId) };
  };

  return {
    /**
     * The app's live groups (only the public ones: anyone of the app may list those), oldest first;
     * `cursor` continues after the last one returned.
     */
    async list(
      ctx: RequestContext,
      limit: number,
      cursor?: string,
      publicOnly = false,
    ): Promise<{ groups: GroupRecord[]; cursor?: string }> {
      const p = ctx.principal;
      if (p.kind !== 'app' && !(p.kind === 'user' && publicOnly)) throw forbidden('an app token is required');
      const after = cursor ? decodeCursor(cursor) : undefined;
      if (cursor && !after) throw invalidInput('cursor is not valid', 'cursor');
      const docs = await groups
        .find({
          appId: p.appId,
          dissolvedAt: { $exists: false },
          ...(publicOnly ? { public: true } : {}),
          ...(after ? { _id: { $gt: after } } : {}),
        })
        .sort({ _id: 1 })
        .limit(limit + 1)
        .lean<GroupDoc[]>();
      const page = docs.slice(0, limit).map(toGroupRecord);
      return { groups: page, cursor: docs.length > limit ? encodeCursor(page.at(-1)!.id) : undefined };
    },

    /** The live groups a user belongs to, in joining order, with the user's role in each. */
    async joinedBy(ctx: RequestContext, ref: UserRef): Promise<(GroupRecord & { role: MemberRecord['role'] })[]> {
      const user = ctx.principal.kind === 'app' ? await users.findInApp(ctx, ref) : await users.actingUser(ctx, ref);
      const mine = (await conversations.membershipsOf(user.id)).sort((a, b) => a.joinedAt.getTime() - b.joinedAt.getTime());
      const found = await groups
        .find({ conversationId: { $in: mine.map((m) => m.conversationId).filter(isObjectIdHex) }, dissolvedAt: { $exists: false } })
        .batchSize(ONE_BATCH)
        .lean<GroupDoc[]>();
      const byConversation = new Map(found.map((d) => [d.conversationId.toHexString(), toGroupRecord(d)]));
      return mine.flatMap((m) => {
        const group = byConversation.get(m.conversationId);
        return group ? [{ ...group, role: m.role }] : [];
      });
    },

    /** Members in joining order (any member, or the app). */
    members: membersOf,

    async updateProfile(ctx: RequestContext, groupId: number, patch: Partial<GroupProfile> & { name?: string }) {
      const { group } = await service.access(ctx, groupId, true);
      const { name, ...profile } = patch;
      const set = { ...checkProfile(profile), ...(name !== undefined ? { name: checkGroupName(name) } : {}) };
      if (Object.keys(set).length === 0) throw invalidInput('nothing to update', 'input');
      if (set.maxUsers !== undefined && set.maxUsers < (await conversations.countMembers(group.conversationId)))
        throw invalidInput('maxUsers is below the current number of members', 'maxUsers', 'limit_exceeded');
      const updated = await save(group, { $set: set });
      await conversations.announce(group.appId, group.conversationId, name !== undefined ? 'renamed' : 'member_settings');
      return updated;
    },

    /** The new owner must be a member; the old owner stays on as a member. */
    async transferOwnership(ctx: RequestContext, groupId: number, ref: UserRef) {
      const { group, member } = await service.access(ctx, groupId, true);
      ownerOnly(member);
      const next = await users.findInApp(ctx, ref, 'newowner');
      if (next.id === group.ownerId) throw invalidInput('this user already owns the group', 'newowner');
      const conversation = await conversationOf(ctx, group);
      if (!(await conversations.roster(group.conversationId)).some((m) => m.userId === next.id))
        throw invalidInput('the new owner must be a member of the group', 'newowner');
      const updated = await save(group, { $set: { ownerId: new Types.ObjectId(next.id) } });
      await conversations.updateMember(conversation, next.id, { role: 'owner' });
      await conversations.updateMember(conversation, group.ownerId, { role: 'member' });
      return updated;
    },

    async setAdmin(ctx: RequestContext, groupId: number, ref: UserRef, on: boolean): Promise<UserRecord> {
      const { group, member } = await service.access(ctx, groupId, true);
      ownerOnly(member);
      const user = await users.findInApp(ctx, ref, 'username');
      if (user.id === group.ownerId) throw invalidInput('the owner is not an admin', 'username');
      await service.updateMember(ctx, groupId, { id: user.id }, { role: on ? 'admin' : 'member' });
      return user;
    },

    /** Mutes members until `until` (null: until lifted). */
    async mute(ctx: RequestContext, groupId: number, refs: UserRef[], until: Date | null) {
      const { group, member } = await service.access(ctx, groupId, true);
      const conversation = await conversationOf(ctx, group);
      const targets = await users.findManyInApp(ctx, refs, 'usernames');
      await service.checkRank(
        group,
        member,
        targets.map((u) => u.id),
      );
      for (const u of targets) await conversations.updateMember(conversation, u.id, { muted: true, mutedUntil: until });
      return targets;
    },

    async unmute(ctx: RequestContext, groupId: number, refs: UserRef[]) {
      const { group } = await service.access(ctx, groupId, true);
      const conversation = await conversationOf(ctx, group);
      const targets = await users.findManyInApp(ctx, refs, 'usernames');
      for (const u of targets) await conversations.updateMember(conversation, u.id, { muted: false, mutedUntil: null });
      return targets;
    },

    async setMutedAll(ctx: RequestContext, groupId: number, on: boolean) {
      const { group } = await service.access(ctx, groupId, true);
      await conversations.setMutedAll(await conversationOf(ctx, group), on);
    },

    /** Removes the users from the group and keeps them out until unblocked. */
    async block(ctx: RequestContext, groupId: number, refs: UserRef[]) {
      const { group, member } = await service.access(ctx, groupId, true);
      const targets = await users.findManyInApp(ctx, refs, 'usernames');
      if (targets.some((u) => u.id === group.ownerId)) throw forbidden('the owner cannot be blocked');
      await service.checkRank(
        group,
        member,
        targets.map((u) => u.id),
      );
      await save(group, { $addToSet: { blockedIds: { $each: targets.map((u) => new Types.ObjectId(u.id)) } } });
      const members = new Set((await conversations.roster(group.conversationId)).map((m) => m.userId));
      const leaving = targets.filter((u) => members.has(u.id)).map((u) => u.id);
      if (leaving.length) await conversations.removeMembers(await conversationOf(ctx, group), leaving);
      return targets;
    },

    async unblock(ctx: RequestContext, groupId: number, refs: UserRef[]) {
      const { group } = await service.access(ctx, groupId, true);
      const targets = await users.findManyInApp(ctx, refs, 'usernames');
      // A whole new list rather than `$pull` with `$in`, which FerretDB 1.x does not apply.
      const lifted = new Set(targets.map((u) => u.id));
      await save(group, { $set: { blockedIds: group.blockedIds.filter((id) => !lifted.has(id)).map((id) => new Types.ObjectId(id)) } });
      return targets;
    },

    async blocked(ctx: RequestContext, groupId: number): Promise<UserRecord[]> {
      const { group } = await service.access(ctx, groupId, true);
      const found = await ctx.loaders.userById.loadMany(group.blockedIds);
      return found.filter((u): u is UserRecord => !!u && !(u instanceof Error));
    },
  };
}

export type GroupAdmin = ReturnType<typeof createGroupAdmin>;
