import { isDomainError } from '../../../domain/errors';
import type { GroupRecord } from '../../../groups/records';
import type { UserRecord } from '../../../users/records';
import type { EasemobCall } from '../envelope';
import { echoParams, envelope } from '../envelope';
import type { EasemobRoutes } from '../dialect';
import { illegalArgument } from '../errors';
import { groupContract as c } from '../groups-contract';
import { easemobIds } from '../credentials';

type Flags = { public?: boolean | 0 | 1; allowinvites?: boolean | 0 | 1; membersonly?: boolean | 0 | 1 };
const on = (v: boolean | 0 | 1 | undefined) => (v === undefined ? undefined : v === true || v === 1);

/** Members an Easemob group takes when its creator gives no `maxusers` (the vendor's default). */
export const DEFAULT_MAX_USERS = 200;

/** Easemob's group settings as the domain's group profile (what the request gave only). */
export const profileOf = (b: Flags & { avatar?: string; description?: string; desc?: string; maxusers?: number; custom?: string }) => ({
  ...(b.avatar !== undefined ? { avatar: b.avatar } : {}),
  ...((b.description ?? b.desc) !== undefined ? { description: b.description ?? b.desc } : {}),
  ...(b.custom !== undefined ? { custom: b.custom } : {}),
  ...(b.maxusers !== undefined ? { maxUsers: b.maxusers } : {}),
  ...(on(b.public) !== undefined ? { public: on(b.public) } : {}),
  ...(on(b.allowinvites) !== undefined ? { allowInvites: on(b.allowinvites) } : {}),
  ...(on(b.membersonly) !== undefined ? { membersOnly: on(b.membersonly) } : {}),
});

/** A page of a list by `pagenum`/`pagesize` (1-based), or all of it without them. */
export const pageOf = <T>(list: T[], q: { pagenum?: number; pagesize?: number }) =>
  q.pagesize ? list.slice(((q.pagenum ?? 1) - 1) * q.pagesize, (q.pagenum ?? 1) * q.pagesize) : list;

/** Users by name for a batch call: the known ones, and a failure entry for each unknown one. */
export async function namedUsers(routes: EasemobRoutes, call: EasemobCall, names: string[]) {
  const found = await routes.services.users.findSomeInApp(call.ctx, names);
  const known = found.filter((u): u is UserRecord => !!u);
  const unknown = names.filter((_, i) => !found[i]);
  return { known, unknown };
}

/** A line of a group list: owner as `{org}#{app}_{username}`, member count, last change. */
export async function groupSummaries(call: EasemobCall, groups: GroupRecord[]) {
  const conversationsOf = await call.ctx.loaders.conversationById.loadMany(groups.map((g) => g.conversationId));
  const owners = await call.ctx.loaders.userById.loadMany(groups.map((g) => g.ownerId));
  return groups.map((g, i) => {
    const conv = conversationsOf[i];
    const owner = owners[i];
    return {
      owner: `${easemobIds(call.app).orgName}#${easemobIds(call.app).appName}_${owner && !(owner instanceof Error) ? owner.username : ''}`,
      groupid: String(g.groupId),
      affiliations: conv && !(conv instanceof Error) ? (conv.memberCount ?? 0) : 0,
      type: 'group',
      lastModified: String(g.updatedAt.getTime()),
      groupname: g.name,
    };
  });
}

