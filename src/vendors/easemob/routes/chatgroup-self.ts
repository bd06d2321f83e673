import type { EasemobRoutes } from '../dialect';
import { echoParams, envelope } from '../envelope';
import { groupContract as c } from '../groups-contract';
import { groupSummaries } from './chatgroups';

/**
 * What a user does with their own token beyond the shared routes: list public groups, list their
 * own groups in detail, leave one.
 */
export function registerChatGroupSelfRoutes(routes: EasemobRoutes) {
  const { route, services } = routes;
  const { groups, groupAdmin } = services;

  route(c.listPublic, async (call, { query }) => {
    const page = await groupAdmin.list(call.ctx, query.limit ?? 10, query.cursor, true);
    const lines = await groupSummaries(call, page.groups);
    // The v3 list (what the web SDK asks for) names a group `id` and `name`.
    const data = query.version === 'v3' ? lines.map((l) => ({ ...l, id: l.groupid, name: l.groupname })) : lines;
    return envelope('get', {
      path: '/publicchatgroups',
      params: echoParams(call.rawQuery),
      data,
      count: data.length,
      cursor: page.cursor,
    });
  });

  route(c.joinedDetailed, async (call, { params, query }) => {
    const mine = await groupAdmin.joinedBy(call.ctx, { username: params.username });
    const size = query.pagesize ?? 20;
    const page = mine.slice((query.pagenum ?? 0) * size, ((query.pagenum ?? 0) + 1) * size);
    const conversations = await call.ctx.loaders.conversationById.loadMany(page.map((g) => g.conversationId));
    const entities = page.map((g, i) => {
      const conv = conversations[i];
      return {
        groupId: String(g.groupId),
        name: g.name,
        description: g.description,
        affiliations_count: conv && !(conv instanceof Error) ? (conv.memberCount ?? 0) : 0,
        permission: g.role,
        disabled: false,
        membersonly: g.membersOnly,
        allowinvites: g.allowInvites,
        maxusers: g.maxUsers,
        public: g.public,
      };
    });
    return envelope('get', { path: '/chatgroups', uri: 'request', params: echoParams(call.rawQuery), entities, count: entities.length });
  });

  route(c.quit, async (call, { params }) => {
    await groups.leave(call.ctx, params.group_id);
    return envelope('delete', { path: '/chatgroups', uri: 'request', data: { result: true } });
  });
}
