import type { FastifyInstance } from 'fastify';
import { isDomainError } from '../../domain/errors';
import type { Services } from '../../services';
import { PUSH_PROVIDERS, type PushProvider } from '../../users/model';
import { encodeUserCursor, type UserRecord } from '../../users/records';
import type { RegisterInput } from '../../users/service';
import { userEntity } from './entity';
import { EasemobError, illegalArgument, requiredProperty } from './errors';
import { echoParams, type EasemobCall, type EasemobKit } from './request';

type UserParams = { username: string };

const duplicate = (username: string) =>
  new EasemobError(
    400,
    'duplicate_unique_property_exists',
    `Entity user requires that property named username be unique, value of ${username} exists`,
  );

/** `limit` of list and batch delete: a whole number, default 10 (the Usergrid page); the service bounds it. */
function limitOf(call: EasemobCall): number {
  const raw = call.query.limit;
  if (raw === undefined || raw === '') return 10;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw illegalArgument('limit must be a whole number');
  return n;
}

const asBool = (v: unknown, name: string): boolean => {
  if (v === true || v === 'true' || v === 1 || v === '1') return true;
  if (v === false || v === 'false' || v === 0 || v === '0') return false;
  throw illegalArgument(`${name} must be true or false`);
};
const asInt = (v: unknown, name: string): number => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw illegalArgument(`${name} must be a whole number`);
  return n;
};

export function registerUserRoutes(fastify: FastifyInstance, services: Services, kit: EasemobKit) {
  const { users } = services;
  const one = (call: EasemobCall, action: string, user: UserRecord) => kit.envelope(call, action, { entities: [userEntity(user)] });

  // Register one user (open or authorized) or many (authorized, partial failures in `data`).
  fastify.post(
    '/:org_name/:app_name/users',
    kit.route('open-registration', async (call, req) => {
      const body = req.body;
      if (Array.isArray(body)) {
        const { users: created, failures } = await users.registerMany(call.ctx, body as RegisterInput[]);
        return kit.envelope(call, 'post', {
          entities: created.map(userEntity),
          data: failures.map((f) => ({
            username: f.username,
            registerUserFailReason: f.reason === 'username_taken' ? `the ${f.username} already exists` : f.message,
          })),
        });
      }
      if (!body || typeof body !== 'object') throw requiredProperty('username');
      const input = body as RegisterInput;
      try {
        const user = await users.register(call.ctx, input, call.ctx.principal.kind === 'anonymous' ? call.app.id : undefined);
        return one(call, 'post', user);
      } catch (e) {
        if (isDomainError(e) && e.details.reason === 'username_taken') throw duplicate(String(input.username));
        throw e;
      }
    }),
  );

  fastify.get(
    '/:org_name/:app_name/users/:username',
    kit.route<UserParams>('admin', async (call, req) => {
      const user = await users.get(call.ctx, { username: req.params.username });
      return { ...kit.envelope(call, 'get', { entities: [userEntity(user)], uri: `${call.base}/users/${req.params.username}` }), count: 1 };
    }),
  );

  // Users in registration order, `limit` per page; `cursor` is present while more remain.
  fastify.get(
    '/:org_name/:app_name/users',
    kit.route('admin', async (call) => {
      const page = await users.list(call.ctx, { first: limitOf(call), after: call.query.cursor || null });
      const nodes = page.edges.map((e) => e.node);
      return kit.envelope(call, 'get', {
        params: echoParams(call.query),
        entities: nodes.map(userEntity),
        cursor: page.hasNextPage ? page.edges[page.edges.length - 1]!.cursor : undefined,
        count: nodes.length,
      });
    }),
  );

  fastify.delete(
    '/:org_name/:app_name/users/:username',
    kit.route<UserParams>('admin', async (call, req) => {
      return one(call, 'delete', await users.delete(call.ctx, { username: req.params.username }));
    }),
  );

  // Deletes the `limit` earliest-registered users; `cursor` is present while users remain.
  fastify.delete(
    '/:org_name/:app_name/users',
    kit.route('admin', async (call) => {
      const deleted = await users.deleteOldest(call.ctx, limitOf(call));
      const remaining = await users.list(call.ctx, { first: 1 });
      const last = deleted[deleted.length - 1];
      return kit.envelope(call, 'delete', {
        params: echoParams(call.query),
        entities: deleted.map(userEntity),
        cursor: remaining.edges.length && last ? encodeUserCursor(last.id) : undefined,
      });
    }),
  );

  fastify.put(
    '/:org_name/:app_name/users/:username/password',
    kit.route<UserParams>('admin', async (call, req) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (body.newpassword === undefined || body.newpassword === null || body.newpassword === '') {
        throw new EasemobError(400, 'required_property_not_found', 'Entity user requires a property named newpassword');
      }
      if (typeof body.newpassword !== 'string') throw illegalArgument('newpassword must be a string');
      try {
        await users.changePassword(call.ctx, { username: req.params.username }, { newPassword: body.newpassword });
      } catch (e) {
        if (isDomainError(e) && e.code === 'NOT_FOUND') throw new EasemobError(404, 'entity_not_found', 'User null not found');
        throw e;
      }
      return { action: 'set user password', timestamp: Date.now(), duration: Date.now() - call.started };
    }),
  );

  // Push nickname, display style, do-not-disturb, per-group push mute, and (beyond the document) the device token.
  fastify.put(
    '/:org_name/:app_name/users/:username',
    kit.route<UserParams>('admin', async (call, req) => {
      const body = req.body;
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw illegalArgument('the request body must be a JSON object');
      const ref = { username: req.params.username };
      try {
        await users.get(call.ctx, ref);
      } catch (e) {
        if (isDomainError(e) && e.code === 'NOT_FOUND') throw requiredProperty('username'); // as the document answers
        throw e;
      }
      const plan = settingsFromBody(body as Record<string, unknown>);
      let user: UserRecord | undefined;
      if (plan.nickname !== undefined) user = await users.updateProfile(call.ctx, ref, { nickname: plan.nickname });
      if (plan.notification) user = await users.updateNotificationSettings(call.ctx, ref, plan.notification);
      if (plan.deviceToken)
        user = await users.setDeviceToken(call.ctx, ref, plan.deviceToken.provider, plan.deviceToken.token, plan.deviceToken.notifierName);
      if (!user) throw illegalArgument('nothing to update: give nickname, notification_* or device_token');
      return one(call, 'put', user);
    }),
  );
}

