import { isMutedNow } from '../../../conversations/records';
import type { EasemobRoutes } from '../dialect';
import { envelope } from '../envelope';
import { groupContract as c } from '../groups-contract';
import { namedUsers } from './chatgroups';

/** A group's admins, mutes (one by one and all at once), blocklist and announcement. */
export function registerChatGroupAdminRoutes(routes: EasemobRoutes) {
  const { route, services } = routes;
  const { groups, groupAdmin } = services;
  const request = (action: string, data: unknown, count?: number) => envelope(action, { path: '/chatgroups', uri: 'request', data, count });

  route(c.admins, async (call, { params }) => {
    const { members } = await groupAdmin.members(call.ctx, params.group_id);
    const admins = await call.ctx.loaders.userById.loadMany(members.filter((m) => m.role === 'admin').map((m) => m.userId));
    const data = admins.flatMap((u) => (u && !(u instanceof Error) ? [u.username] : []));
    return request('get', data, data.length);
  });
  route(c.addAdmin, async (call, { params, body }) => {
    const user = await groupAdmin.setAdmin(call.ctx, params.group_id, { username: body.newadmin }, true);
    return request('post', { result: 'success', newadmin: user.username });
  });
  route(c.removeAdmin, async (call, { params }) => {
    const user = await groupAdmin.setAdmin(call.ctx, params.group_id, { username: params.username }, false);
    return request('delete', { result: 'success', oldadmin: user.username });
  });

  route(c.muted, async (call, { params }) => {
    const { members } = await groupAdmin.members(call.ctx, params.group_id);
    const muted = members.filter((m) => isMutedNow(m));
    const found = await call.ctx.loaders.userById.loadMany(muted.map((m) => m.userId));
    // An untimed mute has no end: shown with the far-future expiry the real service uses for -1.
    const data = muted.map((m, i) => {
      const u = found[i];
      return { expire: m.mutedUntil?.getTime() ?? 4_102_444_800_000, user: u && !(u instanceof Error) ? u.username : '' };
    });
    return request('get', data, data.length);
  });
  route(c.mute, async (call, { params, body }) => {
    // -1 (or any negative) mutes until lifted, as the real service does.
    const until = body.mute_duration < 0 ? null : new Date(Date.now() + body.mute_duration);
    const muted = await groupAdmin.mute(
      call.ctx,
      params.group_id,
      body.usernames.map((username) => ({ username })),
      until,
    );
    return request(
      'post',
      muted.map((u) => ({ result: true, expire: until?.getTime() ?? 4_102_444_800_000, user: u.username })),
    );
  });
  route(c.unmute, async (call, { params }) => {
    const { known, unknown } = await namedUsers(routes, call, params.members);
    if (known.length)
      await groupAdmin.unmute(
        call.ctx,
        params.group_id,
        known.map((u) => ({ id: u.id })),
      );
    return request('delete', [
      ...known.map((u) => ({ result: true, user: u.username })),
      ...unknown.map((n) => ({ result: false, reason: `user ${n} doesn't exist.`, user: n })),
    ]);
  });
  route(c.muteAll, async (call, { params }) => {
    await groupAdmin.setMutedAll(call.ctx, params.group_id, true);
    return request('post', { mute: true });
  });
  route(c.unmuteAll, async (call, { params }) => {
    await groupAdmin.setMutedAll(call.ctx, params.group_id, false);
    return request('delete', { mute: false });
  });

  route(c.blocked, async (call, { params }) => {
    const data = (await groupAdmin.blocked(call.ctx, params.group_id)).map((u) => u.username);
    return request('get', data, data.length);
  });
  const blockResult = (action: string, groupId: number, user: string, reason?: string) => ({
    result: !reason,
    action,
    ...(reason ? { reason } : {}),
    user,
    groupid: String(groupId),
  });
  route(c.block, async (call, { params }) => {
    const [user] = await groupAdmin.block(call.ctx, params.group_id, [{ username: params.username }]);
    return request('post', blockResult('add_blocks', params.group_id, user!.username));
  });
  route(c.blockMany, async (call, { params, body }) => {
    const { known, unknown } = await namedUsers(routes, call, body.usernames);
    if (known.length)
      await groupAdmin.block(
        call.ctx,
        params.group_id,
        known.map((u) => ({ id: u.id })),
      );
    return request('post', [
      ...known.map((u) => blockResult('add_blocks', params.group_id, u.username)),
      ...unknown.map((n) => blockResult('add_blocks', params.group_id, n, `user: ${n} doesn't exist`)),
    ]);
  });
  route(c.unblock, async (call, { params }) => {
    const { known, unknown } = await namedUsers(routes, call, params.members);
    if (known.length)
      await groupAdmin.unblock(
        call.ctx,
        params.group_id,
        known.map((u) => ({ id: u.id })),
      );
    const data = [
      ...known.map((u) => blockResult('remove_blocks', params.group_id, u.username)),
      ...unknown.map((n) => blockResult('remove_blocks', params.group_id, n, `user: ${n} doesn't exist`)),
    ];
    return request('delete', params.members.length === 1 && data[0]!.result ? data[0] : data);
  });

  route(c.announcement, async (call, { params }) => {
    const group = await groups.get(call.ctx, params.group_id);
    return request('get', { announcement: group.announcement });
  });
  route(c.setAnnouncement, async (call, { params, body }) => {
    await groupAdmin.updateProfile(call.ctx, params.group_id, { announcement: body.announcement });
    return request('post', { id: String(params.group_id), result: true });
  });
}
