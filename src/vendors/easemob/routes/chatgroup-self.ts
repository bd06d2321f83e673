import type { EasemobRoutes } from '../dialect';
import { echoParams, envelope } from '../envelope';
import { groupContract as c } from '../groups-contract';
import { groupSummaries } from './chatgroups';

/** What a user does with their own token beyond the shared routes: list public groups, leave one. */
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

  route(c.quit, async (call, { params }) => {
    await groups.leave(call.ctx, params.group_id);
    return envelope('delete', { path: '/chatgroups', uri: 'request', data: { result: true } });
  });
}