/** Reads the PUT /users/{username} body into the domain's updates; unknown fields are ignored. */
function settingsFromBody(b: Record<string, unknown>) {
  const plan: {
    nickname?: string | null;
    notification?: Parameters<Services['users']['updateNotificationSettings']>[2];
    deviceToken?: { provider: PushProvider; token: string; notifierName: string | null };
  } = {};
  if ('nickname' in b) {
    if (b.nickname !== null && typeof b.nickname !== 'string') throw illegalArgument('nickname must be a string');
    plan.nickname = b.nickname as string | null;
  }
  const n: NonNullable<typeof plan.notification> = {};
  if (b.notification_display_style !== undefined) {
    const style = asInt(b.notification_display_style, 'notification_display_style');
    if (style !== 0 && style !== 1) throw illegalArgument('notification_display_style must be 0 or 1');
    n.displayStyle = style;
  }
  if (b.notification_no_disturbing !== undefined) {
    const enabled = asBool(b.notification_no_disturbing, 'notification_no_disturbing');
    n.doNotDisturb = {
      enabled,
      startHour:
        b.notification_no_disturbing_start === undefined
          ? null
          : asInt(b.notification_no_disturbing_start, 'notification_no_disturbing_start'),
      endHour:
        b.notification_no_disturbing_end === undefined ? null : asInt(b.notification_no_disturbing_end, 'notification_no_disturbing_end'),
    };
  }
  const mutes = Object.entries(b).filter(([k]) => k.startsWith('notification_ignore_'));
  if (mutes.length) n.groupMutes = mutes.map(([k, v]) => ({ groupId: k.slice('notification_ignore_'.length), muted: asBool(v, k) }));
  if (Object.keys(n).length) plan.notification = n;
  if (b.device_token !== undefined) {
    if (typeof b.device_token !== 'string') throw illegalArgument('device_token must be a string');
    const notifier = typeof b.notifier_name === 'string' ? b.notifier_name : null;
    const provider = (PUSH_PROVIDERS as readonly string[]).includes(String(b.provider ?? notifier ?? '').toLowerCase())
      ? (String(b.provider ?? notifier).toLowerCase() as PushProvider)
      : 'apns';
    plan.deviceToken = { provider, token: b.device_token, notifierName: notifier };
  }
  return plan;
}
