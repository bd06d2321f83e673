import { contract, type MemberInput } from '../contract';
import type { GobelieveRoutes } from '../dialect';
import { invalidParam } from '../errors';

export function registerGroupRoutes({ route, services }: GobelieveRoutes) {
  const { users, groups } = services;
  /** GoBelieve uids exist implicitly: the ones this server has not seen yet are registered. */
  const ensureMembers = (ctx: Parameters<typeof users.ensure>[0], list: MemberInput[]) =>
    users.ensure(
      ctx,
      list.map((m) => ({ username: m.uid, nickname: m.name })),
      'members',
    );

  route(contract.createGroup, async (call, { body }) => {
    await ensureMembers(call.ctx, [{ uid: body.master, name: undefined }, ...(body.members ?? [])]);
    const group = await groups.create(call.ctx, {
      name: body.name,
      owner: { username: body.master },
      members: (body.members ?? []).map((m) => ({ username: m.uid })),
      super: body.super ?? false,
    });
    return { data: { group_id: group.groupId } };
  });

  route(contract.renameGroup, async (call, { params, body }) => {
    await groups.rename(call.ctx, params.gid, body.name);
    return {};
  });

  route(contract.dissolveGroup, async (call, { params }) => {
    await groups.dissolve(call.ctx, params.gid);
    return {};
  });

  route(contract.addMembers, async (call, { params, body }) => {
    const list = Array.isArray(body) ? body : body.members;
    await ensureMembers(call.ctx, list);
    await groups.addMembers(
      call.ctx,
      params.gid,
      list.map((m) => ({ username: m.uid })),
    );
    return {};
  });

  route(contract.leave, async (call, { params }) => {
    // As the real server, the master may leave too: ownership passes on (see docs/GOBELIEVE.md).
    await groups.leave(call.ctx, params.gid, { username: params.mid }, { owner: 'hand-over' });
    return {};
  });

  route(contract.removeMembers, async (call, { params, body }) => {
    await groups.removeMembers(
      call.ctx,
      params.gid,
      body.map((m) => ({ username: m.uid })),
    );
    return {};
  });

  route(contract.upgrade, async (call, { params }) => {
    await groups.upgradeToSuper(call.ctx, params.gid);
    return {};
  });

  route(contract.memberSettings, async (call, { params, body }) => {
    // The document: do_not_disturb and nickname one at a time.
    if (body.do_not_disturb !== undefined && body.nickname !== undefined) throw invalidParam('set do_not_disturb or nickname, not both');
    await groups.updateMember(
      call.ctx,
      params.gid,
      { username: params.mid },
      {
        doNotDisturb: body.do_not_disturb,
        nickname: body.nickname,
        muted: body.mute,
      },
    );
    return {};
  });
}
