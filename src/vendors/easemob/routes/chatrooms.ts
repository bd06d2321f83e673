import { isDomainError } from '../../../domain/errors';
import type { MemberRecord } from '../../../conversations/records';
import type { RoomRecord } from '../../../rooms/records';
import type { EasemobCall } from '../envelope';
import { echoParams, envelope } from '../envelope';
import type { EasemobRoutes } from '../dialect';
import { illegalArgument } from '../errors';
import { roomContract as c } from '../rooms-contract';
import { namedUsers, pageOf } from './chatgroups';

const PATH = '/chatrooms';

/** Chat rooms (`/chatrooms`): create, list, details, modify, delete, members, admins, announcement. */
export function registerChatRoomRoutes(routes: EasemobRoutes) {
  const { route, services } = routes;
  const { rooms } = services;
  const usernames = async (call: EasemobCall, members: MemberRecord[]) =>
    (await call.ctx.loaders.userById.loadMany(members.map((m) => m.userId))).map((u) => (u && !(u instanceof Error) ? u.username : ''));
  const affiliations = async (call: EasemobCall, members: MemberRecord[]) => {
    const names = await usernames(call, members);
    return members.map((m, i) => (m.role === 'owner' ? { owner: names[i] } : { member: names[i] }));
  };
  const ownerOf = async (call: EasemobCall, room: RoomRecord) => (await call.ctx.loaders.userById.load(room.ownerId))?.username ?? '';

  route(c.create, async (call, { body }) => {
    const room = await rooms.create(call.ctx, {
      name: body.name,
      description: body.description,
      owner: { username: body.owner },
      members: (body.members ?? []).map((username) => ({ username })),
      ...(body.maxusers !== undefined ? { maxUsers: body.maxusers } : {}),
      ...(body.custom !== undefined ? { custom: body.custom } : {}),
    });
    return envelope('post', { path: PATH, data: { id: String(room.roomId) } });
  });

  route(c.list, async (call, { query }) => {
    const page = query.pagesize
      ? await rooms.list(call.ctx, query.pagesize, undefined, ((query.pagenum ?? 1) - 1) * query.pagesize)
      : await rooms.list(call.ctx, query.limit ?? 10, query.cursor);
    const data = await Promise.all(
      page.rooms.map(async (room) => ({
        affiliations_count: (await services.conversations.rosterOf(call.ctx, room.conversationId)).length,
        disabled: false,
        id: String(room.roomId),
        name: room.name,
        owner: await ownerOf(call, room),
      })),
    );
    return envelope('get', { path: PATH, params: echoParams(call.rawQuery), data, count: data.length, cursor: page.cursor });
  });

  route(c.details, async (call, { params }) => {
    const data = [];
    for (const id of params.chatroom_ids) {
      const found = await rooms.members(call.ctx, Number(id)).catch((e: unknown) => {
        if (isDomainError(e) && e.code === 'NOT_FOUND') return null;
        throw e;
      });
      if (!found) continue;
      const { room, members } = found;
      data.push({
        id: String(room.roomId),
        name: room.name,
        description: room.description,
        membersonly: false,
        allowinvites: false,
        maxusers: room.maxUsers,
        owner: await ownerOf(call, room),
        created: room.createdAt.getTime(),
        custom: room.custom,
        // Read by id: a user reading a room they are not in is no member of its conversation.
        mute: !!(await call.ctx.loaders.conversationById.load(room.conversationId))?.mutedAll,
        affiliations_count: members.length,
        affiliations: await affiliations(call, members),
        public: true,
      });
    }
    if (data.length === 0) throw illegalArgument(`chatroom id doesn't exist`);
    return envelope('get', { path: PATH, uri: 'request', data, count: data.length });
  });

  route(c.modify, async (call, { params, body }) => {
    await rooms.update(call.ctx, params.chatroom_id, {
      ...((body.name ?? body.groupname) !== undefined ? { name: body.name ?? body.groupname } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.maxusers !== undefined ? { maxUsers: body.maxusers } : {}),
    });
    const changed = { name: 'groupname', groupname: 'groupname', description: 'description', maxusers: 'maxusers' } as const;
    const data = Object.fromEntries(Object.keys(body).map((k) => [changed[k as keyof typeof changed], true]));
    return envelope('put', { path: PATH, uri: 'request', data });
  });

  route(c.remove, async (call, { params }) => {
    await rooms.remove(call.ctx, params.chatroom_id);
    return envelope('delete', { path: PATH, uri: 'request', data: { success: true, id: String(params.chatroom_id) } });
  });

  route(c.joined, async (call, { params, query }) => {
    const mine = await rooms.joinedBy(call.ctx, { username: params.username });
    const data = pageOf(mine, query).map((room) => ({ id: String(room.roomId), name: room.name }));
    return envelope('get', { path: '/users', uri: 'request', params: echoParams(call.rawQuery), data, count: data.length });
  });

  route(c.members, async (call, { params, query }) => {
    const { members } = await rooms.members(call.ctx, params.chatroom_id);
    const data = await affiliations(call, pageOf(members, query));
    return envelope('get', { path: PATH, uri: 'request', params: echoParams(call.rawQuery), data, count: data.length });
  });

  route(c.addMember, async (call, { params }) => {
    const added = await rooms.addMembers(call.ctx, params.chatroom_id, [{ username: params.username }]);
    if (added.length === 0) throw illegalArgument(`user ${params.username} is already in chatroom ${params.chatroom_id}`);
    const data = { result: true, action: 'add_member', id: String(params.chatroom_id), user: params.username };
    return envelope('post', { path: PATH, uri: 'request', data });
  });

  route(c.addMembers, async (call, { params, body }) => {
    const added = await rooms.addMembers(
      call.ctx,
      params.chatroom_id,
      body.usernames.map((username) => ({ username })),
    );
    const data = { newmembers: added.map((u) => u.username), action: 'add_member', id: String(params.chatroom_id) };
    return envelope('post', { path: PATH, uri: 'request', data });
  });

  route(c.removeMembers, async (call, { params }) => {
    const id = String(params.chatroom_id);
    const { room, members } = await rooms.members(call.ctx, params.chatroom_id);
    const inRoom = new Set(members.map((m) => m.userId));
    const { known, unknown } = await namedUsers(routes, call, params.members);
    const leaving = known.filter((u) => inRoom.has(u.id) && u.id !== room.ownerId);
    await rooms.removeMembers(
      call.ctx,
      params.chatroom_id,
      leaving.map((u) => u.id),
    );
    const result = (user: string, reason?: string) => ({
      result: !reason,
      action: 'remove_member',
      ...(reason ? { reason } : {}),
      user,
      id,
    });
    const data = [
      ...known.map((u) =>
        result(
          u.username,
          u.id === room.ownerId
            ? `user: ${u.username} is the owner of chatroom: ${id}`
            : inRoom.has(u.id)
              ? undefined
              : `user: ${u.username} doesn't exist in group: ${id}`,
        ),
      ),
      ...unknown.map((n) => result(n, `user: ${n} doesn't exist.`)),
    ];
    return envelope('delete', { path: PATH, uri: 'request', data: params.members.length === 1 && data[0]!.result ? data[0] : data });
  });

  route(c.admins, async (call, { params }) => {
    const { members } = await rooms.members(call.ctx, params.chatroom_id);
    const data = await usernames(
      call,
      members.filter((m) => m.role === 'admin'),
    );
    return envelope('get', { path: PATH, uri: 'request', data, count: data.length });
  });

  route(c.addAdmin, async (call, { params, body }) => {
    const user = await rooms.setAdmin(call.ctx, params.chatroom_id, { username: body.newadmin }, true);
    return envelope('post', { path: PATH, uri: 'request', data: { result: 'success', newadmin: user.username } });
  });

  route(c.removeAdmin, async (call, { params }) => {
    const user = await rooms.setAdmin(call.ctx, params.chatroom_id, { username: params.username }, false);
    return envelope('delete', { path: PATH, uri: 'request', data: { result: 'success', oldadmin: user.username } });
  });

  route(c.announcement, async (call, { params }) => {
    const room = await rooms.get(call.ctx, params.chatroom_id);
    return envelope('get', { path: PATH, uri: 'request', data: { announcement: room.announcement } });
  });

  route(c.setAnnouncement, async (call, { params, body }) => {
    await rooms.update(call.ctx, params.chatroom_id, { announcement: body.announcement });
    return envelope('post', { path: PATH, uri: 'request', data: { id: String(params.chatroom_id), result: true } });
  });
}
