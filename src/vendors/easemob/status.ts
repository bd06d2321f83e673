import type { FastifyInstance } from 'fastify';
import { isDomainError } from '../../domain/errors';
import type { Services } from '../../services';
import { userEntity } from './entity';
import { EasemobError, illegalArgument, notFoundError } from './errors';
import type { EasemobCall, EasemobKit } from './request';

type UserParams = { username: string };

/** Online status, offline messages, deactivate / activate and forced disconnect. */
export function registerStatusRoutes(fastify: FastifyInstance, services: Services, kit: EasemobKit) {
  const { users, presence, conversations, messages } = services;
  const uriOf = (call: EasemobCall) => `${call.base}${call.path}`;
  const minimal = (call: EasemobCall, action: string, extra: object = {}) => ({
    action,
    ...extra,
    timestamp: Date.now(),
    duration: Date.now() - call.started,
  });

  fastify.get(
    '/:org_name/:app_name/users/:username/status',
    kit.route<UserParams>('admin', async (call, req) => {
      const { username } = req.params;
      await users.get(call.ctx, { username });
      const [status] = await presence.statuses(call.ctx, [username]);
      return kit.envelope(call, 'get', { uri: uriOf(call), data: { [username]: status!.online ? 'online' : 'offline' }, count: 0 });
    }),
  );

  // Unknown usernames are reported offline, as the document says; the presence service refuses more than 100.
  fastify.post(
    '/:org_name/:app_name/users/batch/status',
    kit.route('admin', async (call, req) => {
      const usernames = (req.body as { usernames?: unknown } | undefined)?.usernames;
      if (!Array.isArray(usernames) || usernames.length === 0 || !usernames.every((u) => typeof u === 'string')) {
        throw illegalArgument('usernames must be a non-empty array of usernames');
      }
      const statuses = await presence.statuses(call.ctx, usernames as string[]);
      return minimal(call, 'get batch user status', { data: statuses.map((s) => ({ [s.username]: s.online ? 'online' : 'offline' })) });
    }),
  );

  fastify.get(
    '/:org_name/:app_name/users/:username/offline_msg_count',
    kit.route<UserParams>('admin', async (call, req) => {
      const { username } = req.params;
      const counts = await conversations.offlineCounts(call.ctx, { username });
      return kit.envelope(call, 'get', { uri: uriOf(call), data: { [username]: counts.total }, count: 0 });
    }),
  );

  // msg_id is the message's numeric uid, as returned by the send routes.
  fastify.get(
    '/:org_name/:app_name/users/:username/offline_msg_status/:msg_id',
    kit.route<UserParams & { msg_id: string }>('admin', async (call, req) => {
      const { username, msg_id: msgId } = req.params;
      const user = await users.get(call.ctx, { username });
      if (!/^\d{1,16}$/.test(msgId)) throw notFoundError();
      const message = await messages.findByUid(call.ctx, Number(msgId));
      const mine = (await messages.deliveryStatus(call.ctx, message.id)).find((s) => s.userId === user.id);
      if (!mine) throw notFoundError(); // not a recipient of that message
      return kit.envelope(call, 'get', { uri: uriOf(call), data: { [msgId]: mine.delivered ? 'delivered' : 'undelivered' }, count: 0 });
    }),
  );

  fastify.post(
    '/:org_name/:app_name/users/:username/deactivate',
    kit.route<UserParams>('admin', async (call, req) => {
      try {
        const user = await users.setActivated(call.ctx, { username: req.params.username }, false);
        return minimal(call, 'Deactivate user', { entities: [userEntity(user)] });
      } catch (e) {
        if (isDomainError(e) && e.code === 'NOT_FOUND') {
          throw new EasemobError(400, 'management', `User with id null does not exist in app ${call.application}`);
        }
        throw e;
      }
    }),
  );

  fastify.post(
    '/:org_name/:app_name/users/:username/activate',
    kit.route<UserParams>('admin', async (call, req) => {
      await users.setActivated(call.ctx, { username: req.params.username }, true);
      return minimal(call, 'activate user');
    }),
  );

  fastify.get(
    '/:org_name/:app_name/users/:username/disconnect',
    kit.route<UserParams>('admin', async (call, req) => {
      await presence.disconnect(call.ctx, { username: req.params.username });
      return kit.envelope(call, 'get', { uri: uriOf(call), data: { result: true }, count: 0 });
    }),
  );
}
