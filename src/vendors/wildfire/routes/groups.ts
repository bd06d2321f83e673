import { isMutedNow, type MemberRecord } from '../../../conversations/records';
import type { GroupRecord } from '../../../groups/records';
import type { WildfirePayload } from '../contract';
import type { WildfireCall, WildfireRoutes } from '../dialect';
import { wildfireError } from '../errors';
import { groupContract as c } from '../group-contract';
import { contentOf } from './messages';

/** Wildfire's group member types: 0 member, 1 manager, 2 owner, 3 muted. */
const memberType = (m: MemberRecord) => (m.role === 'owner' ? 2 : m.role === 'admin' ? 1 : isMutedNow(m) ? 3 : 0);

/** A Wildfire group id is the domain's group number; anything else names no group. */
function gid(text: string): number {
  if (!/^\d{1,15}$/.test(text)) throw wildfireError('notExist', `group ${text} does not exist`);
  return Number(text);
}

/** Management refused by the domain's roles is "no right to operate"; a group the robot is not in, "not in group". */
const groupErrors = {
  FORBIDDEN: (e: { details: { reason?: string } }) => (e.details.reason ? undefined : wildfireError('notRight')),
  NOT_FOUND: (e: { details: { field?: string } }) => (e.details.field === 'conversationId' ? wildfireError('notInGroup') : undefined),
};

/** Modify types the domain keeps (Wildfire ModifyGroupInfoType): 0 name, 1 portrait, 2 extra, 3 mute, 6 searchable, 8 max members. */
const MODIFIABLE = new Set([0, 1, 2, 3, 6, 8]);

/**
 * The robot's group calls, over the same domain groups every surface sees: the robot acts as its
 * user, with that user's rights (the owner or an admin manages, any member reads). Calls the domain
 * has no counterpart for (per-member `extra`, the speak allow-list) answer "not implement".
 */
