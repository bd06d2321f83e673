import { contract } from '../contract';
import type { EasemobRoutes } from '../dialect';
import { userEntity } from '../entity';
import { envelope, summary } from '../envelope';
import { easemobError, notFoundError } from '../errors';

const word = (online: boolean) => (online ? 'online' : 'offline');

/** Online status, offline messages, deactivate / activate and forced disconnect. */
export function registerStatusRoutes({ route, services }: EasemobRoutes) {
  const { users, presence, conversations, messages } = services;

  route(contract.userStatus, async (call, { params }) => {
    const { online } = await presence.statusOf(call.ctx, { username: params.username });
    return envelope('get', { uri: 'request', data: { [params.username]: word(online) }, count: 0 });
  });

  // Unknown usernames are reported offline, as the document says; the presence service refuses more than 100.
  route(contract.batchStatus, async (call, { body }) => {
    const statuses = await presence.statuses(call.ctx, body.usernames);
    return summary('get batch user status', { data: statuses.map((s) => ({ [s.username]: word(s.online) })) });
  });

  route(contract.offlineCount, async (call, { params }) => {
    const counts = await conversations.offlineCounts(call.ctx, { username: params.username });
    return envelope('get', { uri: 'request', data: { [params.username]: counts.total }, count: 0 });
  });

  // msg_id is the message's numeric uid, as returned by the send routes; not a recipient of it: not found.
  route(contract.offlineStatus, async (call, { params }) => {
    if (!/^\d{1,16}$/.test(params.msg_id) || !Number.isSafeInteger(Number(params.msg_id))) throw notFoundError();
    const status = await messages.deliveryStatusByUid(call.ctx, { username: params.username }, Number(params.msg_id));
    return envelope('get', { uri: 'request', data: { [params.msg_id]: status.delivered ? 'delivered' : 'undelivered' }, count: 0 });
  });

  route(
    {
      ...contract.deactivate,
      errors: {
        NOT_FOUND: (_e, _input, call) => easemobError(400, 'management', `User with id null does not exist in app ${call?.application}`),
      },
    },
    async (call, { params }) =>
      summary('Deactivate user', { entities: [userEntity(await users.setActivated(call.ctx, { username: params.username }, false))] }),
  );

  route(contract.activate, async (call, { params }) => {
    await users.setActivated(call.ctx, { username: params.username }, true);
    return summary('activate user');
  });

  route(contract.disconnect, async (call, { params }) => {
    await presence.disconnect(call.ctx, { username: params.username });
    return envelope('get', { uri: 'request', data: { result: true }, count: 0 });
  });
}