/** Create, read, list, modify, delete chat groups, their members, and a user's groups. */
export function registerChatGroupRoutes(routes: EasemobRoutes) {
  const { route, services } = routes;
  const { groups, groupAdmin, users, conversations } = services;
  const nameOf = async (call: EasemobCall, id: string) => (await call.ctx.loaders.userById.load(id))?.username ?? '';

  async function details(call: EasemobCall, group: GroupRecord) {
    const members = await conversations.rosterOf(call.ctx, group.conversationId);
    const names = await call.ctx.loaders.userById.loadMany(members.map((m) => m.userId));
    const conversation = (await conversations.access(call.ctx, group.conversationId)).conversation;
    return {
      id: String(group.groupId),
      name: group.name,
      avatar: group.avatar,
      description: group.description,
      membersonly: group.membersOnly,
      allowinvites: group.allowInvites,
      maxusers: group.maxUsers,
      owner: await nameOf(call, group.ownerId),
      created: group.createdAt.getTime(),
      custom: group.custom,
      mute: conversation.mutedAll,
      affiliations_count: members.length,
      disabled: false,
      affiliations: members.map((m, i) => {
        const u = names[i];
        const username = u && !(u instanceof Error) ? u.username : '';
        return m.role === 'owner' ? { owner: username } : { member: username };
      }),
      public: group.public,
    };
  }

  route(c.create, async (call, { body }) => {
    const group = await groups.create(call.ctx, {
      name: body.groupname || 'group',
      owner: { username: body.owner },
      members: (body.members ?? []).map((username) => ({ username })),
      // A public group's members cannot invite at creation, as the real service forces it.
      // The vendor's default size when `maxusers` is not given.
      profile: {
        allowInvites: false,
        maxUsers: DEFAULT_MAX_USERS,
        ...profileOf(body),
        ...(on(body.public) ? { allowInvites: false } : {}),
      },
    });
    return envelope('post', { path: '/chatgroups', data: { groupid: String(group.groupId) } });
  });

  route(c.list, async (call, { query }) => {
    const page = await groupAdmin.list(call.ctx, query.limit ?? 10, query.cursor);
    const data = await groupSummaries(call, page.groups);
    return envelope('get', { path: '/chatgroups', params: echoParams(call.rawQuery), data, count: data.length, cursor: page.cursor });
  });

  route(c.details, async (call, { params }) => {
    const found: GroupRecord[] = [];
    for (const id of params.group_ids) {
      const group = await groups.get(call.ctx, Number(id)).catch((e: unknown) => {
        if (isDomainError(e) && e.code === 'NOT_FOUND') return null;
        throw e;
      });
      if (group) found.push(group);
    }
    if (found.length === 0) throw illegalArgument(`group id doesn't exist`);
    const data = await Promise.all(found.map((g) => details(call, g)));
    return envelope('get', { path: '/chatgroups', uri: 'request', data, count: data.length });
  });

  route(c.modify, async (call, { params, body }) => {
    const { newowner, groupname, invite_need_confirm: confirm, ...rest } = body;
    if (newowner !== undefined) {
      await groupAdmin.transferOwnership(call.ctx, params.group_id, { username: newowner });
      return envelope('put', { path: '/chatgroups', uri: 'request', data: { newowner: true } });
    }
    const profile = profileOf(rest);
    await groupAdmin.updateProfile(call.ctx, params.group_id, { ...profile, ...(groupname !== undefined ? { name: groupname } : {}) });
    const changed = Object.keys(body).filter(
      (k) => k !== 'newowner' && k !== 'approval' && (k !== 'invite_need_confirm' || confirm !== undefined),
    );
    return envelope('put', { path: '/chatgroups', uri: 'request', data: Object.fromEntries(changed.map((k) => [k, true])) });
  });

  route(c.remove, async (call, { params }) => {
    await groups.dissolve(call.ctx, params.group_id);
    return envelope('delete', { path: '/chatgroups', uri: 'request', data: { success: true, groupid: String(params.group_id) } });
  });

  route(c.joined, async (call, { params, query }) => {
    const mine = await groupAdmin.joinedBy(call.ctx, { username: params.username });
    // The v3 list (what the web SDK asks for) also names each group `id` and `name`, with the user's role.
    const data = pageOf(mine, query).map((g) => ({
      groupid: String(g.groupId),
      groupname: g.name,
      ...(query.version === 'v3' ? { id: String(g.groupId), name: g.name, disabled: false, permission: g.role } : {}),
    }));
    return envelope('get', { path: '/users', uri: 'request', params: echoParams(call.rawQuery), data, count: data.length });
  });

  route(c.members, async (call, { params, query }) => {
    const { members } = await groupAdmin.members(call.ctx, params.group_id);
    const found = await call.ctx.loaders.userById.loadMany(pageOf(members, query).map((m) => m.userId));
    const data = pageOf(members, query).map((m, i) => {
      const u = found[i];
      const username = u && !(u instanceof Error) ? u.username : '';
      return m.role === 'owner' ? { owner: username } : { member: username };
    });
    return envelope('get', { path: '/chatgroups', uri: 'request', params: echoParams(call.rawQuery), data, count: data.length });
  });

  route(c.addMember, async (call, { params }) => {
    await groups.addMembers(call.ctx, params.group_id, [{ username: params.username }]);
    const data = { result: true, groupid: String(params.group_id), action: 'add_member', user: params.username };
    return envelope('post', { path: '/chatgroups', uri: 'request', data });
  });

  // Adding many (the app, the owner or an admin) and inviting (the SDKs' word for a member adding
  // others where the group allows it) are one domain call; the answer names who was new.
  const addMany =
    (action: string) =>
    async (call: EasemobCall, { params, body }: { params: { group_id: number }; body: { usernames: string[] } }) => {
      const group = await groups.get(call.ctx, params.group_id);
      const before = new Set((await conversations.rosterOf(call.ctx, group.conversationId)).map((m) => m.userId));
      const refs = body.usernames.map((username) => ({ username }));
      const targets = await users.findManyInApp(call.ctx, refs, 'usernames');
      await groups.addMembers(call.ctx, params.group_id, refs);
      const newmembers = targets.filter((u) => !before.has(u.id)).map((u) => u.username);
      return envelope('post', { path: '/chatgroups', uri: 'request', data: { newmembers, groupid: String(params.group_id), action } });
    };
  route(c.addMembers, addMany('add_member'));
  route(c.invite, addMany('invite'));

  route(c.removeMembers, async (call, { params }) => {
    const gid = String(params.group_id);
    const group = await groups.get(call.ctx, params.group_id);
    const roster = new Set((await conversations.rosterOf(call.ctx, group.conversationId)).map((m) => m.userId));
    const { known, unknown } = await namedUsers(routes, call, params.members);
    const inGroup = known.filter((u) => roster.has(u.id));
    if (inGroup.length)
      await groups.removeMembers(
        call.ctx,
        params.group_id,
        inGroup.map((u) => ({ id: u.id })),
      );
    const result = (user: string, reason?: string) => ({
      result: !reason,
      action: 'remove_member',
      ...(reason ? { reason } : {}),
      user,
      groupid: gid,
    });
    const data = [
      ...known.map((u) => result(u.username, roster.has(u.id) ? undefined : `user ${u.username} doesn't exist in group: ${gid}`)),
      ...unknown.map((n) => result(n, `user ${n} doesn't exist.`)),
    ];
    return envelope('delete', {
      path: '/chatgroups',
      uri: 'request',
      data: params.members.length === 1 && data[0]!.result ? data[0] : data,
    });
  });
}