export function registerGroupRoutes({ route, services }: WildfireRoutes) {
  const { groups, groupAdmin, users, messages, conversations } = services;
  const on = <B>(spec: (typeof c)[keyof typeof c], handler: (call: WildfireCall, body: B) => Promise<unknown>) =>
    route({ ...spec, errors: groupErrors } as never, async (call, { body }) => {
      const result = await handler(call, body as B);
      const note = (body as { notify_message?: WildfirePayload | null; group_id?: string }).notify_message;
      // The notification the caller asked to follow the change, into the group (when it still stands).
      if (note && spec !== c.dismiss && spec !== c.quit)
        await messages.send(call.ctx, { ...contentOf(note), groupId: gid((body as { group_id: string }).group_id) });
      return result ?? {};
    });

  const groupInfo = async (call: WildfireCall, g: GroupRecord) => {
    const [owner, { conversation }] = await Promise.all([
      call.ctx.loaders.userById.load(g.ownerId),
      conversations.access(call.ctx, g.conversationId),
    ]);
    const count = await conversations.memberCount(call.ctx, g.conversationId);
    return {
      target_id: String(g.groupId),
      name: g.name,
      portrait: g.avatar,
      owner: owner?.username ?? '',
      type: 2,
      extra: g.custom,
      mute: conversation.mutedAll ? 1 : 0,
      join_type: g.membersOnly ? 1 : 0,
      private_chat: 0,
      searchable: g.public ? 1 : 0,
      max_member_count: g.maxUsers,
      history_message: 0,
      member_count: count,
      updateDt: g.updatedAt.getTime(),
    };
  };
  const memberOf = async (call: WildfireCall, m: MemberRecord) => ({
    member_id: (await call.ctx.loaders.userById.load(m.userId))?.username ?? '',
    alias: m.nickname ?? '',
    type: memberType(m),
  });

  on(
    c.create,
    async (call, b: { group: { group_info: Record<string, string | undefined>; members: { member_id: string; alias?: string }[] } }) => {
      const info = b.group.group_info;
      const me = await users.actingUser(call.ctx, null);
      const others = b.group.members.filter((m) => m.member_id.toLowerCase() !== me.username.toLowerCase());
      const name =
        info.name ||
        others
          .map((m) => m.member_id)
          .slice(0, 3)
          .join(',') ||
        me.username;
      const profile = { ...(info.portrait ? { avatar: info.portrait } : {}), ...(info.extra ? { custom: info.extra } : {}) };
      const group = await groups.create(call.ctx, { name, members: others.map((m) => ({ username: m.member_id })), profile });
      for (const m of b.group.members.filter((x) => x.alias))
        await groups.updateMember(call.ctx, group.groupId, { username: m.member_id }, { nickname: m.alias });
      // The group's owner may be another member (the robot made it for them): the robot hands it over.
      if (info.owner && info.owner.toLowerCase() !== me.username.toLowerCase())
        await groupAdmin.transferOwnership(call.ctx, group.groupId, { username: info.owner });
      return { result: { group_id: String(group.groupId) } };
    },
  );
  on(c.dismiss, async (call, b: { group_id: string }) => void (await groups.dissolve(call.ctx, gid(b.group_id))));
  on(c.info, async (call, b: { groupId: string }) => ({ result: await groupInfo(call, await groups.get(call.ctx, gid(b.groupId))) }));
  on(c.members, async (call, b: { groupId: string }) => {
    const { members } = await groupAdmin.members(call.ctx, gid(b.groupId));
    return { result: { members: await Promise.all(members.map((m) => memberOf(call, m))) } };
  });
  on(c.member, async (call, b: { groupId: string; memberId: string }) => {
    const [{ members }, user] = await Promise.all([
      groupAdmin.members(call.ctx, gid(b.groupId)),
      users.findInApp(call.ctx, { username: b.memberId }),
    ]);
    const m = members.find((x) => x.userId === user.id);
    if (!m) throw wildfireError('notInGroup', `${b.memberId} is not a member`);
    return { result: await memberOf(call, m) };
  });
  on(c.add, async (call, b: { group_id: string; members: { member_id: string }[] }) => {
    await groups.addMembers(
      call.ctx,
      gid(b.group_id),
      b.members.map((m) => ({ username: m.member_id })),
    );
  });
  on(c.kick, async (call, b: { group_id: string; members: string[] }) => {
    await groups.removeMembers(
      call.ctx,
      gid(b.group_id),
      b.members.map((username) => ({ username })),
    );
  });
  on(c.quit, async (call, b: { group_id: string }) => void (await groups.leave(call.ctx, gid(b.group_id))));
  on(c.modify, async (call, b: { group_id: string; type: number; value: string }) => {
    if (!MODIFIABLE.has(b.type)) throw wildfireError('notImplement', `group info type ${b.type} is not kept by this server`);
    const g = gid(b.group_id);
    if (b.type === 0) return void (await groups.rename(call.ctx, g, b.value));
    if (b.type === 3) return void (await groupAdmin.setMutedAll(call.ctx, g, b.value === '1'));
    const max = Number(b.value);
    if (b.type === 8 && (!Number.isInteger(max) || max < 1))
      throw wildfireError('invalidParameter', 'max member count must be a positive integer');
    const patch =
      b.type === 1
        ? { avatar: b.value }
        : b.type === 2
          ? { custom: b.value }
          : b.type === 6
            ? { public: b.value === '1' }
            : { maxUsers: max };
    await groupAdmin.updateProfile(call.ctx, g, patch);
  });
  on(c.transfer, async (call, b: { group_id: string; new_owner: string }) => {
    await groupAdmin.transferOwnership(call.ctx, gid(b.group_id), { username: b.new_owner });
  });
  on(c.setManager, async (call, b: { group_id: string; members: string[]; is_manager: boolean }) => {
    for (const username of b.members) await groupAdmin.setAdmin(call.ctx, gid(b.group_id), { username }, b.is_manager);
  });
  on(c.mute, async (call, b: { group_id: string; members: string[]; is_mute: boolean }) => {
    const refs = b.members.map((username) => ({ username }));
    if (b.is_mute) await groupAdmin.mute(call.ctx, gid(b.group_id), refs, null);
    else await groupAdmin.unmute(call.ctx, gid(b.group_id), refs);
  });
  on(c.alias, async (call, b: { group_id: string; memberId: string; alias: string }) => {
    await groups.updateMember(call.ctx, gid(b.group_id), { username: b.memberId }, { nickname: b.alias });
  });
  on(c.allow, async () => {
    throw wildfireError('notImplement', 'the speak allow-list of a muted group is not kept by this server');
  });
  on(c.extra, async () => {
    throw wildfireError('notImplement', 'a member extra is not kept by this server');
  });
}
