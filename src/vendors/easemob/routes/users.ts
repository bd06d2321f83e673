import { encodeUserCursor, PUSH_PROVIDERS, type PushProvider, type UserRecord } from '../../../users/records';
import type { UserSettingsInput } from '../../../users/service';
import { contract, ignoredGroups, toBool, type SettingsBody } from '../contract';
import type { EasemobRoutes } from '../dialect';
import { userEntity } from '../entity';
import { echoParams, envelope, summary } from '../envelope';
import { easemobError, requiredProperty } from '../errors';

const one = (action: string, user: UserRecord) => envelope(action, { entities: [userEntity(user)] });

/** Register (one, open or authorized; many, authorized), get, list, delete, password, push settings. */
export function registerUserRoutes({ route, services }: EasemobRoutes) {
  const { users } = services;

  registerRegistrationRoute({ route, services });

  route(contract.getUser, async (call, { params }) => {
    const user = await users.get(call.ctx, { username: params.username });
    return envelope('get', { entities: [userEntity(user)], uri: `${call.base}/users/${params.username}`, count: 1 });
  });

  // Users in registration order, `limit` per page (default 10, the Usergrid page); `cursor` while more remain.
  route(contract.listUsers, async (call, { query }) => {
    const page = await users.list(call.ctx, { first: query.limit ?? 10, after: query.cursor || null });
    const nodes = page.edges.map((e) => e.node);
    return envelope('get', {
      params: echoParams(call.rawQuery),
      entities: nodes.map(userEntity),
      cursor: page.hasNextPage ? page.edges[page.edges.length - 1]!.cursor : undefined,
      count: nodes.length,
    });
  });

  route(contract.deleteUser, async (call, { params }) => one('delete', await users.delete(call.ctx, { username: params.username })));

  // Deletes the `limit` earliest-registered users; `cursor` is present while users remain.
  route(contract.deleteUsers, async (call, { query }) => {
    const { deleted, more } = await users.deleteOldest(call.ctx, query.limit ?? 10);
    const last = deleted[deleted.length - 1];
    return envelope('delete', {
      params: echoParams(call.rawQuery),
      entities: deleted.map(userEntity),
      cursor: more && last ? encodeUserCursor(last.id) : undefined,
    });
  });

  route(
    { ...contract.changePassword, errors: { NOT_FOUND: () => easemobError(404, 'entity_not_found', 'User null not found') } },
    async (call, { params, body }) => {
      await users.changePassword(call.ctx, { username: params.username }, { newPassword: body.newpassword });
      return summary('set user password');
    },
  );

  // The document answers an unknown user here as a missing username.
  route({ ...contract.updateUser, errors: { NOT_FOUND: () => requiredProperty('username') } }, async (call, { params, body }) =>
    one('put', await users.applySettings(call.ctx, { username: params.username }, settingsOf(body))),
  );
}

/** Register one user (open or authorized) or many (authorized, partial failures in `data`). */
function registerRegistrationRoute({ route, services }: EasemobRoutes) {
  const { users } = services;
  route(
    {
      ...contract.registerUsers,
      errors: {
        CONFLICT: (e, input) =>
          e.details.reason === 'username_taken' && input && !Array.isArray(input.body)
            ? easemobError(
                400,
                'duplicate_unique_property_exists',
                `Entity user requires that property named username be unique, value of ${input.body.username} exists`,
              )
            : undefined,
      },
    },
    async (call, { body }) => {
      if (!Array.isArray(body)) {
        return one('post', await users.register(call.ctx, body, call.ctx.principal.kind === 'anonymous' ? call.app.id : undefined));
      }
      const { users: created, failures } = await users.registerMany(call.ctx, body);
      return envelope('post', {
        entities: created.map(userEntity),
        data: failures.map((f) => ({
          username: f.username,
          registerUserFailReason: f.reason === 'username_taken' ? `the ${f.username} already exists` : f.message,
        })),
      });
    },
  );
}

/** The PUT /users/{username} body as the domain's settings; unknown fields are ignored. */
function settingsOf(b: SettingsBody): UserSettingsInput {
  const s: UserSettingsInput = {};
  if (b.nickname !== undefined) s.nickname = b.nickname;
  const notification: NonNullable<UserSettingsInput['notification']> = {};
  if (b.notification_display_style !== undefined) notification.displayStyle = b.notification_display_style;
  if (b.notification_no_disturbing !== undefined) {
    notification.doNotDisturb = {
      enabled: toBool(b.notification_no_disturbing),
      startHour: b.notification_no_disturbing_start ?? null,
      endHour: b.notification_no_disturbing_end ?? null,
    };
  }
  const mutes = ignoredGroups(b);
  if (mutes.length) notification.groupMutes = mutes;
  if (Object.keys(notification).length) s.notification = notification;
  if (b.device_token !== undefined) {
    const notifier = b.notifier_name ?? null;
    const named = String(b.provider ?? notifier ?? '').toLowerCase();
    const provider = (PUSH_PROVIDERS as readonly string[]).includes(named) ? (named as PushProvider) : 'apns';
    s.deviceToken = { provider, token: b.device_token, notifierName: notifier, deviceId: b.device_id ?? null };
  }
  return s;
}
